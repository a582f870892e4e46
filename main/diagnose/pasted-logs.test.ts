// Kernel logs as people paste them into mail, Markdown or forums: indented by a few spaces or a
// tab (whole blocks or some lines), records a mail client wrapped in two, and PCI domains with 5
// hex digits (Intel VMD). Both paths (line by line and fast scan) must agree on each.

import { describe, expect, it } from 'vitest';
import { classifyRecords } from './classify.js';
import { readLogRecords } from './log-reader.js';
import { scanLogBytes } from './log-scan.js';

/** [line, kind, bdf] of each event, checked equal through both paths. */
function events(log: string): [number, string, string | null][] {
  const slow = classifyRecords(readLogRecords(log));
  const fast = classifyRecords(scanLogBytes(new TextEncoder().encode(log)).records);
  expect(fast).toStrictEqual(slow);
  return slow.map((e) => [e.line, e.kind, e.bdf]);
}

const DMESG = [
  '[  190.090902] pcieport 0000:05:01.0: pciehp: Slot(1): Card not present',
  '[  191.762638] thunderbolt 0-1: new device found, vendor=0x108 device=0x1630',
  '[  191.762641] thunderbolt 0-1: Lenovo ThinkPad Thunderbolt 3 Dock',
  '[  251.188680] sdhci-pci 0000:2f:00.0: Unable to change power state from D3cold to D0, device inaccessible',
];
const EXPECTED: [number, string, string | null][] = [
  [1, 'pcie-link-down', '0000:05:01.0'],
  [2, 'tb-connected', null],
  [4, 'pci-config-dead', '0000:2f:00.0'],
];

describe('indented pastes', () => {
  for (const [name, indent] of [
    ['two spaces', '  '],
    ['four spaces', '    '],
    ['a tab', '\t'],
  ] as const) {
    it(`reads a block indented by ${name} like the plain log`, () => {
      expect(events(DMESG.map((l) => indent + l).join('\n'))).toStrictEqual(EXPECTED);
    });
  }

  it('does not take an indented record for the continuation of an unindented one', () => {
    const log = [DMESG[0], `  ${DMESG[1]}`, DMESG[2], `\t${DMESG[3]}`].join('\n');
    expect(events(log)).toStrictEqual(EXPECTED);
  });

  it('keeps bare (unstamped) lines with a device prefix apart when only some are indented', () => {
    const log = [
      'pcieport 0000:00:1c.0: AER: Multiple Uncorrected (Fatal) error received: 0000:00:1c.0',
      '  pcieport 0000:00:1c.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Requester ID)',
      '  thunderbolt 0-1: device disconnected',
    ].join('\n');
    expect(events(log)).toStrictEqual([
      [2, 'pcie-aer', '0000:00:1c.0'],
      [3, 'tb-disconnected', null],
    ]);
  });

  it('still joins real continuation lines under an indented record', () => {
    const log = [
      '    [ 1843.308145] NVRM: The NVIDIA GPU 0000:b3:00.0',
      '                   NVRM: (PCI ID: 10de:26b5) installed in this system has',
      '                   NVRM: fallen off the bus and is not responding to commands.',
      '    [ 1843.439662] NVRM: The NVIDIA probe routine failed for 1 device(s).',
    ].join('\n');
    expect(readLogRecords(log).map((r) => r.line)).toStrictEqual([1, 4]);
    expect(events(log)).toStrictEqual([[1, 'gpu-fell-off-bus', '0000:b3:00.0']]);
  });

  it('reads indented journalctl and grep lines', () => {
    const log = [
      '  Mar 05 10:00:01 host kernel: pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
      '\t/var/log/kern.log:Mar 05 10:00:02 host kernel: thunderbolt 0-3: device disconnected',
    ].join('\n');
    expect(events(log)).toStrictEqual([
      [1, 'pcie-link-down', '0000:00:07.0'],
      [2, 'tb-disconnected', null],
    ]);
  });
});

