// "Start at login": an XDG autostart entry, $XDG_CONFIG_HOME/autostart/egpu-guard.desktop
// (XDG Autostart spec; Desktop Entry spec for the Exec quoting). Pure text and decisions here;
// the file itself goes through the small AutostartFs port (autostart-fs.ts), so tests use a
// temporary folder.

import * as nodePath from 'node:path';
import { ok, type Result } from '../../main/common/result.js';

export const AUTOSTART_FILE = 'egpu-guard.desktop';

/** Started from the autostart entry: stay in the tray, do not open the window. */
export const HIDDEN_FLAG = '--hidden';

export type AutostartFs = {
  /** The file's text; ok(null) when it does not exist, an error when it cannot be read. */
  readText(path: string): Result<string | null>;
  /** Writes the whole file, creating its folder. */
  writeText(path: string, text: string): Result<void>;
  /** Removes the file; a missing file is fine. */
  remove(path: string): Result<void>;
};

/** XDG_CONFIG_HOME must be absolute to count (Base Directory spec); else ~/.config. */
export function autostartPath(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && nodePath.isAbsolute(xdg) ? xdg : nodePath.join(home, '.config');
  return nodePath.join(base, 'autostart', AUTOSTART_FILE);
}

/** Characters that force quoting of an Exec argument (Desktop Entry spec, "The Exec key"). */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One Exec argument. Inside double quotes `"`, `` ` ``, `$` and `\` take a backslash; then the
 * whole value is a desktop-file string, where a backslash is itself written `\\`. `%` starts a
 * field code, so a literal one is `%%`.
 */
export function quoteExecArg(arg: string): string {
  const percent = arg.replace(/%/g, '%%');
  if (percent !== '' && !RESERVED.test(percent)) return percent;
  const inner = percent.replace(/["`$\\]/g, (c) => `\\${c}`);
  return `"${inner}"`.replace(/\\/g, '\\\\');
}

export function autostartEntry(exec: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=eGPU Guard',
    'Comment=Watch external GPUs and eject them safely',
    `Exec=${exec.map(quoteExecArg).join(' ')}`,
    'Icon=egpu-guard',
    'Terminal=false',
    'Categories=System;HardwareSettings;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * An entry starts the app unless it is hidden or switched off (GNOME's key; the spec's Hidden).
 * Keys are read from the [Desktop Entry] group only.
 */
export function isAutostartEnabled(text: string | null): boolean {
  if (text === null) return false;
  let group = '';
  let sawEntry = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      group = line;
      sawEntry ||= group === '[Desktop Entry]';
      continue;
    }
    if (group !== '[Desktop Entry]') continue;
    if (/^Hidden\s*=\s*true$/i.test(line)) return false;
    if (/^X-GNOME-Autostart-enabled\s*=\s*false$/i.test(line)) return false;
  }
  return sawEntry;
}

export type ExecContext = {
  /** Set by the AppImage runtime: the .AppImage file, which survives updates of the mount. */
  readonly appImage: string | undefined;
  readonly execPath: string;
  readonly isPackaged: boolean;
  /** The app folder Electron was given (development: `electron .`). */
  readonly appPath: string;
};

/** How to start this very installation at login. */
export function autostartExec(ctx: ExecContext): string[] {
  if (ctx.appImage !== undefined && ctx.appImage !== '') return [ctx.appImage, HIDDEN_FLAG];
  if (ctx.isPackaged) return [ctx.execPath, HIDDEN_FLAG];
  return [ctx.execPath, ctx.appPath, HIDDEN_FLAG];
}

export type Autostart = {
  /** null when the entry cannot be read (the menu item is then disabled). */
  enabled(): boolean | null;
  set(on: boolean): Result<void>;
};

export function createAutostart(options: {
  readonly fs: AutostartFs;
  readonly path: string;
  readonly exec: readonly string[];
}): Autostart {
  return {
    enabled() {
      const r = options.fs.readText(options.path);
      return r.ok ? isAutostartEnabled(r.value) : null;
    },
    set(on) {
      if (!on) return options.fs.remove(options.path);
      const r = options.fs.writeText(options.path, autostartEntry(options.exec));
      return r.ok ? ok(undefined) : r;
    },
  };
}
