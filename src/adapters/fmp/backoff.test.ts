import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, fullJitterDelayMs } from './backoff.js';

const policy = { baseMs: 500, capMs: 30_000 };

describe('backoff', () => {
  it('doubles the ceiling up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((r) => backoffCeilingMs(r, policy))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('draws a full-jitter delay within [0, ceiling)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (retry, r) => {
        const d = fullJitterDelayMs(retry, policy, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(backoffCeilingMs(retry, policy));
        expect(Number.isInteger(d)).toBe(true);
      }),
    );
    expect(fullJitterDelayMs(2, policy, () => 0)).toBe(0);
    expect(fullJitterDelayMs(2, policy, () => 0.5)).toBe(1000);
    expect(fullJitterDelayMs(2, policy, () => 0.999999)).toBe(1999);
  });
});
