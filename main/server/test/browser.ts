// Test support: Debian's Chromium through playwright-core (never Playwright's own browser
// download), axe-core injected into the page, and screenshots in a git-ignored folder.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../cli/test/run-cli.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags docs/testing.md gives for a headless, offline, quiet Chromium. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = path.join(REPO_ROOT, '.bench/screenshots');

export const hasChromium = (): boolean => fs.existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export type AxeViolation = {
  readonly id: string;
  readonly impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly html: string }[];
};

const axeSource = (): string =>
  fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2.x A/AA rules) on the page as it is now. The script goes in through the
 * DevTools protocol, so the page's CSP (no inline scripts) stays on and is tested as shipped.
 */
export async function runAxe(page: Page): Promise<readonly AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded === 'undefined') await page.evaluate(axeSource());
  // A string, not a function: this file is type-checked without the DOM library.
  const options = JSON.stringify({
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  });
  const violations = await page.evaluate(`(async () => {
    const r = await window.axe.run(document, ${options});
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })),
    }));
  })()`);
  return violations as readonly AxeViolation[];
}

export const seriousOnly = (violations: readonly AxeViolation[]): readonly AxeViolation[] =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects console errors and page errors (a CSP violation shows up as a console error). */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
