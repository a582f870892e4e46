// Doctor checks: Thunderbolt security and bolt (kernel Documentation/admin-guide/thunderbolt.rst;
// bolt's data/org.freedesktop.bolt.xml), the privileged path (polkit policy, pkexec, the helper —
// polkit(8), pkexec(1)), and the desktop's tray and polkit agent. Pure.

import { HELPER_INSTALL_PATH, PKEXEC_PATH } from '../../common/helper-contract.js';
import type { FileProbe } from '../../platform/file-probe.js';
import { POLICY_INSTALL_PATH, type DoctorFacts, type DoctorFinding } from './doctor-model.js';

const NO_PCIE = new Set(['dponly', 'usbonly', 'nopcie']);

function boltFinding(f: DoctorFacts, needsApproval: boolean): DoctorFinding {
  const b = f.bolt;
  const id = 'bolt';
  const area = 'thunderbolt' as const;
  if (!b.checked) {
    return { id, area, severity: 'info', title: 'bolt: not checked', detail: b.reason };
  }
  if (b.state === 'absent') {
    return {
      id,
      area,
      severity: needsApproval ? 'warning' : 'info',
      title: 'bolt (the Thunderbolt device manager) is not installed',
      detail: needsApproval
        ? 'Thunderbolt devices need approval here, and nothing approves the enclosure when it is plugged in: the eGPU does not appear until it is authorized (eGPU Guard’s Recover can do it with an admin password).'
        : 'Not needed while no Thunderbolt domain asks for approval.',
      ...(needsApproval
        ? {
            fix: 'Install bolt (`sudo apt install bolt`), then `boltctl enroll` the enclosure once.',
          }
        : {}),
    };
  }
  const level = b.securityLevel === null ? '' : `, security level ${b.securityLevel}`;
  return {
    id,
    area,
    severity: 'ok',
    title:
      b.state === 'running' ? `bolt is running${level}` : 'bolt is installed (starts on demand)',
    detail: 'bolt authorizes enrolled Thunderbolt devices when they are plugged in.',
  };
}

export function thunderboltChecks(f: DoctorFacts): DoctorFinding[] {
  const domains = f.inventory.thunderbolt;
  if (domains.length === 0) {
    return [
      {
        id: 'thunderbolt',
        area: 'thunderbolt',
        severity: 'info',
        title: 'No Thunderbolt or USB4 controller',
        detail: f.inventory.gpus.some((g) => g.external)
          ? 'The eGPU is attached without Thunderbolt (OCuLink or a PCIe slot): no authorization is involved.'
          : 'Thunderbolt checks do not apply.',
      },
    ];
  }
  const out: DoctorFinding[] = [];
  for (const d of domains) {
    const level = d.security ?? 'unknown';
    const id = `tb-security:${d.domain}`;
    if (NO_PCIE.has(level)) {
      out.push({
        id,
        area: 'thunderbolt',
        severity: 'problem',
        title: `${d.domain}: security level ${level} — PCIe tunnels are off`,
        detail:
          'The firmware allows no PCIe over this Thunderbolt/USB4 port: an eGPU cannot work here.',
        fix: 'In the firmware setup, set Thunderbolt security to "User authorization" (or "No security"), and enable PCIe tunnelling.',
      });
    } else {
      const dma = d.iommuDmaProtection === true ? ' Kernel DMA protection (IOMMU) is on.' : '';
      out.push({
        id,
        area: 'thunderbolt',
        severity: level === 'unknown' ? 'info' : 'ok',
        title: `${d.domain}: security level ${level}`,
        detail:
          (level === 'none'
            ? 'Devices connect without approval.'
            : level === 'user' || level === 'secure'
              ? 'Each new device must be approved (bolt or eGPU Guard’s Recover).'
              : 'The security level could not be read.') + dma,
      });
    }
    out.push({
      id: `tb-deauth:${d.domain}`,
      area: 'thunderbolt',
      severity: d.deauthorization ? 'ok' : 'info',
      title: d.deauthorization
        ? `${d.domain}: the tunnel can be dropped before unplugging`
        : `${d.domain}: no de-authorization support`,
      detail: d.deauthorization
        ? 'Eject can de-authorize the enclosure, so the PCIe tunnel is gone before the cable is.'
        : 'Eject still removes the GPU from the PCI bus; the Thunderbolt tunnel stays until the cable is pulled.',
    });
  }
  out.push(
    boltFinding(
      f,
      domains.some((d) => d.security === 'user' || d.security === 'secure'),
    ),
  );
  return out;
}

