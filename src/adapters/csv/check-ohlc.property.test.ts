/**
 * The CSV reader's OHLC check against its specification, over a small domain
 * where every bound is met, touched and broken alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOhlc } from './csv-bar-file-reader.js';

const price = fc.constantFrom(0, 1, 2, 3, 1.5);

describe('checkOhlc (property, against the specification)', () => {
  it('rejects exactly when low is above open or close, or high below them', () => {
    fc.assert(
      fc.property(price, price, price, price, (o, h, l, c) => {
        const consistent = l <= Math.min(o, c) && Math.max(o, c) <= h;
        const problem = checkOhlc(o, h, l, c);
        expect(problem === undefined).toBe(consistent);
        if (problem !== undefined) expect(problem.reason).toBe('inconsistent_ohlc');
      }),
      { numRuns: 5000 },
    );
  });

  it('each bound alone is caught', () => {
    for (const [o, h, l, c] of [[1, 2, 0, 3], [3, 2, 0, 1], [1, 3, 2, 3], [3, 3, 2, 1]] as const) {
      expect(checkOhlc(o, h, l, c)?.reason).toBe('inconsistent_ohlc');
    }
  });
});
