// uid → user name from the target system's /etc/passwd (read under --root). NSS sources such as
// LDAP are not consulted: a name we cannot resolve is shown as the uid.

import type { SystemRoot } from '../../platform/system-root.js';

export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !out.has(Number(uid)))
      out.set(Number(uid), name);
  }
  return out;
}

export function readUsers(root: SystemRoot): Map<number, string> {
  const r = root.readText('/etc/passwd', 8 * 1024 * 1024);
  return r.ok ? parsePasswd(r.value) : new Map<number, string>();
}