describe('records a mail client wrapped in two', () => {
  it('joins each known split and keeps the first line number', () => {
    const log = [
      "[ 6176.462281] nouveau 0000:01:00.0: can't change power state from",
      'D3cold to D0 (config space inaccessible)',
      '[   56.209438] pcieport 0000:00:01.1: AER: PCIe Bus Error: ',
      'severity=Uncorrected (Fatal), type=Transaction Layer, (Requester ID)',
      '[   86.085523] pcieport 0000:01:00.0: Unable to change power state from D3cold',
      'to D0, device inaccessible',
      '[   56.140541] pcieport 0000:01:00.0: Refused to change power state, ',
      'currently in D3',
      '[  216.640452] pcieport 0000:a9:10.0: PCIe Bus Error: severity=Uncorrected ',
      '(Fatal), type=Transaction Layer, (Receiver ID)',
      '[  251.188524] vfio-pci 0000:2f:00.0: not ready 65535ms after resume; ',
      'giving up',
      "[60528.348661] pcieport 0000:04:00.0: can't change power state from",
      'unknown to D0 (config space inaccessible)',
    ].join('\n');
    expect(events(log)).toStrictEqual([
      [1, 'pci-config-dead', '0000:01:00.0'],
      [3, 'pcie-aer', '0000:00:01.1'],
      [5, 'pci-config-dead', '0000:01:00.0'],
      [7, 'power-state-stuck', '0000:01:00.0'],
      [9, 'pcie-aer', '0000:a9:10.0'],
      [11, 'power-state-stuck', '0000:2f:00.0'],
      [13, 'pci-config-dead', '0000:04:00.0'],
    ]);
    const aer = classifyRecords(readLogRecords(log)).filter((e) => e.kind === 'pcie-aer');
    expect(aer.map((e) => e.severity)).toStrictEqual(['fatal', 'fatal']);
    expect(aer[0]!.text).toBe(
      'pcieport 0000:00:01.1: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Requester ID)',
    );
  });

  it('joins a split in an indented paste too', () => {
    const log = [
      "  [ 6176.462281] nouveau 0000:01:00.0: can't change power state from",
      '  D3cold to D0 (config space inaccessible)',
    ].join('\n');
    expect(events(log)).toStrictEqual([[1, 'pci-config-dead', '0000:01:00.0']]);
  });

  it('leaves other unstamped lines alone', () => {
    const log = [
      "[ 1.0] nouveau 0000:01:00.0: can't change power state from",
      '[ 1.1] D3cold to D0 (config space inaccessible)',
      '[ 2.0] pcieport 0000:00:01.1: AER: PCIe Bus Error:',
      '',
      'severity=Corrected, type=Physical Layer',
      '[ 3.0] usb 1-1: device descriptor read/64, error -71',
      'Dell Inc. XPS 13',
    ].join('\n');
    expect(readLogRecords(log).map((r) => r.line)).toStrictEqual([1, 2, 3, 5, 6, 7]);
  });
});

describe('5-hex-digit PCI domains (Intel VMD)', () => {
  it('keeps the bdf of a device behind VMD', () => {
    const log = [
      '[  538.014678] pcieport 10001:80:02.0: pciehp: Slot(77): Link Down',
      '[  538.100000] pcieport 10001:80:02.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)',
      '[  539.000000] NVRM: Xid (PCI:10001:81:00): 79, pid=1234, GPU has fallen off the bus.',
      '[  539.100000] NVRM: GPU at 10001:81:00.0 has fallen off the bus.',
      '[  539.200000] nvme 1000A:01:00.0: Unable to change power state from D3cold to D0, device inaccessible',
    ].join('\n');
    expect(events(log)).toStrictEqual([
      [1, 'pcie-link-down', '10001:80:02.0'],
      [2, 'pcie-aer', '10001:80:02.0'],
      [3, 'gpu-fell-off-bus', '10001:81:00.0'],
      [4, 'gpu-fell-off-bus', '10001:81:00.0'],
      [5, 'pci-config-dead', '1000a:01:00.0'],
    ]);
  });
});
