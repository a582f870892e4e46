// The documented API is the served one: every Manager member and every state key a caller can
// receive is in docs/dbus-api.md, and the error names follow the documented pattern.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GPU_STATES, type Departure, type GpuEntry } from '../common/snapshot.js';
import { gpuWords } from '../common/gpu-words.js';
import { errorName } from './bus-service.js';
import { MANAGER, apiXml } from './interface-spec.js';
import { parseEjectOptions } from './manager-values.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const doc = fs.readFileSync(path.join(ROOT, 'docs/dbus-api.md'), 'utf8');

describe('io.github.EgpuGuard1 as documented', () => {
  it('docs/dbus-api.md names every Manager method, signal and property', () => {
    for (const m of [...MANAGER.methods, ...MANAGER.signals, ...MANAGER.properties])
      expect(doc, m.name).toContain(`\`${m.name}`);
  });

  it('docs/dbus-api.md lists every state key a GPU dict can carry', () => {
    const keys = new Set<string>();
    const departures: (Departure | null)[] = [null, 'safe-eject', 'surprise', 'fell-off-bus'];
    for (const state of GPU_STATES)
      for (const departure of departures)
        for (const clients of [null, [], [{ pid: 1, comm: 'x' }]])
          for (const unplugWarnings of [undefined, ['a drive stays']])
            keys.add(
              gpuWords({
                state,
                departure,
                external: true,
                enclosure: null,
                clients: clients as GpuEntry['clients'],
                clientsAt: 0,
                ...(unplugWarnings === undefined ? {} : { unplugWarnings }),
              }).key,
            );
    for (const key of keys) expect(doc, key).toContain(`\`${key}\``);
  });

  it('error names: InvalidArgs for bad input, io.github.EgpuGuard1.Error.* otherwise', () => {
    expect(errorName('invalid-input')).toBe('org.freedesktop.DBus.Error.InvalidArgs');
    expect(errorName('not-found')).toBe('io.github.EgpuGuard1.Error.NotFound');
    expect(errorName('already-running')).toBe('io.github.EgpuGuard1.Error.AlreadyRunning');
  });

  it('Eject options: typed, unknown keys refused, force implies closing apps', () => {
    expect(parseEjectOptions({})).toEqual({
      ok: true,
      value: { closeApps: false, closePids: [], force: false },
    });
    expect(parseEjectOptions({ force: true })).toMatchObject({ value: { closeApps: true } });
    expect(parseEjectOptions({ close_app: true })).toMatchObject({ ok: false });
    expect(parseEjectOptions({ close_apps: 1 })).toMatchObject({ ok: false });
    expect(parseEjectOptions({ close_pids: [0] })).toMatchObject({ ok: false });
  });

  it('the introspection XML is well formed enough for gdbus: one node, balanced tags', () => {
    const xml = apiXml();
    expect(xml.match(/<interface /g)).toHaveLength(2);
    expect(xml.match(/<method /g)?.length).toBe(xml.match(/<\/method>/g)?.length);
  });
});
