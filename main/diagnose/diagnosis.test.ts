// Incidents: grouping by device, address-less GPU events, ordering, headline, next steps and
// the text `egpu explain` prints.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyRecords, type LocatedEvent } from './classify.js';
import { diagnose, formatDiagnosis } from './diagnosis.js';
import { wrapText } from '../common/text-wrap.js';
import { describeLines } from './diagnosis-format.js';
import { readLogRecords } from './log-reader.js';

const eventsOf = (lines: string[]): LocatedEvent[] =>
  classifyRecords(readLogRecords(lines.join('\n')));

const CASE_046 = [
  '[  239.061387] NVRM: Xid (PCI:0000:06:00): 79, GPU has fallen off the bus.',
  '[  239.061389] NVRM: GPU at 0000:06:00.0 has fallen off the bus.',
  '[  240.209498] NVRM: Attempting to remove minor device 0 with non-zero usage count!',
  '[  253.765969] pcieport 0000:00:1c.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)',
  '[  253.841064] pcieport 0000:02:02.0: Refused to change power state, currently in D3',
];

describe('diagnose', () => {
  it('does not contradict itself: "reset the GPU" and never "nothing to do" (logcorpus case-022)', () => {
    const log = readFileSync(
      path.join(
        path.dirname(fileURLToPath(import.meta.url)),
        'fixtures/logcorpus/case-022/input.log',
      ),
      'utf8',
    );
    const d = diagnose(classifyRecords(readLogRecords(log)));
    const steps = d.incidents[0]!.nextSteps;
    expect(steps[0]).toMatch(/^Reset the GPU/);
    expect(steps.some((s) => s.includes('Nothing to do'))).toBe(false);
    expect(steps.at(-1)).toMatch(/^If it repeats, check the connection: reseat or replace/);
  });

  it('an SD card reader or a network card gets its own advice: no GPU, enclosure or egpu recover', () => {
    const d = diagnose(
      eventsOf([
        '[ 5000.100001] sdhci-pci 0000:2f:00.0: Unable to change power state from D3cold to D0, device inaccessible',
        '[ 5000.100002] sdhci-pci 0000:2f:00.0: Refused to change power state from D3hot to D0',
        '[ 5100.200001] pcieport 0000:00:1c.0: Refused to change power state, currently in D3',
      ]),
    );
    const reader = d.incidents.find((i) => i.device.label === 'sdhci-pci 0000:2f:00.0')!;
    expect(reader.nextSteps.length).toBeGreaterThan(0);
    for (const step of reader.nextSteps) {
      expect(step).not.toMatch(/GPU|egpu recover|egpu clients|Reconnect the enclosure/);
    }
    expect(reader.nextSteps.join(' ')).toMatch(
      /If this device is in a dock or an external enclosure/,
    );
    // A bridge port is on an eGPU's path: its advice stays the eGPU's.
    const port = d.incidents.find((i) => i.device.label === 'pcieport 0000:00:1c.0')!;
    expect(port.nextSteps.join(' ')).not.toMatch(/If this device is in a dock/);
  });

  it('groups by device and attaches an address-less NVIDIA event to the one NVIDIA GPU', () => {
    const d = diagnose(eventsOf(CASE_046), { lineCount: 5 });
    expect(d.incidents.map((i) => [i.device.label, i.events.map((e) => e.line)])).toStrictEqual([
      ['GPU 0000:06:00.0 (NVIDIA)', [1, 2, 3]],
      ['pcieport 0000:00:1c.0', [4]],
      ['pcieport 0000:02:02.0', [5]],
    ]);
    const gpu = d.incidents[0]!;
    expect(gpu).toMatchObject({
      level: 'critical',
      needs: 'reboot',
      headline: 'Xid 79: GPU has fallen off the bus',
    });
    expect(gpu.findings.find((f) => f.title.startsWith('Driver waiting'))?.inferred).toBe(1);
    // Xid 79 and "fell off the bus" say the same thing once; the blocked remove adds its own.
    expect(gpu.meanings).toHaveLength(2);
    expect(gpu.nextSteps[0]).toContain('egpu clients');
    expect(gpu.nextSteps.some((s) => s.includes('cable'))).toBe(true);
    expect(d.level).toBe('critical');
    expect(d.summary).toBe(
      '5 events on 3 devices in 5 lines. Most serious (critical): Xid 79: GPU has fallen off the bus — GPU 0000:06:00.0 (NVIDIA).',
    );
  });

  it('calls a device a GPU when its own prefix names a GPU driver', () => {
    const d = diagnose(
      eventsOf(['nvidia 0000:03:00.0: Refused to change power state, currently in D3']),
    );
    expect(d.incidents[0]!.device).toMatchObject({
      label: 'GPU 0000:03:00.0 (NVIDIA)',
      role: 'gpu',
      vendor: 'nvidia',
    });
  });

  it('keeps address-less events apart when two GPUs of that vendor are named', () => {
    const d = diagnose(
      eventsOf([
        'NVRM: Xid (PCI:0000:06:00): 13, pid=1, name=a, x',
        'NVRM: Xid (PCI:0000:07:00): 13, pid=1, name=a, x',
        'NVRM: Attempting to remove minor device 1 with non-zero usage count!',
      ]),
    );
    expect(d.incidents.map((i) => i.device.label)).toStrictEqual([
      'GPU 0000:06:00.0 (NVIDIA)',
      'GPU 0000:07:00.0 (NVIDIA)',
      'NVIDIA GPU (address not in the log)',
    ]);
  });

  it('groups Thunderbolt events by router and other address-less events as unknown', () => {
    const d = diagnose(
      eventsOf([
        'thunderbolt 0-1: new device found, vendor=0x8 device=0x38',
        'pciDriver - wait_for_clients: waiting for completion. user_refcount = 1',
        'thunderbolt 0-1: device disconnected',
      ]),
    );
    expect(d.incidents.map((i) => [i.device.key, i.device.label, i.events.length])).toStrictEqual([
      ['tb:0-1', 'Thunderbolt device 0-1', 2],
      ['unknown', 'Unknown device', 1],
    ]);
  });

  it('heads an incident with its most telling finding, not its first', () => {
    const d = diagnose(
      eventsOf([
        '[drm:amdgpu_dm_commit_planes [amdgpu]] *ERROR* Waiting for fences timed out!',
        '[drm:amdgpu_job_timedout [amdgpu]] *ERROR* ring gfx_0.0.0 timeout, signaled seq=1, emitted seq=2',
        'amdgpu 0000:03:00.0: amdgpu: GPU reset begin!',
      ]),
    );
    expect(d.incidents).toHaveLength(1);
    expect(d.incidents[0]).toMatchObject({
      headline: 'GPU hang',
      device: { label: 'GPU 0000:03:00.0 (AMD)' },
    });
  });

  it('says to reboot first when Xid 154 says so, and names the device in the rescan step', () => {
    const d = diagnose(
      eventsOf([
        'NVRM: Xid (PCI:0000:01:00): 119, pid=1, name=x, Timeout',
        'NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)',
        "nvidia 0000:01:00.0: can't change power state from D3cold to D0 (config space inaccessible)",
      ]),
    );
    const steps = d.incidents[0]!.nextSteps;
    expect(steps[0]).toMatch(/^Save your work and reboot/);
    expect(steps.some((s) => s.includes('`egpu recover 0000:01:00.0 --dry-run`'))).toBe(true);
  });

  it('names no address in commands for a bridge port', () => {
    const d = diagnose(
      eventsOf([
        "pcieport 0000:02:00.0: can't change power state from D3cold to D0 (config space inaccessible)",
      ]),
    );
    expect(d.incidents[0]!.nextSteps.some((s) => s.includes('`egpu recover --dry-run`'))).toBe(
      true,
    );
  });

  it('calls many corrected errors on one port a marginal link', () => {
    const line = 'pcieport 0000:00:03.1: PCIe Bus Error: severity=Corrected, type=Data Link Layer';
    const d = diagnose(eventsOf(Array<string>(6).fill(line)));
    expect(d.incidents[0]!.findings[0]!.lines).toStrictEqual([1, 2, 3, 4, 5, 6]);
    expect(d.incidents[0]!.nextSteps.at(-1)).toContain('6 corrected PCIe errors');
  });

  it('has nothing to say about a clean log', () => {
    const d = diagnose([], { lineCount: 15 });
    expect(d).toMatchObject({ incidents: [], level: 'ok', needs: 'nothing' });
    expect(formatDiagnosis(d)).toBe('No GPU or PCIe trouble found in 15 lines.\n');
  });
});

