import { describe, expect, it } from 'vitest';
import { EGPU_INFO } from '../../main/core/test/fake-core-data.js';
import { formatAgo, formatLinkState, summarizeLink } from './format.js';

describe('format', () => {
  it('names PCIe generations by transfer rate', () => {
    expect(formatLinkState({ speed: 2.5, width: 1 })).toBe('PCIe 1.0 x1 (2.5 GT/s)');
    expect(formatLinkState({ speed: 16, width: 4 })).toBe('PCIe 4.0 x4 (16 GT/s)');
    expect(formatLinkState({ speed: 20, width: 2 })).toBe('20 GT/s x2');
    expect(formatLinkState({ speed: null, width: null })).toBeNull();
    expect(formatLinkState(null)).toBeNull();
  });

  it('says why a link was not read', () => {
    const link = { ...EGPU_INFO.link, skipped: 'the GPU is suspended; reading would wake it' };
    expect(summarizeLink(link)).toEqual({
      text: 'not read (the GPU is suspended; reading would wake it)',
      warning: null,
    });
  });

  it('relative times', () => {
    const now = 1_750_000_000_000;
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
