// Raw source events → facts for the state machine. Pure: what needs the file system (the
// ejecting flag, pciehp's presence detect, a router's unique_id) is read by the core for the one
// device an event names (`factSubject`) and comes in as data (`FactContext`).

import type { KernelEvent } from '../common/kernel-events.js';
import { isBdf } from '../common/pci.js';
import type { Evidence } from '../common/snapshot.js';
import { classifyMessage } from '../diagnose/classify.js';
import type { SourceEvent, UdevEvent } from '../common/source-events.js';
import type { Fact } from './facts.js';

/** How the core reads the machine for the device an event names (live-core.ts). */
export type FactLookups = {
  /** Is an eject of this GPU under way (announced by `egpu eject` or the app)? */
  ejecting(bdf: string): boolean;
  /** What that eject's plan said must happen before the unplug (a drive stays connected). */
  unplugWarnings(bdf: string): readonly string[];
  /** pciehp presence detect of the slot above a (just removed) device: false = empty slot. */
  cardPresent(bdf: string): boolean | null;
  /** unique_id of a Thunderbolt router, remembered from the last inventory. */
  routerUniqueId(router: string): string | null;
};

/** What was read about the device an event names, as data; defaults where it names none. */
export type FactContext = {
  readonly ejecting: boolean;
  readonly unplugWarnings: readonly string[];
  readonly cardPresent: boolean | null;
  readonly routerUniqueId: string | null;
};

const NO_CONTEXT: FactContext = {
  ejecting: false,
  unplugWarnings: [],
  cardPresent: null,
  routerUniqueId: null,
};

/** The device whose facts an event needs read: a removed PCI device, or a Thunderbolt router. */
export function factSubject(
  e: SourceEvent,
): { readonly bdf: string } | { readonly router: string } | null {
  if (e.source !== 'udev') return null;
  if (e.subsystem === 'pci' && e.action === 'remove') {
    const bdf = bdfOfDevpath(e.devpath);
    return bdf === null ? null : { bdf };
  }
  if (e.subsystem === 'thunderbolt' && e.properties['DEVTYPE'] === 'thunderbolt_device')
    return { router: e.devpath.split('/').pop() ?? '' };
  return null;
}

/** Reads the context of an event through the lookups (the only I/O, done by the caller). */
export function readFactContext(e: SourceEvent, look: FactLookups): FactContext {
  const s = factSubject(e);
  if (s === null) return NO_CONTEXT;
  if ('router' in s) return { ...NO_CONTEXT, routerUniqueId: look.routerUniqueId(s.router) };
  return {
    ...NO_CONTEXT,
    ejecting: look.ejecting(s.bdf),
    unplugWarnings: look.unplugWarnings(s.bdf),
    cardPresent: look.cardPresent(s.bdf),
  };
}

export type Built = { readonly facts: Fact[]; readonly reconcile: boolean };

const NONE: Built = { facts: [], reconcile: false };

/** The PCI address a devpath ends in (pci) or hangs under (drm): /devices/…/0000:06:00.0/drm/card1 */
export function bdfOfDevpath(devpath: string): string | null {
  const parts = devpath.split('/').filter(isBdf);
  return parts[parts.length - 1] ?? null;
}

const udevText = (e: UdevEvent): string => {
  const name = e.devpath.split('/').pop() ?? e.devpath;
  const extra = e.properties['WEDGED']
    ? ` WEDGED=${e.properties['WEDGED']}`
    : e.properties['AUTHORIZED']
      ? ` AUTHORIZED=${e.properties['AUTHORIZED']}`
      : '';
  return `udev ${e.action} ${e.subsystem} ${name}${extra}`;
};

function fromUdev(e: UdevEvent, at: number, ctx: FactContext): Built {
  const evidence: Evidence = { at, source: 'udev', text: udevText(e) };
  if (e.subsystem === 'pci') {
    const bdf = bdfOfDevpath(e.devpath);
    if (bdf === null || bdf !== e.devpath.split('/').pop()) return NONE;
    if (e.action === 'remove') {
      return {
        facts: [
          {
            type: 'pci-removed',
            at,
            bdf,
            evidence,
            ejecting: ctx.ejecting,
            unplugWarnings: ctx.unplugWarnings,
            cardPresent: ctx.cardPresent,
          },
        ],
        reconcile: true,
      };
    }
    if (e.action === 'unbind')
      return { facts: [{ type: 'pci-unbound', at, bdf, evidence }], reconcile: true };
    return { facts: [], reconcile: true };
  }
  if (e.subsystem === 'drm') {
    const wedged = e.properties['WEDGED'];
    if (e.action === 'change' && wedged !== undefined) {
      return {
        facts: [{ type: 'drm-wedged', at, bdf: bdfOfDevpath(e.devpath), method: wedged, evidence }],
        reconcile: true,
      };
    }
    // HOTPLUG=1 is a connector re-probe: nothing about the GPU itself changed.
    return { facts: [], reconcile: e.action === 'add' || e.action === 'remove' };
  }
  if (e.subsystem === 'thunderbolt' && e.properties['DEVTYPE'] === 'thunderbolt_device') {
    const router = e.devpath.split('/').pop() ?? '';
    const uniqueId = ctx.routerUniqueId;
    const change =
      e.action === 'add'
        ? 'added'
        : e.action === 'remove'
          ? 'removed'
          : e.action === 'change' && e.properties['AUTHORIZED'] === '0'
            ? 'deauthorized'
            : e.action === 'change' && e.properties['AUTHORIZED'] !== undefined
              ? 'authorized'
              : null;
    if (change === null) return NONE;
    return {
      facts: [{ type: 'tb-router', at, router, uniqueId, change, evidence }],
      reconcile: true,
    };
  }
  return NONE;
}

export function kernelFact(event: KernelEvent, message: string, at: number): Fact {
  return {
    type: 'kernel',
    at,
    event,
    evidence: { at, source: 'kernel', text: message.split('\n')[0] ?? message, kernel: event },
  };
}

export function buildFacts(e: SourceEvent, at: number, ctx: FactContext = NO_CONTEXT): Built {
  switch (e.source) {
    case 'udev':
      return fromUdev(e, at, ctx);
    case 'kernel': {
      const k = classifyMessage(e.message);
      return k === null ? NONE : { facts: [kernelFact(k, e.message, at)], reconcile: true };
    }
    case 'bolt': {
      if (e.type === 'snapshot') return { facts: [], reconcile: true };
      const d = e.device;
      const evidence: Evidence = {
        at,
        source: 'bolt',
        text: `bolt: ${d.name || d.uid} ${e.type === 'device-removed' ? 'removed' : d.status}`,
      };
      const change =
        e.type === 'device-removed' || d.status === 'disconnected'
          ? 'disconnected'
          : d.status === 'authorized' || d.status.startsWith('authorized')
            ? 'authorized'
            : d.status === 'connected'
              ? 'added'
              : null;
      if (change === null) return NONE;
      return {
        facts: [{ type: 'tb-router', at, router: null, uniqueId: d.uid, change, evidence }],
        reconcile: true,
      };
    }
    case 'logind':
      return { facts: [{ type: 'sleep', at, start: e.start }], reconcile: false };
    case 'switcheroo':
      return { facts: [], reconcile: true };
    case 'status':
      return {
        facts: [
          {
            type: 'source',
            at,
            name: e.name,
            state: e.state,
            detail: e.detail,
            ...(e.via === undefined ? {} : { via: e.via }),
          },
        ],
        reconcile: false,
      };
  }
}
