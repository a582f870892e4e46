// Reads sysfs attributes through the SystemRoot and keeps a list of what could not be read.
// Missing optional attributes are normal (sysfs hides what does not apply) and are not problems;
// I/O errors (EIO, ENODEV from a device going away) and garbage are reported, never thrown.

import type { ReadProblem } from '../common/inventory-model.js';
import type { SystemRoot } from '../platform/system-root.js';

export class SysfsReader {
  readonly problems: ReadProblem[] = [];
  constructor(readonly root: SystemRoot) {}

  /** Trimmed text of an attribute, or null when absent or unreadable (the latter is recorded). */
  attr(path: string): string | null {
    // sysfs attributes are at most one page.
    const r = this.root.readText(path, 4096);
    if (r.ok) return r.value.replace(/\0+$/, '').trim();
    if (r.error.code !== 'not-found') this.report(path, r.error.message);
    return null;
  }

  /** A hexadecimal attribute such as `0x10de`; garbage is reported and gives null. */
  hex(path: string): number | null {
    const text = this.attr(path);
    if (text === null) return null;
    if (!/^0x[0-9a-f]+$/i.test(text)) {
      this.report(path, `unexpected content ${JSON.stringify(text.slice(0, 40))}`);
      return null;
    }
    return parseInt(text.slice(2), 16);
  }

  /** A decimal attribute; garbage is reported and gives null. */
  int(path: string): number | null {
    const text = this.attr(path);
    if (text === null) return null;
    if (!/^-?\d+$/.test(text)) {
      this.report(path, `unexpected content ${JSON.stringify(text.slice(0, 40))}`);
      return null;
    }
    return Number(text);
  }

  /** The last path component a symlink points to (driver links), or null. */
  linkName(path: string): string | null {
    const r = this.root.readLink(path);
    if (!r.ok) {
      if (r.error.code !== 'not-found') this.report(path, r.error.message);
      return null;
    }
    const name = r.value.split('/').filter(Boolean).pop();
    return name ?? null;
  }

  list(path: string): string[] {
    const r = this.root.list(path);
    if (r.ok) return r.value;
    if (r.error.code !== 'not-found') this.report(path, r.error.message);
    return [];
  }

  report(path: string, error: string): void {
    this.problems.push({ path, error });
  }
}
