// What a bug report should not carry by default: Thunderbolt unique IDs (serial-like UUIDs that
// identify one enclosure and one laptop), user names, home folders and the arguments of the
// programs that hold a GPU (paths, tokens). Pure. Each secret becomes a stable placeholder, so a
// report still shows which entries are the same thing.

import type { ClientsReport } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';

export type Redactor = {
  inventory(inv: Inventory): Inventory;
  clients(report: ClientsReport): ClientsReport;
  /** Replaces every secret seen by inventory()/clients() and every /home/<name> in free text. */
  text(s: string): string;
};

export function createRedactor(): Redactor {
  const ids = new Map<string, string>();
  const users = new Map<string, string>();
  const idOf = (v: string): string => {
    let p = ids.get(v);
    if (p === undefined) {
      p = `<unique-id-${ids.size + 1}>`;
      ids.set(v, p);
    }
    return p;
  };
  const userOf = (v: string): string => {
    if (v === 'root') return v;
    let p = users.get(v);
    if (p === undefined) {
      p = `<user-${users.size + 1}>`;
      users.set(v, p);
    }
    return p;
  };
  return {
    inventory(inv) {
      return {
        ...inv,
        gpus: inv.gpus.map((g) =>
          g.enclosure
            ? { ...g, enclosure: { ...g.enclosure, uniqueId: idOf(g.enclosure.uniqueId) } }
            : g,
        ),
        thunderbolt: inv.thunderbolt.map((d) => ({
          ...d,
          routers: d.routers.map((r) =>
            r.uniqueId === null ? r : { ...r, uniqueId: idOf(r.uniqueId) },
          ),
        })),
      };
    },
    clients(report) {
      return {
        ...report,
        clients: report.clients.map((c) => {
          // The program, without its arguments (file names, URLs, tokens).
          const [program = c.comm, ...args] = c.cmdline.split(' ');
          return {
            ...c,
            user: c.user === null ? null : userOf(c.user),
            cmdline: `${program.replace(/^\/home\/[^/]+/, '/home/<user>')}${args.length > 0 ? ' …' : ''}`,
          };
        }),
      };
    },
    text(s) {
      let out = s.replace(/\/home\/[^/\s'"`)]+/g, '/home/<user>');
      for (const [secret, placeholder] of ids) out = out.replaceAll(secret, placeholder);
      return out;
    },
  };
}
