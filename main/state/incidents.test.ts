// An incident's title says only what is known: a GPU pulled out without an eject is "unplugged
// while in use" once someone is known to have been using it, and not before.
import { describe, expect, it } from 'vitest';
import { mergeIncident, openIncident } from './incidents.js';

const NAME = 'NVIDIA GeForce RTX 3070';

describe('incident titles', () => {
  it('a surprise removal is "while in use" only with someone known to have used the GPU', () => {
    const idle = openIncident('i1', '0000:0a:00.0', NAME, 'surprise-removal', [], 1000);
    expect(idle.title).toBe(`${NAME} unplugged without an eject`);
    const used = mergeIncident(idle, 'surprise-removal', [], 1100, [{ pid: 42, comm: 'ollama' }]);
    expect(used.title).toBe(`${NAME} unplugged while in use`);
    expect(used.nextSteps[0]).toBe(
      'ollama (pid 42) was using it and may have crashed — restart it once the GPU is back.',
    );
    // Known from the start (the scan before it left found ollama).
    const known = openIncident('i2', '0000:0a:00.0', NAME, 'surprise-removal', [], 1000, [
      { pid: 42, comm: 'ollama' },
    ]);
    expect(known.title).toBe(`${NAME} unplugged while in use`);
  });
});
