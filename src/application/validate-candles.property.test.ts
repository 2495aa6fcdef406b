/**
 * checkCandle against a reference written from its specification, over values
 * drawn from a small domain so that every bound is met, touched and broken
 * alone: removing or loosening any one comparison fails this test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCandleBatch, OPTIONAL_CANDLE_COLUMNS } from './candle-batch.js';
import { checkCandle, type CandleRejectReason } from './validate-candles.js';

const value = fc.constantFrom(0, 1, 2, 3, -1, NaN, Infinity, -Infinity, 1.5);
const price = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 1, 2, 3, 1.5) }, { weight: 1, arbitrary: value });
const time = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }).map((m) => 1_700_000_040_000 + m * 60_000) }, { weight: 1, arbitrary: fc.constantFrom(1_700_000_040_001, 1_700_000_070_000, NaN, Infinity) });
const optional = fc.oneof(fc.constant(null), value);

interface Row {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  extra: (number | null)[];
}

const row: fc.Arbitrary<Row> = fc.record({ t: time, o: price, h: price, l: price, c: price, v: price, extra: fc.array(optional, { minLength: 4, maxLength: 4 }) });

/** The specification, one rule a line, in the order the reasons are given. */
function reference(r: Row): CandleRejectReason | undefined {
  if (!Number.isFinite(r.t)) return 'non_finite_value';
  if (r.t % 60_000 !== 0) return 'time_not_minute_aligned';
  if (![r.o, r.h, r.l, r.c, r.v].every(Number.isFinite)) return 'non_finite_value';
  if ([r.o, r.h, r.l, r.c, r.v].some((x) => x < 0)) return 'negative_value';
  for (const x of r.extra) {
    if (x === null || Number.isNaN(x)) continue;
    if (!Number.isFinite(x)) return 'non_finite_value';
    if (x < 0) return 'negative_value';
  }
  const lowOk = r.l <= r.o && r.l <= r.c;
  const highOk = r.h >= r.o && r.h >= r.c;
  return lowOk && highOk ? undefined : 'high_low_inconsistent';
}

function batchOf(r: Row) {
  const names = OPTIONAL_CANDLE_COLUMNS.slice(1);
  const present = new Set(names.filter((_, k) => r.extra[k] !== null));
  const b = allocateCandleBatch(1, new Set(['closeTimeMs', ...present] as const));
  b.openTimeMs[0] = r.t;
  b.open[0] = r.o;
  b.high[0] = r.h;
  b.low[0] = r.l;
  b.close[0] = r.c;
  b.volume[0] = r.v;
  names.forEach((name, k) => {
    const col = b[name];
    const x = r.extra[k];
    if (col !== null && x !== null && x !== undefined) col[0] = x;
  });
  return b;
}

describe('checkCandle (property, against the specification)', () => {
  it('rejects exactly the rows the specification rejects, for the same reason', () => {
    fc.assert(
      fc.property(row, (r) => {
        expect(checkCandle(batchOf(r), 0)?.reason).toBe(reference(r));
      }),
      { numRuns: 20_000 },
    );
  });

  it('each bound alone: high below close, high below open, low above open, low above close', () => {
    const base = { t: 1_700_000_040_000, v: 1, extra: [null, null, null, null] };
    for (const [o, h, l, c] of [[1, 2, 0, 3], [3, 2, 0, 1], [1, 3, 2, 3], [3, 3, 2, 1]] as const) {
      expect(checkCandle(batchOf({ ...base, o, h, l, c }), 0)?.reason).toBe('high_low_inconsistent');
    }
    expect(checkCandle(batchOf({ ...base, o: 1, h: 3, l: 0, c: 2 }), 0)).toBeUndefined();
    expect(checkCandle(batchOf({ ...base, o: 2, h: 2, l: 2, c: 2 }), 0)).toBeUndefined();
  });
});
