// The doctor's parsers and redaction: examples, and fast-check properties that any input gives
// data or null, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClientsReport } from '../../common/clients-model.js';
import { parseSessionProperties } from '../compositor/logind-session.js';
import { prettyName } from './gather.js';
import { kernelLogFromJournalJson } from './kernel-log.js';
import { parseKernelRelease, parseNvidiaParams, parseNvidiaVersion } from './nvidia-proc.js';
import { createRedactor } from './redact.js';
import { NV_OPEN, NV_PROPRIETARY } from './test/doctor-fixture.js';

describe('NVIDIA /proc files', () => {
  it('tells the open modules from the proprietary one', () => {
    expect(parseNvidiaVersion(`${NV_PROPRIETARY}\nGCC version: 12\n`)).toEqual({
      line: NV_PROPRIETARY,
      flavor: 'proprietary',
      version: '535.154.05',
    });
    expect(parseNvidiaVersion(NV_OPEN)).toMatchObject({ flavor: 'open', version: '550.54.14' });
    expect(parseNvidiaVersion('GCC version: 12')).toBeNull();
  });

  it('reads params as name → value', () => {
    expect(
      parseNvidiaParams(
        'ResmanDebugLevel: 4294967295\nPreserveVideoMemoryAllocations: 1\n  junk\n',
      ),
    ).toEqual({ ResmanDebugLevel: '4294967295', PreserveVideoMemoryAllocations: '1' });
  });

  it('kernel releases and os-release names', () => {
    expect(parseKernelRelease('6.12.0-egpu-sim\n')).toEqual([6, 12]);
    expect(parseKernelRelease('5.4')).toEqual([5, 4]);
    expect(parseKernelRelease('linux')).toBeNull();
    expect(prettyName('NAME=x\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(prettyName("PRETTY_NAME='Arch Linux'")).toBe('Arch Linux');
    expect(prettyName('PRETTY_NAME=""')).toBeNull();
  });

  it('are total (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        parseNvidiaVersion(s);
        parseNvidiaParams(s);
        parseKernelRelease(s);
        prettyName(s);
        parseSessionProperties(s);
      }),
    );
    fc.assert(fc.property(fc.anything(), (v) => void parseSessionProperties(v)));
  });
});

describe('kernel messages from journalctl -o json', () => {
  const line = (message: unknown, us = '1750000000000000'): string =>
    JSON.stringify({ MESSAGE: message, __REALTIME_TIMESTAMP: us, _TRANSPORT: 'kernel' });

  it('classifies, numbers kernel messages in order, keeps the lines behind events', () => {
    const out = kernelLogFromJournalJson(
      [
        line('Linux version 6.12'),
        'not json',
        line('NVRM: Xid (PCI:0000:0a:00): 79, pid=1234, name=ollama, GPU has fallen off the bus.'),
        line([
          116, 104, 117, 110, 100, 101, 114, 98, 111, 108, 116, 32, 48, 45, 49, 58, 32, 100, 101,
          118, 105, 99, 101, 32, 100, 105, 115, 99, 111, 110, 110, 101, 99, 116, 101, 100,
        ]),
        '',
      ].join('\n'),
      'journalctl -k -o json',
    );
    expect(out.count).toBe(3);
    expect(out.source).toBe('journalctl -k -o json (3 kernel messages)');
    expect([...out.lines.keys()]).toEqual([2, 3]);
    expect(out.lines.get(3)).toEqual({
      text: 'thunderbolt 0-1: device disconnected',
      time: '2025-06-15T15:06:40.000Z',
    });
    expect(out.diagnosis?.incidents.map((i) => i.device.key)).toEqual([
      'pci:0000:0a:00.0',
      'tb:0-1',
    ]);
  });

  it('is total (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.json(), fc.constant(line(null, '99999999999999999999999'))),
          { maxLength: 20 },
        ),
        (lines) => {
          const r = kernelLogFromJournalJson(lines.join('\n'), 'x');
          expect(r.count).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('redaction', () => {
  it('hides unique IDs, user names, home folders and arguments, consistently', () => {
    const r = createRedactor();
    const clients: ClientsReport = {
      clients: [
        {
          pid: 1,
          comm: 'python3',
          cmdline: '/home/alice/venv/bin/python3 /home/alice/secret/train.py --token=abc',
          uid: 1000,
          user: 'alice',
          gpu: '0000:0a:00.0',
          nodes: ['/dev/nvidia0'],
          via: ['fd'],
          role: 'compute',
        },
        {
          pid: 2,
          comm: 'Xorg',
          cmdline: '/usr/lib/xorg/Xorg',
          uid: 0,
          user: 'root',
          gpu: null,
          nodes: [],
          via: ['fd'],
          role: 'x-server',
        },
      ],
      uninspectable: 0,
      vanished: 0,
      scanned: 2,
    };
    const c = r.clients(clients);
    expect(c.clients.map((x) => [x.user, x.cmdline])).toEqual([
      ['<user-1>', '/home/<user>/venv/bin/python3 …'],
      ['root', '/usr/lib/xorg/Xorg'],
    ]);
    const inv = r.inventory({
      gpus: [],
      modules: [],
      problems: [],
      thunderbolt: [
        {
          domain: 'domain0',
          security: 'user',
          deauthorization: true,
          iommuDmaProtection: null,
          hostInterface: null,
          routers: [
            {
              router: '0-1',
              host: false,
              vendorId: null,
              vendorName: null,
              deviceId: null,
              deviceName: null,
              authorized: 1,
              uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
              generation: 3,
            },
          ],
        },
      ],
    });
    expect(inv.thunderbolt[0]?.routers[0]?.uniqueId).toBe('<unique-id-1>');
    expect(r.text('boltctl info dc010000-0000-8508-a22d-32ca6421cb16; see /home/bob/log.txt')).toBe(
      'boltctl info <unique-id-1>; see /home/<user>/log.txt',
    );
  });
});
