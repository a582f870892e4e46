// NVIDIA's /proc/driver/nvidia files, parsed. Pure and total.
//
// version, first line, two flavours (NVIDIA's README "Open Linux Kernel Modules"):
//   NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.154.05  Thu Dec 28 15:37:48 UTC 2023
//   NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build  (…)
// params: one `Name: value` a line (PreserveVideoMemoryAllocations: 0, …).

export type NvidiaVersion = {
  readonly line: string;
  readonly flavor: 'open' | 'proprietary' | null;
  readonly version: string | null;
};

export function parseNvidiaVersion(text: string): NvidiaVersion | null {
  const line = text.split('\n').find((l) => l.startsWith('NVRM version:'));
  if (line === undefined) return null;
  const flavor = /Open Kernel Module/i.test(line)
    ? 'open'
    : /Kernel Module/i.test(line)
      ? 'proprietary'
      : null;
  const m = /\s(\d{3,}\.\d+(?:\.\d+)?)\s/.exec(`${line} `);
  return { line: line.trim().slice(0, 300), flavor, version: m ? m[1]! : null };
}

export function parseNvidiaParams(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const l of text.split('\n').slice(0, 1000)) {
    const m = /^([A-Za-z][A-Za-z0-9_]{0,80}):\s*(.{0,300}?)\s*$/.exec(l);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** 'major.minor' of a kernel release ('6.12.0-egpu-sim' → [6, 12]); null when unparsable. */
export function parseKernelRelease(text: string | null): readonly [number, number] | null {
  const m = text === null ? null : /^(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}
