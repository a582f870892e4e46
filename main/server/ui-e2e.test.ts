// End to end in a real browser: browser mode as a child process — over the scripted FakeCore
// (test-only, see ui-process.ts) for the same story every run, and `egpu ui` on a live sysroot —
// Debian Chromium through playwright-core, the built renderer under its CSP. Clicks through the
// fake core's eject flow, checks keyboard use and axe-core (no serious or critical violations,
// light and dark), and saves screenshots to .bench/screenshots/ (git-ignored).

import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasChromium,
  launchChromium,
  runAxe,
  saveScreenshot,
  seriousOnly,
  watchPageErrors,
} from './test/browser.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { makeSysroot } from '../sim/sysroot-fixture.js';
import { ensureRendererBuilt } from './test/renderer-build.js';
import { startFakeUiProcess, startUiProcess, type UiProcess } from './test/ui-process.js';

const NAME = 'NVIDIA GeForce RTX 3070';

let browser: Browser;

beforeAll(async () => {
  await ensureRendererBuilt();
  browser = await launchChromium();
}, 120_000);

afterAll(() => browser?.close());

async function openWindow(ui: UiProcess, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(ui.url);
  await page.getByRole('heading', { name: NAME }).waitFor();
  return { page, errors, context };
}

const expectAccessible = async (page: Page, where: string) => {
  const violations = seriousOnly(await runAxe(page));
  expect(violations, `${where}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
};

describe.runIf(hasChromium())('status window in Chromium', () => {
  it('ejects the eGPU: plan with a blocker, agree, progress, "Safe to unplug"', async () => {
    const ui = await startFakeUiProcess();
    const { page, errors, context } = await openWindow(ui);
    try {
      const card = page.getByRole('article', { name: NAME });
      await expect.poll(() => card.locator('.badge[data-state]').textContent()).toBe('In use');
      await expectAccessible(page, 'status, light');
      await saveScreenshot(page, 'status-light');

      await page.getByRole('button', { name: `Safely eject ${NAME}` }).click();
      const dialog = page.getByRole('dialog', { name: `Safely eject ${NAME}` });
      await dialog.getByText('ollama (pid 4242) uses it for compute (CUDA).').waitFor();
      expect(await dialog.getByRole('button', { name: 'Eject now' }).isDisabled()).toBe(true);
      await expectAccessible(page, 'eject plan');
      await saveScreenshot(page, 'eject-plan-light');

      await dialog.getByRole('checkbox', { name: /Close ollama first/ }).check();
      await dialog.getByRole('button', { name: 'Eject now' }).click();
      await dialog
        .getByRole('status')
        .filter({ hasText: /^Step \d of 6/ })
        .waitFor();
      const result = dialog.locator('[data-result="safe-to-unplug"]');
      await result.waitFor({ timeout: 10_000 });
      expect(await result.getAttribute('role')).toBe('status');
      expect(await result.textContent()).toContain('Safe to unplug');
      await expectAccessible(page, 'eject result');
      await saveScreenshot(page, 'eject-result-light');

      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect
        .poll(() => card.locator('.badge[data-state]').textContent())
        .toBe('Safe to unplug');
      // The eject button is gone with the GPU: focus lands on the GPU list, not on <body>.
      expect(await page.locator(':focus').getAttribute('id')).toBe('gpus-title');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await ui.stop();
    }
  });

  it('works from the keyboard: dialogs trap focus, Escape closes and focus returns', async () => {
    const ui = await startFakeUiProcess();
    const { page, errors, context } = await openWindow(ui);
    try {
      const close = page.getByRole('button', { name: 'Close ollama (pid 4242)' });
      await close.focus();
      expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe(
        'solid',
      );
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Close ollama?' });
      await dialog.waitFor();
      const focused = async () => (await page.locator(':focus').textContent())?.trim();
      expect(await focused()).toBe('Cancel');
      for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
      expect(await dialog.locator(':focus').count()).toBe(1);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(focused).toBe('Close ollama (pid 4242)');
      // Everything behind an open dialog is inert: no click gets through.
      await close.press('Enter');
      await dialog.waitFor();
      expect(await page.locator('.page').getAttribute('inert')).not.toBeNull();
      await page.keyboard.press('Escape');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await ui.stop();
    }
  });

  it('demo: yank the cable, see the incident, recover after re-plug; dark mode is accessible', async () => {
    const ui = await startFakeUiProcess();
    const { page, errors, context } = await openWindow(ui, 'dark');
    try {
      const demo = page.getByRole('region', { name: 'Simulation' });
      await demo.getByRole('button', { name: 'Yank the cable' }).click();
      const incident = page.getByRole('article', { name: `${NAME} unplugged while in use` });
      await incident.waitFor();
      expect(await incident.getByText(/Xid \(PCI:0000:0a:00\): 79/).count()).toBe(1);
      await expectAccessible(page, 'incident, dark');
      await saveScreenshot(page, 'incident-dark');

      await demo.getByRole('button', { name: 'Plug in the enclosure' }).click();
      await page.getByRole('button', { name: `Recover ${NAME}` }).click();
      const dialog = page.getByRole('dialog', { name: `Recover ${NAME}` });
      await dialog.locator('summary', { hasText: 'Details' }).click();
      await dialog.getByText('egpu-guard-helper tb-authorize 0-1').waitFor();
      await expectAccessible(page, 'recover plan, dark');
      await saveScreenshot(page, 'recover-plan-dark');
      await dialog.getByRole('button', { name: 'Run recovery' }).click();
      await dialog.locator('[data-result="recovered"]').waitFor({ timeout: 10_000 });
      await saveScreenshot(page, 'recover-result-dark');
      await dialog.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'Show options for this desktop' }).click();
      await page.locator('summary', { hasText: /^Other ways/ }).click();
      await page.getByText('systemctl restart gdm').waitFor();
      await expectAccessible(page, 'status with advice, dark');
      await saveScreenshot(page, 'status-dark');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await ui.stop();
    }
  });

  it('live mode: the real core over a sysroot, and a kernel line that becomes an incident', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    const udev = f.host('/udev.log');
    const kern = f.host('/kern.log');
    fs.writeFileSync(udev, '');
    fs.writeFileSync(kern, '');
    const ui = await startUiProcess([
      '--root',
      f.dir,
      '--udev-log',
      udev,
      '--kernel-log',
      kern,
      '--no-dbus',
    ]);
    const { page, errors, context } = await openWindow(ui);
    try {
      const card = page.getByRole('article', { name: NAME });
      expect(await card.getByText(/External · Razer Core X/).count()).toBe(1);
      expect(await page.getByRole('region', { name: 'Simulation' }).count()).toBe(0);
      fs.appendFileSync(
        kern,
        "[ 5012.345678] NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.\n",
      );
      const incidents = page.getByRole('region', { name: 'Incidents' });
      const incident = incidents.getByRole('article').first();
      await incident.waitFor({ timeout: 10_000 });
      expect(await incident.getByText(/GPU has fallen off the bus/).count()).toBeGreaterThan(0);
      expect(await incident.getByRole('heading', { name: 'What it means' }).count()).toBe(1);
      await expectAccessible(page, 'live incident');
      await saveScreenshot(page, 'live-incident-light');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await ui.stop();
      f.cleanup();
    }
  });
});
