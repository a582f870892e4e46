// The whole story against `npm run demo` (egpu ui --demo): the real core on a simulated machine
// (scenario sysroot + simulated kernel + a real process on the eGPU), in Debian Chromium:
// eGPU attached → an app using it listed → eject shows the blocker → closing the app → eject
// completes → "Safe to unplug" → a yanked cable shows the incident with its explanation → a fall
// off the bus shows the critical state. axe-core at every stop; screenshots saved (to
// EGPU_SCREENSHOT_DIR when set — `npm run screenshots` refreshes the README's images), at the
// desktop window's size (1100×900) and, in a second pass, at the tray popover's (420×640), each in
// light and dark. The tray pass checks that every external GPU's name, state and one action are
// on the first screen without scrolling.

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

const TRAY = { width: 420, height: 640 };
const DESKTOP = { width: 1100, height: 900 };

/**
 * `name-desktop-light.png` and `-dark` (the whole page), or at tray size `name-tray-light.png`
 * and `-dark` (the first screen: what the popover shows).
 */
async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize()?.width === TRAY.width ? 'tray' : 'desktop';
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({
      path: path.join(SHOTS, `${name}-${size}-${colorScheme}.png`),
      fullPage: size === 'desktop',
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Opens a <details> by its summary when it is closed. */
async function expand(page: Page, summary: ReturnType<Page['locator']>): Promise<void> {
  const open = await summary.evaluate('(s) => s.parentElement.open');
  if (open !== true) await summary.click();
}

async function accessible(page: Page, where: string): Promise<void> {
  const violations = seriousOnly(await runAxe(page));
  expect(violations, `${where}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe.runIf(hasChromium())('npm run demo, end to end', () => {
  it('in use → blocked eject → close the app → safe to unplug → unplug → re-plug → recover → yank in use → fall off the bus → honest recover → reconnect → recovered', async () => {
    const ui = await startUiProcess(['--demo']);
    const context = await browser.newContext({
      viewport: DESKTOP,
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

      // Re-plug → "Use it again" → attached, without a reset. Routine, not a repair: nothing on
      // screen calls it a recovery, and the enclosure is not announced twice.
      await demo.getByRole('button', { name: 'Plug in the enclosure' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Connected');
      await card
        .getByText('The Razer Core X is connected again. Choose Use it again to bring the GPU up.')
        .waitFor();
      expect(await words()).not.toMatch(/Recover|not authorized/);
      await card.getByRole('button', { name: `Use it again (${NAME})` }).click();
      const reuse = page.getByRole('dialog', { name: `Use ${NAME} again` });
      await reuse.getByRole('button', { name: 'Bring it back' }).click();
      await reuse.locator('[data-result="recovered"]').waitFor({ timeout: 20_000 });
      await reuse.getByRole('button', { name: 'Close' }).click();
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
      await expand(page, incident.locator('summary', { hasText: /^Evidence/ }));
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
      await expand(page, fell.locator('summary', { hasText: /^Evidence/ }));
      await fell.getByText(/79/).first().waitFor();
      await accessible(page, 'fell off the bus');
      await shot(page, 'demo-fell-off-bus');

      // Recover is honest: the GPU still does not answer, so it says so and what to do.
      await card.getByRole('button', { name: `Recover ${NAME}` }).click();
      const recover = page.getByRole('dialog', { name: `Recover ${NAME}` });
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

  it("at tray size (420×640): each external GPU's name, state and one action on the first screen, in plain words", async () => {
    const ui = await startUiProcess(['--demo']);
    const context = await browser.newContext({ viewport: TRAY, colorScheme: 'light' });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    try {
      await page.goto(ui.url);
      const card = page.getByRole('article', { name: NAME });
      const badge = card.locator('.badge[data-state]');
      const demo = page.getByRole('region', { name: 'Simulation' });
      await card.waitFor({ timeout: 15_000 });
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Attached');

      // The simulation is a compact bar here: opened to act, closed again to look.
      const act = async (label: string): Promise<void> => {
        const summary = demo.locator('summary');
        await expand(page, summary);
        await demo.getByRole('button', { name: label }).click();
        await summary.click();
      };
      /** Inside the first screen, without scrolling: top and bottom within 0…640. */
      const onFirstScreen = async (what: string, locator: ReturnType<Page['locator']>) => {
        const box = await locator.boundingBox();
        expect(box, `${what} is rendered`).not.toBeNull();
        expect(box!.y, `${what} top`).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height, `${what} bottom`).toBeLessThanOrEqual(TRAY.height);
      };
      const summaryOnFirstScreen = async (action: RegExp | null) => {
        expect(await page.evaluate('window.scrollY')).toBe(0);
        await onFirstScreen('name', card.getByRole('heading', { name: NAME }));
        await onFirstScreen('state', badge);
        if (action !== null)
          await onFirstScreen('action', card.getByRole('button', { name: action }));
        // Nothing pushes the popover sideways.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
          TRAY.width,
        );
      };
      const accessibleBoth = async (where: string) => {
        await accessible(page, `${where}, tray, light`);
        await page.emulateMedia({ colorScheme: 'dark' });
        await accessible(page, `${where}, tray, dark`);
        await page.emulateMedia({ colorScheme: 'light' });
      };

      await summaryOnFirstScreen(/^Safely eject/);
      await act('Start an app on the eGPU');
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('In use');
      await card.getByText('ollama').first().waitFor();
      await summaryOnFirstScreen(/^Safely eject/);
      await onFirstScreen('the app', card.getByRole('button', { name: /^Close ollama/ }));
      // The rest are collapsed rows that say what they hold.
      for (const name of ['Internal GPU', 'Incidents', 'Desktop session', 'Event sources']) {
        const region = page.getByRole('region', { name });
        expect(await region.locator('details').first().getAttribute('open'), name).toBeNull();
      }
      await accessibleBoth('in use');
      await shot(page, 'demo-in-use');

      // The plan in plain words first; the technical steps behind Details.
      await card.getByRole('button', { name: `Safely eject ${NAME}` }).click();
      const dialog = page.getByRole('dialog', { name: `Safely eject ${NAME}` });
      await dialog
        .getByText(
          'Close ollama, then eGPU Guard releases the GPU and tells you when to unplug the Razer Core X.',
        )
        .waitFor({ timeout: 10_000 });
      await dialog.getByRole('checkbox', { name: /Close ollama first/ }).waitFor();
      expect(
        await dialog
          .getByText(/egpu-guard-helper/)
          .first()
          .isVisible(),
      ).toBe(false);
      await onFirstScreen('Eject now', dialog.getByRole('button', { name: 'Eject now' }));
      await accessibleBoth('eject plan');
      await shot(page, 'demo-eject-plan');
      await dialog.getByRole('checkbox', { name: /Close ollama first/ }).check();
      await dialog.getByRole('button', { name: 'Eject now' }).click();
      const result = dialog.locator('[data-result="safe-to-unplug"]');
      await result.waitFor({ timeout: 20_000 });
      // The result names the thing to unplug.
      expect(await result.textContent()).toContain('Unplug the Razer Core X now.');
      await accessibleBoth('eject result');
      await shot(page, 'demo-eject-result');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('Safe to unplug');
      await card.getByText('Unplug the Razer Core X now.').waitFor();
      await summaryOnFirstScreen(/^Use it again/);
      expect(await card.getByRole('button', { name: /^Recover/ }).count()).toBe(0);
      // The stale "Asked ollama (pid …) to quit." is gone with ollama.
      expect(await page.locator('main').innerText()).not.toMatch(/Asked ollama/);
      await accessibleBoth('safe to unplug');
      await shot(page, 'demo-safe-to-unplug');

      // Yank while in use: the alarm, and its one action, still on the first screen.
      await act('Reset');
      await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toBe('Attached');
      await act('Start an app on the eGPU');
      await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('In use');
      await act('Yank the cable');
      await expect
        .poll(() => badge.textContent(), { timeout: 10_000 })
        .toBe('Unplugged while in use');
      // The enclosure went with it: nothing can bring the GPU back before the re-plug, so the card
      // says that, and offers no Recover that could only fail.
      await card.getByText(/Plug the Razer Core X back in to use it again\./).waitFor();
      await summaryOnFirstScreen(/^What happened/);
      expect(await card.getByRole('button', { name: /^Recover/ }).count()).toBe(0);
      const incidents = page.getByRole('region', { name: 'Incidents' });
      await incidents.getByText(`${NAME} unplugged while in use`).first().waitFor();
      await accessibleBoth('yanked');
      await shot(page, 'demo-yanked');
      await card.getByRole('button', { name: /^What happened/ }).click();
      const incident = page.getByRole('article', { name: `${NAME} unplugged while in use` });
      await incident.getByRole('heading', { name: 'What it means' }).waitFor();
      expect(await incident.innerText()).not.toMatch(/`/);
      await accessibleBoth('incident');
      await shot(page, 'demo-incident');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await ui.stop();
    }
  }, 120_000);
});