const octal = (m: number | null): string => (m === null ? '?' : `0${m.toString(8)}`);

/**
 * How to put the helper and the policy in place from a source checkout: what the deb/rpm
 * after-install script does (assets/packaging/install-helper.sh), with the checkout's files —
 * the helper bundle `npm run build` writes (scripts/build-helper.mjs) and the policy in
 * assets/polkit/. A copy, not a link: pkexec looks the action up by the program's real path.
 */
export function checkoutInstall(checkout: string, what: 'helper' | 'policy'): string {
  return what === 'helper'
    ? `From this checkout (${checkout}): run \`npm run build\`, then copy the helper (a copy, not a link: pkexec matches the real path): ` +
        `\`sudo install -D -m 0755 ${checkout}/dist/helper/egpu-guard-helper.cjs ${HELPER_INSTALL_PATH}\`. ` +
        'It runs with /usr/bin/node: a Node installed elsewhere (nvm) needs a link there.'
    : `From this checkout (${checkout}): ` +
        `\`sudo install -D -m 0644 ${checkout}/assets/polkit/io.github.egpuguard.policy ${POLICY_INSTALL_PATH}\``;
}

function helperFinding(h: FileProbe, checkout: string | null): DoctorFinding {
  const base = { id: 'helper', area: 'privileges' as const };
  const fail = (title: string, detail: string, fix: string): DoctorFinding => ({
    ...base,
    severity: 'problem',
    title,
    detail,
    fix,
  });
  if (!h.exists) {
    return fail(
      `The eGPU Guard helper is not installed at ${HELPER_INSTALL_PATH}`,
      'Eject, recover and the display-manager restart run through it (via pkexec); without it they cannot run.',
      checkout !== null
        ? checkoutInstall(checkout, 'helper')
        : 'Install eGPU Guard from its package, which puts the helper and the polkit policy in place.',
    );
  }
  if (h.kind === 'symlink') {
    return fail(
      `${HELPER_INSTALL_PATH} is a symbolic link`,
      `pkexec resolves the program’s real path (${h.realPath ?? 'unresolvable'}) and looks the polkit action up by it, so the eGPU Guard actions never match.`,
      `Install the helper itself at ${HELPER_INSTALL_PATH}, not a link.`,
    );
  }
  if (h.uid !== 0 || ((h.mode ?? 0) & 0o022) !== 0) {
    return fail(
      `${HELPER_INSTALL_PATH} can be changed by someone other than root (owner uid ${h.uid ?? '?'}, mode ${octal(h.mode)})`,
      'The helper runs as root: whoever can change it can run anything as root.',
      `sudo chown root:root ${HELPER_INSTALL_PATH} && sudo chmod 0755 ${HELPER_INSTALL_PATH}`,
    );
  }
  if (((h.mode ?? 0) & 0o111) === 0) {
    return fail(
      `${HELPER_INSTALL_PATH} is not executable (mode ${octal(h.mode)})`,
      'pkexec cannot run it.',
      `sudo chmod 0755 ${HELPER_INSTALL_PATH}`,
    );
  }
  return {
    ...base,
    severity: 'ok',
    title: `The helper is installed at ${HELPER_INSTALL_PATH}`,
    detail: `Owned by root, mode ${octal(h.mode)}.`,
  };
}

function policyFinding(p: DoctorFacts['polkit'], checkout: string | null): DoctorFinding {
  const base = { id: 'polkit-policy', area: 'privileges' as const };
  if (!p.policy.exists) {
    return {
      ...base,
      severity: 'problem',
      title: 'The eGPU Guard polkit policy is not installed',
      detail: `${POLICY_INSTALL_PATH} is missing: pkexec would fall back to its generic action or refuse.`,
      fix:
        checkout !== null
          ? checkoutInstall(checkout, 'policy')
          : 'Install eGPU Guard from its package (assets/polkit/io.github.egpuguard.policy goes to /usr/share/polkit-1/actions/).',
    };
  }
  const wrong = (p.policyExecPaths ?? []).filter((x) => x !== HELPER_INSTALL_PATH);
  if (p.policyExecPaths === null || p.policyExecPaths.length === 0 || wrong.length > 0) {
    return {
      ...base,
      severity: 'warning',
      title: 'The polkit policy names another helper path',
      detail: `Its exec.path is ${wrong[0] ?? 'missing'}, the helper is at ${HELPER_INSTALL_PATH}: pkexec then uses its generic action, which asks for the admin password at every step.`,
      fix: 'Reinstall eGPU Guard so the policy and the helper come from the same version.',
    };
  }
  if (p.policyMissingVerbs.length > 0) {
    return {
      ...base,
      severity: 'warning',
      title: 'The installed polkit policy is out of date',
      detail: `It has no action for: ${p.policyMissingVerbs.join(', ')}. Those steps fall back to pkexec’s generic action (admin password every time).`,
      fix: 'Reinstall eGPU Guard so the policy matches the helper.',
    };
  }
  return {
    ...base,
    severity: 'ok',
    title: 'The polkit policy is installed',
    detail: POLICY_INSTALL_PATH,
  };
}

