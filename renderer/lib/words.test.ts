import { describe, expect, it } from 'vitest';
import { ejectPlan, ollamaBlocker, recoverPlan } from '../test/fixtures.js';
import {
  compositorWords,
  listWords,
  planSentence,
  segments,
  sourceLine,
  sourcesSummary,
  windowAdvice,
  windowSteps,
} from './words.js';

describe('window words', () => {
  it('splits code out of text and never leaves a backtick', () => {
    expect(segments('Run `egpu status` now')).toEqual([
      { code: false, text: 'Run ' },
      { code: true, text: 'egpu status' },
      { code: false, text: ' now' },
    ]);
    expect(
      segments('odd ` tick')
        .map((s) => s.text)
        .join(''),
    ).toBe('odd  tick');
    expect(listWords(['a', 'b', 'c'])).toBe('a, b and c');
  });

  it('says CLI advice with the window’s buttons', () => {
    expect(
      windowAdvice(
        'Reset the GPU: close the programs using it, eject it (`egpu eject`) and replug the enclosure, or reboot.',
      ),
    ).toBe(
      'Reset the GPU: close the programs using it, eject it (Safely eject) and replug the enclosure, or reboot.',
    );
    expect(
      windowAdvice(
        'If the GPU behind it does not appear, check that the device is authorized (boltctl list).',
      ),
    ).toBe(
      'If the GPU behind it does not appear, check whether this window says it is waiting for authorization.',
    );
    expect(windowAdvice('Save your work and reboot.')).toBe('Save your work and reboot.');
  });

  it('never sends a person to a Recover button the card does not show', () => {
    const advice =
      'If the device stays dead, `egpu recover 0000:0a:00.0 --dry-run` shows how eGPU Guard would bring it back (authorize, rescan PCI, rebind, reload the driver); run it with --yes, or reboot.';
    expect(windowAdvice(advice)).toContain('choose Recover on its card');
    const dead = windowAdvice(advice, false);
    expect(dead).not.toContain('choose Recover on its card: it shows'); // not now: after the re-plug
    expect(dead).toBe(
      'If the device stays dead, reconnect the enclosure: unplug it, wait ten seconds and plug it back in, then choose Recover on its card; if the GPU does not come back, reboot.',
    );
  });

  it('says "reconnect" once when the card cannot offer Recover, and no more "close its apps"', () => {
    const steps = [
      'ollama (pid 7) was using it and may have crashed — restart it once the GPU is back.',
      'Run `egpu clients` and close every program still using the GPU (games, browsers, compositors, CUDA jobs, nvidia-persistenced): the driver waits until they are gone.',
      'Reconnect the enclosure and run `egpu status` to see whether the GPU is back; if it is not, `egpu recover --yes` brings it up. Reboot only if that fails.',
      'If the device stays dead, `egpu recover 0000:0a:00.0 --dry-run` shows how eGPU Guard would bring it back (authorize, rescan PCI, rebind, reload the driver); run it with --yes, or reboot.',
    ];
    expect(windowSteps(steps, { recoverOffered: false, appsListed: false })).toEqual([
      steps[0],
      'Reconnect the enclosure: unplug it, wait ten seconds and plug it back in, then choose Recover on its card; if the GPU does not come back, reboot.',
    ]);
    // With Recover on the card both stay, in the window's words.
    expect(windowSteps(steps)).toHaveLength(4);
    expect(windowSteps(steps)[3]).toContain('choose Recover on its card');
    // A re-plug alone does not bring a GPU back: the step leads to Recover, not to a reboot.
    expect(windowSteps(steps)[2]).toBe(
      'Reconnect the enclosure and watch its card in this window to see whether the GPU is back; if it is not, choose Recover on its card. Reboot only if that fails.',
    );
    // The enclosure is back and the card waits for Recover: reconnecting is done.
    const back = windowSteps(steps, { recoverOffered: true, appsListed: false, reconnected: true });
    expect(back).toHaveLength(2);
    expect(back.join(' ')).not.toMatch(/Reconnect the enclosure/);
    expect(back[1]).toContain('choose Recover on its card');
    // Off the bus but Recover offered (unplugged, enclosure back): no apps list to point at.
    expect(windowSteps(steps, { recoverOffered: true, appsListed: false })).toHaveLength(3);
    // Without a reconnect step to merge with, the recovery step still says to reconnect.
    expect(windowSteps([steps[3]!], { recoverOffered: false, appsListed: false })).toEqual([
      windowAdvice(steps[3]!, false),
    ]);
  });

  it('compositor text without lower-case stand-ins', () => {
    expect(
      compositorWords(
        'your wlroots compositor: use only the internal GPU (WLR_DRM_DEVICES, first entry is primary)',
      ),
    ).toBe(
      'Other wlroots compositors (river, labwc, Wayfire …): use only the internal GPU (WLR_DRM_DEVICES, first entry is primary)',
    );
    expect(
      compositorWords(
        'the script or profile that starts your wlroots compositor (e.g. ~/.profile, before `exec your wlroots compositor`)',
      ),
    ).toBe(
      'The script or profile that starts the compositor (e.g. ~/.profile, before the line that starts it)',
    );
    expect(
      compositorWords(
        'your wlroots compositor reads it only when it starts: exit your wlroots compositor and start it again.',
      ),
    ).toBe('The compositor reads it only when it starts: exit the compositor and start it again.');
    // The product's name keeps its spelling at the start of a sentence.
    expect(compositorWords('eGPU Guard could not tell which desktop this is.')).toBe(
      'eGPU Guard could not tell which desktop this is.',
    );
  });

  it('event sources in words', () => {
    const bolt = {
      name: 'bolt',
      state: 'unavailable',
      detail: 'unavailable: cannot connect to org.freedesktop.bolt',
    };
    expect(sourceLine(bolt)).toBe(
      'Thunderbolt (bolt): not running — plugging is still seen through udev',
    );
    expect(sourceLine({ name: 'kernel-log', state: 'running', detail: '', via: 'journal' })).toBe(
      'Kernel messages: working (journal)',
    );
    expect(sourceLine({ name: 'kernel-log', state: 'degraded', detail: 'x' })).toBe(
      'Kernel messages: working, with gaps',
    );
    // A replay's follower on its own (--kernel-log FILE) is the kernel source too, not "Text-log".
    expect(sourceLine({ name: 'text-log', state: 'running', detail: '' })).toBe(
      'Kernel messages: working',
    );
    expect(sourcesSummary([bolt, { name: 'udev', state: 'running', detail: '' }])).toBe(
      '1 of 2 not working',
    );
  });

  it('the plan in one sentence, naming the app and what to unplug', () => {
    expect(planSentence(ejectPlan(), 'the Razer Core X')).toBe(
      'Close ollama, then eGPU Guard releases the GPU and tells you when to unplug the Razer Core X.',
    );
    const ready = { ...ejectPlan([]), steps: ejectPlan().steps.slice(1) };
    expect(planSentence(ready, 'the Razer Core X')).toBe(
      'eGPU Guard releases the GPU and tells you when to unplug the Razer Core X.',
    );
    expect(
      planSentence(
        ejectPlan([{ kind: 'primary-gpu', reason: 'Log out first.', closable: false }]),
        'x',
      ),
    ).toBeNull();
    expect(planSentence(ejectPlan([ollamaBlocker]), 'x')).toMatch(/^Close ollama, then/);
    expect(planSentence(recoverPlan(), 'x')).toBe(
      'eGPU Guard looks for the GPU on the PCI bus and checks that it answers.',
    );
  });
});
