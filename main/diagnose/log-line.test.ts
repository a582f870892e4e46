// One test per line format users paste (dmesg(1), journalctl(1), rsyslog, grep), plus the
// lines that must not be mistaken for a prefix.

import { describe, expect, it } from 'vitest';
import { parseLogLine, stripLogPrefix, type LineFormat } from './log-line.js';

const MSG = 'pcieport 0000:00:1c.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer';

function text(line: string): { message: string; format: LineFormat; stamped: boolean } {
  const info = parseLogLine(line);
  if (info.shape !== 'text') throw new Error(`not a text line: ${info.shape}`);
  return { message: info.message, format: info.format, stamped: info.stamped };
}

describe('parseLogLine: formats', () => {
  const cases: [string, string, LineFormat][] = [
    ['raw dmesg', `[ 1234.567890] ${MSG}`, 'dmesg'],
    ['raw dmesg, big uptime', `[127033.279654] ${MSG}`, 'dmesg'],
    ['dmesg -d (delta)', `[ 1234.567890 <    0.000123>] ${MSG}`, 'dmesg'],
    ['dmesg --time-format=delta', `[<    0.000123>] ${MSG}`, 'dmesg'],
    ['/dev/kmsg record', `6,5123,8123401991,-;${MSG}`, 'kmsg'],
    ['RFC 5424 syslog', `<4>1 2024-05-01T10:00:00.123+02:00 host kernel - - - ${MSG}`, 'rfc5424'],
    ['RFC 5424 with data', `<4>1 2024-05-01T10:00:00Z h kernel - - [x@1 a="b"] ${MSG}`, 'rfc5424'],
    ['/dev/kmsg record with caller', `3,77,1234,c,caller=T12;${MSG}`, 'kmsg'],
    ['dmesg with caller id', `[    1.000000] [    T1] ${MSG}`, 'dmesg'],
    ['dmesg -r priority', `<3>[    1.000000] ${MSG}`, 'dmesg'],
    ['dmesg -x facility', `kern  :err   : [    1.000000] ${MSG}`, 'dmesg'],
    ['dmesg -T English', `[Thu May 17 15:09:35 2018] ${MSG}`, 'dmesg-ctime'],
    ['dmesg -T German', `[Do Dez 12 10:00:00 2019] ${MSG}`, 'dmesg-ctime'],
    ['dmesg -T Portuguese', `[Ter Set 10 22:39:31 2024] ${MSG}`, 'dmesg-ctime'],
    ['dmesg -T Japanese', `[木  5月 17 15:09:35 2018] ${MSG}`, 'dmesg-ctime'],
    ['dmesg -H minute', `[apr18 16:58] ${MSG}`, 'dmesg-relative'],
    ['dmesg -H delta, decimal comma', `[  +0,000010] ${MSG}`, 'dmesg-relative'],
    ['dmesg -H delta', `[  +0.000844] ${MSG}`, 'dmesg-relative'],
    ['dmesg --time-format=iso', `2024-05-01T10:00:00,123456+02:00 ${MSG}`, 'dmesg-iso'],
    ['journalctl short with host', `Sep 19 16:18:02 bubz kernel: ${MSG}`, 'syslog'],
    ['journalctl short, one-digit day', `Apr  9 12:59:18 host kernel: ${MSG}`, 'syslog'],
    ['journalctl without hostname', `Feb  2 08:03:20 kernel: ${MSG}`, 'syslog'],
    ['journalctl Russian', `фев 12 10:00:00 myhost kernel: ${MSG}`, 'syslog'],
    ['journalctl Polish', `kwi 15 07:56:59 testowy kernel: ${MSG}`, 'syslog'],
    ['journalctl French', `avril 15 07:56:59 hote kernel: ${MSG}`, 'syslog'],
    ['journalctl French abbreviation', `févr. 15 07:56:59 hote kernel: ${MSG}`, 'syslog'],
    ['journalctl Chinese', `5月 17 15:09:35 主机 kernel: ${MSG}`, 'syslog'],
    ['journalctl -o short-precise', `Feb 02 08:03:20.123456 host kernel: ${MSG}`, 'syslog'],
    ['syslog with embedded stamp', `Sep 19 16:18:02 bubz kernel: [68183.615790] ${MSG}`, 'syslog'],
    ['kernel tag with pid', `Sep 19 16:18:02 bubz kernel[0]: ${MSG}`, 'syslog'],
    ['time only', `22:39:31 kernel: ${MSG}`, 'time-only'],
    ['journalctl -o short-iso', `2024-05-01T10:00:00+0200 host kernel: ${MSG}`, 'iso'],
    [
      'journalctl -o short-iso-precise',
      `2024-05-01T10:00:00.123456+02:00 host kernel: ${MSG}`,
      'iso',
    ],
    ['rsyslog RFC 3339', `2024-05-01T10:00:00.123456Z host kernel: ${MSG}`, 'iso'],
    ['journalctl -o short-full', `Wed 2024-05-01 10:00:00 CEST host kernel: ${MSG}`, 'iso'],
    ['journalctl -o short-unix', `1714550400.123456 host kernel: ${MSG}`, 'unix'],
    ['journalctl -o short-monotonic', `[ 1234.567890] host kernel: ${MSG}`, 'dmesg'],
    ['grep -r syslog', `/var/log/syslog:Apr  9 12:59:18 host kernel: [1.5] ${MSG}`, 'syslog'],
    ['grep rotated file', `kern.log.1:Apr  9 12:59:18 host kernel: ${MSG}`, 'syslog'],
    ['grep -n', `./dmesg.txt:12:[ 1234.567890] ${MSG}`, 'dmesg'],
    ['zgrep', `/var/log/kern.log.2.gz:[ 1234.567890] ${MSG}`, 'dmesg'],
  ];
  for (const [name, line, format] of cases) {
    it(name, () => {
      expect(text(line)).toStrictEqual({ message: MSG, format, stamped: true });
    });
  }

  it('a bare line keeps its text and its indentation', () => {
    expect(parseLogLine(` ${MSG}`)).toStrictEqual({
      shape: 'text',
      message: MSG,
      stamped: false,
      indent: 1,
      format: 'bare',
      stamp: null,
    });
  });

  it('tabs count to the next multiple of 8 columns', () => {
    const info = parseLogLine('\t  NVRM: x');
    expect(info.shape === 'text' && info.indent).toBe(10);
  });

  it('a grep-prefixed continuation line is measured after the prefix', () => {
    const info = parseLogLine('/var/log/kern.log:               NVRM: fallen off the bus');
    expect(info).toMatchObject({ shape: 'text', stamped: false, indent: 15 });
  });

  it('keeps the tag of other programs out of the message (libvirt in syslog)', () => {
    expect(
      text("May  1 10:00:00 host libvirtd[1234]: error : Unknown PCI header type '127'").message,
    ).toBe("error : Unknown PCI header type '127'");
  });

  it('blank, whitespace-only and elision lines are blank', () => {
    for (const l of ['', '   ', '\t', '...', '…', '[...]', '  ....  ']) {
      expect(parseLogLine(l)).toStrictEqual({ shape: 'blank' });
    }
  });

  it('JSON objects (and json-seq records) are recognised, indented or not', () => {
    expect(parseLogLine('{"MESSAGE":"x"}')).toStrictEqual({
      shape: 'json',
      json: '{"MESSAGE":"x"}',
    });
    expect(parseLogLine('  {"a":1}  ')).toStrictEqual({ shape: 'json', json: '{"a":1}' });
    expect(parseLogLine('\u001e{"a":1}')).toStrictEqual({ shape: 'json', json: '{"a":1}' });
  });
});

describe('parseLogLine: message text that only looks like a prefix', () => {
  const kept = [
    'NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus.',
    'nvidia-modeset: ERROR: GPU:0: Failed to query display engine channel state',
    "x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'",
    '[drm:amdgpu_job_timedout [amdgpu]] *ERROR* ring gfx_0.0.0 timeout',
    '[drm] PCIE GART of 1024M enabled.',
    '[Firmware Bug]: TSC_DEADLINE disabled due to Errata',
    'usb 3-1: USB disconnect, device number 17',
    'thunderbolt 0-1: new device found, vendor=0x8 device=0x38',
    'Console: switching to colour frame buffer device 480x135',
    '   [12] Timeout',
  ];
  for (const line of kept) {
    it(line, () => {
      expect(text(`[ 1.000000] ${line}`).message).toBe(line.trim());
      expect(text(line)).toMatchObject({ message: line.trim(), stamped: false });
    });
  }
});

describe('stripLogPrefix', () => {
  it('gives the kernel message of any format, and nothing for blank lines', () => {
    expect(stripLogPrefix(`Apr  9 12:59:18 host kernel: [1.5] ${MSG}`)).toBe(MSG);
    expect(stripLogPrefix('   ')).toBe('');
  });
});