function pkexecFinding(p: FileProbe): DoctorFinding {
  const base = { id: 'pkexec', area: 'privileges' as const };
  if (!p.exists) {
    return {
      ...base,
      severity: 'problem',
      title: `pkexec is not installed (${PKEXEC_PATH})`,
      detail: 'eGPU Guard asks for administrator rights through pkexec.',
      fix: 'Install it: `sudo apt install pkexec` (Debian 12; polkitd comes with it).',
    };
  }
  if (p.uid !== 0 || ((p.mode ?? 0) & 0o4000) === 0) {
    return {
      ...base,
      severity: 'problem',
      title: 'pkexec is not setuid root',
      detail: `${PKEXEC_PATH}: owner uid ${p.uid ?? '?'}, mode ${octal(p.mode)} — it cannot become root (a nosuid mount, a container, or a broken package).`,
      fix: 'Reinstall pkexec; inside Flatpak or a container eGPU Guard cannot act as root.',
    };
  }
  return {
    ...base,
    severity: 'ok',
    title: 'pkexec is installed (setuid root)',
    detail: PKEXEC_PATH,
  };
}

function agentFinding(f: DoctorFacts): DoctorFinding {
  const base = { id: 'polkit-agent', area: 'privileges' as const };
  const graphical = f.session.type === 'wayland' || f.session.type === 'x11';
  const guess =
    'This is a guess from process names; agents register with polkitd, which only polkitd can list.';
  if (f.agents.length > 0) {
    const names = [...new Set(f.agents.map((a) => a.name))].join(', ');
    return {
      ...base,
      severity: 'ok',
      title: `A polkit agent seems to run (${names})`,
      detail: guess,
    };
  }
  return {
    ...base,
    severity: graphical ? 'warning' : 'info',
    title: 'No polkit authentication agent was found',
    // Outside a desktop session pkexec in a terminal asks for the password itself (its own text
    // agent, pkexec(1)): only steps started from the window, the tray or the service need one.
    detail: graphical
      ? `Without one, pkexec cannot ask for a password from the desktop ("No authentication agent found") and privileged steps fail. ${guess}`
      : `In a terminal pkexec asks for the password itself; steps started from the eGPU Guard window, the tray or the session service need an agent of the desktop, and fail without one ("No authentication agent found"). ${guess}`,
    fix: 'GNOME, KDE and Cinnamon bring one. On sway, Hyprland and other window managers start one with the session, e.g. `/usr/lib/policykit-1-gnome/polkit-gnome-authentication-agent-1`, `lxpolkit` or `hyprpolkitagent`.',
  };
}

export function privilegeChecks(f: DoctorFacts): DoctorFinding[] {
  return [
    helperFinding(f.polkit.helper, f.checkout ?? null),
    policyFinding(f.polkit, f.checkout ?? null),
    pkexecFinding(f.polkit.pkexec),
    agentFinding(f),
  ];
}

export function desktopTrayCheck(f: DoctorFacts): DoctorFinding {
  const t = f.tray;
  const base = { id: 'tray', area: 'desktop' as const };
  if (!t.checked)
    return { ...base, severity: 'info', title: 'Tray: not checked', detail: t.reason };
  if (t.host) {
    return {
      ...base,
      severity: 'ok',
      title: 'A tray (StatusNotifier host) is there',
      detail: 'The eGPU Guard icon can show in the panel.',
    };
  }
  return {
    ...base,
    severity: 'warning',
    title: t.watcher
      ? 'A StatusNotifier watcher runs, but no panel shows tray icons'
      : 'No tray: nothing owns org.kde.StatusNotifierWatcher',
    detail: 'The eGPU Guard icon cannot show; the app opens its window instead.',
    fix: 'GNOME: install and enable the AppIndicator extension (`sudo apt install gnome-shell-extension-appindicator`). sway/Hyprland: use a bar with a tray (waybar with its "tray" module).',
  };
}
