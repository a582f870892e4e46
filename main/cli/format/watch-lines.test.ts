// What `egpu watch` prints in a terminal: the shared words, with the command where the window
// would name its button, and no program to close when the GPU's scan found none.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../common/snapshot.js';
import { incidentLine, terminalWords, transitionLine } from './watch-lines.js';

const BDF = '0000:0a:00.0';

describe('watch lines', () => {
  it("names `egpu recover` where the window's words name its buttons; JSON keeps the shared words", () => {
    expect(
      terminalWords(
        'The Razer Core X is connected but the GPU is not usable yet: choose Recover to bring it up.',
        BDF,
      ),
    ).toBe(
      'The Razer Core X is connected but the GPU is not usable yet: run `egpu recover 0000:0a:00.0 --yes` to bring it up.',
    );
    expect(
      terminalWords(
        'The Razer Core X is connected again. Choose Use it again to bring the GPU up.',
        BDF,
      ),
    ).toBe(
      'The Razer Core X is connected again. Run `egpu recover 0000:0a:00.0 --yes` to bring the GPU up.',
    );
    const t = {
      at: 0,
      gpu: BDF,
      name: 'NVIDIA GeForce RTX 3070',
      from: 'absent' as const,
      to: 'connected' as const,
      evidence: [],
    };
    const words = {
      key: 'connected',
      short: 'connected, not usable yet',
      explanation:
        'The Razer Core X is connected but the GPU is not usable yet: choose Recover to bring it up.',
      severity: 'info' as const,
      primary: 'recover' as const,
      canReuse: false,
    };
    // The badge and the sentence the window shows, not the state keys ("absent → connected").
    expect(transitionLine(t, false, words)).toMatch(
      /^\S+ \S+ {2}0000:0a:00\.0 {2}NVIDIA GeForce RTX 3070 \[connected, not usable yet\] The Razer Core X is connected but the GPU is not usable yet: run `egpu recover 0000:0a:00\.0 --yes` to bring it up\.$/,
    );
    expect(JSON.parse(transitionLine(t, true, words))).toMatchObject({ text: words.explanation });
  });

  it('leaves out "close every program" when the GPU was scanned and nothing holds it', () => {
    const i: Incident = {
      id: 'i1',
      gpu: BDF,
      gpuName: 'NVIDIA GeForce RTX 3070',
      kind: 'fell-off-bus',
      severity: 'critical',
      title: 'NVIDIA GeForce RTX 3070 fell off the bus',
      openedAt: 0,
      updatedAt: 0,
      evidence: [],
      meaning: ['It stopped answering.'],
      nextSteps: [
        'Run `egpu clients` and close every program still using the GPU (games, browsers, compositors, CUDA jobs, nvidia-persistenced): the driver waits until they are gone.',
        'Reconnect the enclosure and run `egpu status` to see whether the GPU is back; if it is not, `egpu recover --yes` brings it up. Reboot only if that fails.',
      ],
    };
    expect(incidentLine(i, false)).toMatch(/→ Run `egpu clients`/);
    const none = incidentLine(i, false, false);
    expect(none).not.toMatch(/egpu clients/);
    expect(none).toMatch(/→ Reconnect the enclosure/);
  });
});
