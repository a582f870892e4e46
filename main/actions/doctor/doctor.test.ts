// Doctor findings on the simulated machines: facts gathered from real sysroot folders (and a real
// journal file), checks run, severities compared as tables. Variants of one machine: variants.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { SysrootFixture } from '../../sim/sysroot-fixture.js';
import { journalRemoteAvailable } from '../../sources/test/journal-builder.js';
import type { Severity } from './doctor-model.js';
import { runDoctorChecks } from './doctor.js';
import { gather, severities, sysrootPool, writeJournal } from './test/doctor-fixture.js';

const pool = sysrootPool();
afterEach(() => pool.cleanup());
const root = (name: string): SysrootFixture => pool.root(name);

const SCENARIO_ROWS: [string, Record<string, Severity | undefined>][] = [
  [
    'tb3-nvidia',
    {
      'driver:nvidia': 'warning', // version unknown: no /proc/driver/nvidia here
      'driver:i915': 'ok',
      'tb-security:domain0': 'ok',
      'tb-deauth:domain0': 'ok',
      bolt: 'info', // D-Bus not asked
      'link:0000:0a:00.0': 'ok',
      'runtime-pm:0000:0a:00.0': 'info',
      suspend: 'warning',
      'nvidia-suspend': 'info',
      'compositor-primary': 'ok',
      'no-egpu': undefined,
    },
  ],
  [
    'usb4-amd',
    {
      'driver:amdgpu': 'ok',
      'tb-security:domain0': 'ok',
      suspend: 'warning',
      'nvidia-suspend': undefined,
    },
  ],
  [
    'oculink-amd',
    {
      'link:0000:03:00.0': 'warning',
      thunderbolt: 'info',
      'driver:amdgpu': 'ok',
      suspend: 'warning',
    },
  ],
  [
    'desktop-single',
    {
      'no-egpu': 'info',
      suspend: undefined,
      'driver:amdgpu': 'ok',
      'compositor-primary': undefined,
    },
  ],
  ['suspended', { 'runtime-pm:0000:66:00.0': 'info', 'link:0000:66:00.0': 'info' }],
  ['fell-off-bus', { 'health:0000:0a:00.0': 'problem', 'link:0000:0a:00.0': undefined }],
  [
    'dgpu-nvidia-egpu',
    { 'driver:nvidia': 'warning', 'tb-security:domain0': 'ok', 'link:0000:01:00.0': 'ok' },
  ],
];

describe('doctor findings per scenario (sysroot, no D-Bus)', () => {
  it.each(SCENARIO_ROWS)('%s', async (name, expected) => {
    const { map } = await severities(root(name));
    for (const [id, sev] of Object.entries(expected)) expect(map[id], id).toBe(sev);
    // A bare sysroot has no helper, no policy, no pkexec: those are problems everywhere.
    expect(map['helper']).toBe('problem');
    expect(map['pkexec']).toBe('problem');
    expect(map['udevd']).toBe('warning');
    expect(map['kernel-log']).toBe('warning');
  });

  it('the suspended eGPU is reported asleep and never read', async () => {
    const f = root('suspended');
    const r = runDoctorChecks(await gather(f));
    const pm = r.findings.find((x) => x.id === 'runtime-pm:0000:66:00.0')!;
    expect(pm.title).toBe('eGPU 0000:66:00.0 is asleep (runtime-suspended, D3cold)');
    expect(pm.fix).toContain('amdgpu.runpm=0');
  });
});

describe.skipIf(!journalRemoteAvailable())(
  'the kernel log inside the root (real journal file)',
  () => {
    it('is read with journalctl -D; wake-up failures raise the runtime-PM finding', async () => {
      const f = root('suspended');
      await writeJournal(f, [
        'Linux version 6.12.0-egpu-sim',
        'amdgpu 0000:66:00.0: Unable to change power state from D3cold to D0, device inaccessible',
        'thunderbolt 0-1: device disconnected',
      ]);
      const facts = await gather(f);
      expect(facts.journal.journal).toEqual({ ok: true });
      expect(facts.journal.selector).toEqual(['-D', f.host('/var/log/journal'), '-k']);
      expect(facts.kernelLog.source).toMatch(
        /^journalctl -D .* -k -o json --no-pager -n 20000 \(3 kernel messages\)$/,
      );
      expect(facts.kernelLog.diagnosis?.incidents.map((i) => i.device.key)).toEqual([
        'pci:0000:66:00.0',
        'tb:0-1',
      ]);
      const r = runDoctorChecks(facts);
      const map = Object.fromEntries(r.findings.map((x) => [x.id, x.severity]));
      expect(map['kernel-log']).toBe('ok');
      expect(map['runtime-pm:0000:66:00.0']).toBe('warning');
      expect(r.findings.find((x) => x.id === 'runtime-pm:0000:66:00.0')?.detail).toMatch(
        /^The kernel log shows 1 failed wake-up of this device this boot\./,
      );
    });
  },
);
