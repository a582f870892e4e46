// The whole story against `npm run demo` (egpu ui --demo): the real core on a simulated machine
// (scenario sysroot + simulated kernel + a real process on the eGPU), in Debian Chromium:
// eGPU attached → an app using it listed → eject shows the blocker → closing the app → eject
// completes → "Safe to unplug" → a yanked cable shows the incident with its explanation → a fall
// off the bus shows the critical state. axe-core at every stop; screenshots saved (to
// EGPU_SCREENSHOT_DIR when set — `npm run screenshots` refreshes the README's images).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasChromium,
  launchChromium,
  runAxe,
  seriousOnly,
  watchPageErrors,
  SCREENSHOT_DIR,
} from './test/browser.js';
import { ensureRendererBuilt } from './test/renderer-build.js';
import { startUiProcess } from './test/ui-process.js';

const NAME = 'NVIDIA GeForce RTX 3070';
const SHOTS = process.env['EGPU_SCREENSHOT_DIR'] ?? SCREENSHOT_DIR;

let browser: Browser;
beforeAll(async () => {
  await ensureRendererBuilt();
  browser = await launchChromium();
}, 120_000);
afterAll(() => browser?.close());

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function accessible(page: Page, where: string): Promise<void> {
  const violations = seriousOnly(await runAxe(page));
  expect(violations, `${where}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe.runIf(hasChromium())('npm run demo, end to end', () => {
  it('in use → blocked eject → close the app → safe to unplug → unplug → re-plug → recover → yank in use → fall off the bus → honest recover → reconnect → recovered', async () => {
    const ui = await startUiProcess(['--demo']);
    const context = await browser.newContext({
      viewport: { width: 1100, height: 900 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    try {
      await page.goto(ui.url);
      const card = page.getByRole('article', { name: NAME });
      const badge = card.locator('.badge[data-state]');
      const demo = page.getByRole('region', { name: 'Simulation' });
      await card.waitFor({ timeout: 15_000 });
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Attached');
      expect(await demo.count()).toBe(1);

      // An app on the eGPU: a real process holding /dev/nvidia0, found by the client scan.
      await demo.getByRole('button', { name: 'Start an app on the eGPU' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('In use');
      await card.getByText('ollama').first().waitFor();
      await accessible(page, 'in use');
      await shot(page, 'demo-in-use');

      // The eject plan names the blocker in plain words; Eject now needs an explicit yes.
      await page.getByRole('button', { name: `Safely eject ${NAME}` }).click();
      const dialog = page.getByRole('dialog', { name: `Safely eject ${NAME}` });
      await dialog
        .getByText(/ollama \(pid \d+\) holds \/dev\/dri\/renderD129/)
        .waitFor({ timeout: 10_000 });
      expect(await dialog.getByRole('button', { name: 'Eject now' }).isDisabled()).toBe(true);
      await accessible(page, 'eject blocked');
      await shot(page, 'demo-eject-blocked');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // Close the app from its own Close button, with confirmation (SIGTERM).
      await card.getByRole('button', { name: /^Close ollama \(pid \d+\)$/ }).click();
      const confirm = page.getByRole('dialog', { name: 'Close ollama?' });
      await confirm.getByRole('button', { name: 'Close ollama' }).click();
      await confirm.waitFor({ state: 'detached', timeout: 10_000 });
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Attached');

      // Now the eject runs through the real helper and the simulated kernel.
      await page.getByRole('button', { name: `Safely eject ${NAME}` }).click();
      await dialog.getByRole('button', { name: 'Eject now' }).click();
      const result = dialog.locator('[data-result="safe-to-unplug"]');
      await result.waitFor({ timeout: 20_000 });
      expect(await result.textContent()).toContain('Safe to unplug');
      await accessible(page, 'safe to unplug');
      await shot(page, 'demo-safe-to-unplug');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Safe to unplug');
      // The tunnel eGPU Guard dropped itself is no problem to recover from: the card says what to
      // pull, nothing asks for an authorization, and Recover is not the next step.
      await card.getByText('Unplug the Razer Core X now.').waitFor();
      const words = async (): Promise<string> => (await page.locator('main').innerText()) ?? '';
      expect(await words()).not.toMatch(/not authorized|Authorize/);
      expect(await card.getByRole('button', { name: /^Recover/ }).count()).toBe(0);
      expect(await card.getByRole('button', { name: /^Use it again/ }).count()).toBe(1);

      // The user pulls the cable, as told: the end of the story, not an alarm.
      await demo.getByRole('button', { name: 'Yank the cable' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Unplugged');
      await card.getByText('Unplugged after a safe eject.').waitFor();
      await new Promise((r) => setTimeout(r, 1500)); // all cable evidence has arrived by now
      expect(await badge.textContent()).toBe('Unplugged');
      expect(await words()).not.toMatch(/while in use|Critical|crash|freeze/i);
      expect(await page.getByRole('article', { name: /unplugged while in use/ }).count()).toBe(0);
      await accessible(page, 'unplugged after a safe eject');
      await shot(page, 'demo-unplugged-after-eject');

      // Re-plug → Recover → attached, without a reset.
      await demo.getByRole('button', { name: 'Plug in the enclosure' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Connected');
      await card.getByRole('button', { name: `Recover ${NAME}` }).click();
      const recover = page.getByRole('dialog', { name: `Recover ${NAME}` });
      await recover.getByRole('button', { name: 'Run recovery' }).click();
      await recover.locator('[data-result="recovered"]').waitFor({ timeout: 20_000 });
      await recover.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Attached');

      // Yank while in use: the real alarm.
      await demo.getByRole('button', { name: 'Start an app on the eGPU' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('In use');
      await demo.getByRole('button', { name: 'Yank the cable' }).click();
      await expect
        .poll(() => badge.textContent(), { timeout: 10_000 })
        .toBe('Unplugged while in use');
      const incident = page.getByRole('article', { name: `${NAME} unplugged while in use` });
      await incident.waitFor({ timeout: 10_000 });
      await incident
        .getByText(/pciehp: Slot\(1\): Link Down|device disconnected/)
        .first()
        .waitFor();
      expect(await incident.getByRole('heading', { name: 'What it means' }).count()).toBe(1);
      await accessible(page, 'incident');
      await shot(page, 'demo-yanked');

      // Another fresh machine: the GPU falls off the bus — the critical state.
      await demo.getByRole('button', { name: 'Reset' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toBe('Attached');
      await demo.getByRole('button', { name: 'Make the GPU fall off the bus' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Fell off the bus');
      expect(await badge.getAttribute('class')).toContain('tone-danger');
      const fell = page.getByRole('article', { name: `${NAME} fell off the bus` });
      await fell.waitFor({ timeout: 10_000 });
      await fell.getByText(/79/).first().waitFor();
      await accessible(page, 'fell off the bus');
      await shot(page, 'demo-fell-off-bus');

      // Recover is honest: the GPU still does not answer, so it says so and what to do.
      await card.getByRole('button', { name: `Recover ${NAME}` }).click();
      await recover.getByRole('button', { name: 'Run recovery' }).click();
      const failed = recover.locator('[data-result="failed"]');
      await failed.waitFor({ timeout: 30_000 });
      expect(await failed.textContent()).toContain(
        'still not responding — reconnect the enclosure; if that fails, a reboot is needed',
      );
      expect(await recover.locator('[data-result="recovered"]').count()).toBe(0);
      await shot(page, 'demo-recover-still-dead');
      await recover.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Not responding');
      await card.getByText(/Reconnect the Razer Core X/).waitFor();
      expect(await card.getByRole('button', { name: /^Recover/ }).count()).toBe(0);

      // Reconnecting the enclosure brings it back.
      await demo.getByRole('button', { name: 'Yank the cable' }).click();
      await demo.getByRole('button', { name: 'Plug in the enclosure' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Connected');
      await card.getByRole('button', { name: `Recover ${NAME}` }).click();
      await recover.getByRole('button', { name: 'Run recovery' }).click();
      await recover.locator('[data-result="recovered"]').waitFor({ timeout: 20_000 });
      await recover.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Attached');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await ui.stop();
    }
  }, 120_000);
});
