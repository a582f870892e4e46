import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bdfFromDriPrime,
  boltDevicePath,
  environmentRecord,
  parseBoltDevice,
  parseSwitcherooGpus,
  splitAuthFlags,
} from './dbus-values.js';

describe('D-Bus value conversions', () => {
  it('derives the BDF from DRI_PRIME (udev ID_PATH_TAG)', () => {
    expect(bdfFromDriPrime('pci-0000_06_00_0')).toBe('0000:06:00.0');
    expect(bdfFromDriPrime('pci-0000_C4_00_1')).toBe('0000:c4:00.1');
    expect(bdfFromDriPrime('1')).toBeNull();
    expect(bdfFromDriPrime('pci-0000_06_00_8')).toBeNull();
  });

  it('splits AuthFlags and escapes uids the way bolt names its objects', () => {
    expect(splitAuthFlags('secure | boot')).toEqual(['secure', 'boot']);
    expect(splitAuthFlags('')).toEqual([]);
    expect(boltDevicePath('dc010000-0000-8508-a22d-32ca6421cb16')).toBe(
      '/org/freedesktop/bolt/devices/dc010000_0000_8508_a22d_32ca6421cb16',
    );
  });

  it('reads switcheroo GPUs tolerantly (unknown keys, odd environment lists, wrong types)', () => {
    expect(
      parseSwitcherooGpus([
        {
          Name: 'A',
          Environment: ['DRI_PRIME', 'pci-0000_66_00_0', 'DANGLING'],
          Default: false,
          Discrete: true,
        },
        { Name: 7, Environment: 'x' },
        'not a dict',
      ]),
    ).toEqual([
      {
        name: 'A',
        default: false,
        environment: { DRI_PRIME: 'pci-0000_66_00_0' },
        bdf: '0000:66:00.0',
      },
      { name: '', default: false, environment: {}, bdf: null },
    ]);
    expect(environmentRecord(['__proto__', 'x'])['__proto__']).toBe('x');
  });

  it('needs a Uid for a bolt device and ignores wrong types', () => {
    expect(parseBoltDevice({ Name: 'x' })).toBeNull();
    expect(parseBoltDevice({ Uid: 'u', Stored: 'yes', Generation: -1 })).toEqual({
      uid: 'u',
      name: '',
      vendor: '',
      type: '',
      status: '',
      authFlags: [],
      stored: false,
      policy: '',
      sysfsPath: '',
      domain: '',
    });
  });

  it('never throws on arbitrary values (fast-check)', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        parseBoltDevice(v);
        parseSwitcherooGpus(v);
        parseSwitcherooGpus([v]);
        environmentRecord(v);
      }),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void bdfFromDriPrime(s)));
  });
});
