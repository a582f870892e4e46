// Test support: udevadm-monitor transcripts — the recorded fixtures under
// main/sources/fixtures/udev/, a formatter that writes blocks exactly as udevadm prints them, and
// a file that grows while a follower replays it "as if live".

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const UDEV_FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/udev',
);

export const UDEV_BANNER =
  'monitor will print the received events for:\nUDEV - the event which udev sends out after rule processing\n\n';

export type TranscriptBlock = {
  readonly origin?: 'UDEV' | 'KERNEL';
  /** Header timestamp in µs. */
  readonly monitorUs?: number;
  readonly action: string;
  readonly devpath: string;
  readonly subsystem: string;
  /** Printed after ACTION, DEVPATH and SUBSYSTEM. */
  readonly properties?: Readonly<Record<string, string>>;
};

export const readUdevFixture = (name: string): string =>
  fs.readFileSync(path.join(UDEV_FIXTURES, name), 'utf8');

/** One block as `printf("%-6s[%lu.%06lu] %-8s %s (%s)\n", …)` + KEY=VALUE lines + blank line. */
export function formatUdevBlock(b: TranscriptBlock): string {
  const us = b.monitorUs ?? 1_000_000;
  const stamp = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
  const head = `${(b.origin ?? 'UDEV').padEnd(6)}[${stamp}] ${b.action.padEnd(8)} ${b.devpath} (${b.subsystem})`;
  const props = [
    `ACTION=${b.action}`,
    `DEVPATH=${b.devpath}`,
    `SUBSYSTEM=${b.subsystem}`,
    ...Object.entries(b.properties ?? {}).map(([k, v]) => `${k}=${v}`),
  ];
  return [head, ...props, '', ''].join('\n');
}

/** The banner and the event blocks of a transcript, each block with its blank line. */
export function splitTranscript(text: string): { banner: string; blocks: string[] } {
  const parts = text.split(/\n\n/);
  const blocks: string[] = [];
  let banner = '';
  for (const p of parts) {
    if (p.trim() === '') continue;
    if (p.startsWith('monitor will print')) banner += `${p}\n\n`;
    else blocks.push(`${p}\n\n`);
  }
  return { banner, blocks };
}

export type GrowingFile = {
  readonly path: string;
  append(text: string): void;
};

/** A transcript file a follower can watch; each append is one write(2). */
export function createGrowingFile(dir: string, name = 'udev.log', initial = ''): GrowingFile {
  const file = path.join(dir, name);
  fs.writeFileSync(file, initial);
  return {
    path: file,
    append: (text) => fs.appendFileSync(file, text),
  };
}
