// The Xid catalogue covers the reference table below (the Xids of NVIDIA's Xid Catalog,
// docs.nvidia.com/deploy/xid-errors, that an eGPU user meets), Xid 154 names its recovery action,
// and every event kind has a meaning and advice.

import { describe, expect, it } from 'vitest';
import { KERNEL_EVENT_KINDS, type KernelEvent } from '../common/kernel-events.js';
import { STEPS, STEP_TEXT, adviceText, orderSteps, stepText } from './advice-steps.js';
import { explainEvent } from './kind-catalogue.js';
import { KNOWN_XIDS, parseRecoveryAction, xidInfo } from './xid-catalogue.js';

const REFERENCE_TABLE = [
  8, 13, 31, 32, 43, 45, 46, 48, 61, 62, 63, 64, 69, 74, 79, 92, 94, 95, 109, 119, 120, 140, 143,
  154,
];

describe('Xid catalogue', () => {
  it('has every Xid of the reference table, with meaning and advice', () => {
    for (const xid of REFERENCE_TABLE) {
      expect(KNOWN_XIDS).toContain(xid);
      const info = xidInfo(xid);
      expect(info.meaning.length).toBeGreaterThan(20);
      expect(info.advice.length).toBeGreaterThan(20);
    }
  });

  it('treats 79 as the device-lost signal that needs a reboot', () => {
    expect(xidInfo(79)).toMatchObject({
      mnemonic: 'ROBUST_CHANNEL_GPU_HAS_FALLEN_OFF_THE_BUS',
      class: 'device-lost',
      needs: 'reboot',
    });
    expect(xidInfo(79).advice).toContain('cable');
  });

  it('gives unknown Xids a generic entry that points at NVIDIA’s catalogue', () => {
    const info = xidInfo(999);
    expect(info.title).toBe('Xid 999');
    expect(info.meaning).toContain('docs.nvidia.com/deploy/xid-errors');
  });
});

describe('Xid 154 recovery actions', () => {
  const cases: [string, string, string][] = [
    ['from 0x0 (None) to 0x2 (Node Reboot Required)', 'Node Reboot Required', 'reboot'],
    ['from 0x0 (None) to 0x1 (GPU Reset Required)', 'GPU Reset Required', 'reset-gpu'],
    ['from 0x0 (None) to 0x1 (PF FLR)', 'PF FLR', 'reset-gpu'],
    ['from 0x0 (None) to 0x3 (Drain and Reset)', 'Drain and Reset', 'reset-gpu'],
    ['from 0x2 (Node Reboot Required) to 0x0 (None)', 'None', 'nothing'],
  ];
  for (const [change, name, needs] of cases) {
    it(name, () => {
      const text = `NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed ${change}`;
      expect(parseRecoveryAction(text)).toMatchObject({ name, needs });
    });
  }

  it('tells the user to reboot when the driver says so', () => {
    const e: KernelEvent = {
      kind: 'gpu-xid',
      bdf: '0000:01:00.0',
      xid: 154,
      text: 'NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)',
    };
    expect(explainEvent(e)).toMatchObject({
      level: 'critical',
      needs: 'reboot',
      steps: ['reboot-now'],
    });
    expect(explainEvent(e).title).toContain('Node Reboot Required');
  });

  it('is null for other text', () => {
    expect(parseRecoveryAction('GPU recovery action changed')).toBeNull();
  });
});

describe('event kinds', () => {
  it('every kind and variant has a title, a meaning and steps', () => {
    const variants: KernelEvent[] = KERNEL_EVENT_KINDS.map((kind) => ({
      kind,
      bdf: null,
      text: '',
    }));
    variants.push(
      ...(['corrected', 'nonfatal', 'fatal'] as const).map((severity) => ({
        kind: 'pcie-aer' as const,
        bdf: null,
        severity,
        text: '',
      })),
      ...(['begin', 'success', 'failure'] as const).map((outcome) => ({
        kind: 'gpu-reset' as const,
        bdf: null,
        outcome,
        text: '',
      })),
    );
    for (const e of variants) {
      const x = explainEvent(e);
      expect(x.title.length).toBeGreaterThan(3);
      expect(x.meaning.length).toBeGreaterThan(20);
      expect(x.steps.length).toBeGreaterThan(0);
      expect(x.advice).toBe(adviceText(x.steps));
    }
  });

  it('driver-remove-blocked points at egpu clients', () => {
    const x = explainEvent({ kind: 'driver-remove-blocked', bdf: null, text: '' });
    expect(x.advice).toContain('egpu clients');
  });

  it('Xid 79 and "fell off the bus" share one topic (one meaning in an incident)', () => {
    const a = explainEvent({ kind: 'gpu-fell-off-bus', bdf: null, xid: 79, text: '' });
    const b = explainEvent({ kind: 'gpu-fell-off-bus', bdf: null, text: '' });
    expect(a.topic).toBe(b.topic);
  });
});

describe('advice steps', () => {
  it('have text and a fixed order', () => {
    for (const s of STEPS) {
      expect(STEP_TEXT[s].length).toBeGreaterThan(10);
      expect(STEP_TEXT[s]).not.toContain('<address>');
    }
    expect(stepText('rescan', '0000:06:00.0')).toContain('`egpu recover 0000:06:00.0 --dry-run`');
    expect(stepText('rescan')).toContain('`egpu recover --dry-run`');
    expect(orderSteps(['reconnect', 'reboot-now', 'reconnect'])).toStrictEqual([
      'reboot-now',
      'reconnect',
    ]);
  });

  it('never says "nothing to do" next to a step that asks for action now', () => {
    // logcorpus case-022: Xid 38 and Xid 109 on one GPU.
    expect(orderSteps(['reset-gpu', 'update-driver', 'check-link-if-repeats'])).toStrictEqual([
      'reset-gpu',
      'update-driver',
      'check-link-on-repeat',
    ]);
    expect(orderSteps(['check-link', 'check-link-if-repeats', 'look-around'])).toStrictEqual([
      'check-link',
    ]);
    expect(
      orderSteps(['reboot-now', 'check-link-if-unplanned', 'check-link-if-repeats']),
    ).toStrictEqual(['reboot-now', 'check-link-if-unplanned']);
    // Alone, or next to other "if it repeats" advice, the mild steps stay.
    expect(orderSteps(['check-link-if-repeats', 'look-around', 'update-driver'])).toStrictEqual([
      'update-driver',
      'check-link-if-repeats',
      'look-around',
    ]);
    for (const steps of [
      ['reset-gpu', 'check-link-if-repeats'],
      ['wait-reset', 'look-around'],
    ] as const) {
      expect(adviceText(steps)).not.toMatch(/Nothing to do/);
    }
  });
});