describe('formatDiagnosis', () => {
  it('prints per device what was seen, what it means, what to do, then the summary', () => {
    const text = formatDiagnosis(diagnose(eventsOf(CASE_046), { lineCount: 5 }));
    expect(text).toContain('GPU 0000:06:00.0 (NVIDIA) — critical, lines 1–3\n');
    expect(text).toContain('  ✗ Xid 79: GPU has fallen off the bus (line 1)\n');
    expect(text).toContain(
      '  ✗ Driver waiting for programs to let go (line 3; the line names no address)',
    );
    expect(text).toContain('  What it means:\n');
    expect(text).toContain('  What to do next:\n    1. Run `egpu clients`');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^5 events on 3 devices in 5 lines\./);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(140);
  });

  it('does not repeat identical advice for a cascade of dead ports', () => {
    const d = diagnose(
      eventsOf(
        ['03:04.0', '03:03.0', '03:02.0'].map(
          (a) =>
            `pcieport 0000:${a}: can't change power state from D3cold to D0 (config space inaccessible)`,
        ),
      ),
    );
    const text = formatDiagnosis(d);
    expect(text.match(/What to do next/g)).toHaveLength(1);
    expect(
      text.match(/Same meaning and next steps as for pcieport 0000:03:04.0 above\./g),
    ).toHaveLength(2);
  });

  it('wraps and lists lines compactly', () => {
    expect(wrapText('aa bb cc', 6, '  ')).toStrictEqual(['  aa', '  bb', '  cc']);
    // A command in backticks stays on one line, so it can be copied.
    expect(wrapText('Run `sudo modprobe -r nvidia_drm`, then replug.', 20, '')).toStrictEqual([
      'Run',
      '`sudo modprobe -r nvidia_drm`,',
      'then replug.',
    ]);
    expect(describeLines([3])).toBe('line 3');
    expect(describeLines([3, 4])).toBe('lines 3, 4');
    expect(describeLines([1, 2, 3, 4, 9])).toBe('5 times, lines 1–9');
  });
});
