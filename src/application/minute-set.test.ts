import { describe, expect, it } from 'vitest';
import { MinuteSet } from './minute-set.js';

describe('MinuteSet', () => {
  it('tells a minute seen before, across pages and far apart, until cleared', () => {
    const s = new MinuteSet();
    const t0 = Date.UTC(2024, 0, 1);
    const far = Date.UTC(2031, 5, 1);
    expect([s.add(t0), s.add(t0 + 60_000), s.add(far), s.add(t0 + 65_536 * 60_000)]).toEqual([true, true, true, true]);
    expect([s.add(t0), s.add(far), s.add(t0 + 65_536 * 60_000), s.add(t0 + 120_000)]).toEqual([false, false, false, true]);
    s.clear();
    expect(s.add(t0)).toBe(true);
  });
});
