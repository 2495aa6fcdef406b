/**
 * Properties of the Parquet layout and time-unit inference: total functions
 * over any column names, DuckDB type strings and epoch values; the inferred
 * unit brackets the magnitude; range bounds select exactly the rows in range;
 * identifier quoting and glob escaping are injective and inert.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from '../../../test-support/corpus/hostile.js';
import { classifyTimeType, detectLayout, escapeGlob, inferEpochUnit, integerEpochBounds, parquetTimestampUnit, quoteIdent } from './layout.js';

const RUNS = { numRuns: 1000 };
const KNOWN = ['open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_asset_volume', 'number_of_trades', 'taker_buy_base_asset_volume', 'taker_buy_quote_asset_volume', 'quote_volume', 'count', 'taker_buy_volume', 'taker_buy_quote_volume', 'start_time', 'startTime', 'turnover', 'timestamp', 'ts', 'date', 'time', 'symbol', 'SYMBOL', 'Open'];

describe('detectLayout (property)', () => {
  it('any column names: null or a layout whose columns are all among the names', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...KNOWN), anyString()), { maxLength: 16 }), (names) => {
        const m = detectLayout(names);
        if (m === null) return;
        for (const c of Object.values(m.columns)) if (c !== null) expect(names).toContain(c);
        for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) expect(m.columns[k].toLowerCase()).toBe(k);
      }),
      RUNS,
    );
  });
});

describe('inferEpochUnit (property)', () => {
  const PER_S = { s: 1, ms: 1e3, us: 1e6, ns: 1e9 } as const;
  it('the unit read from an epoch of 1973..5138 in any unit is that unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1973, 2, 4) / 1000, max: 99_999_999_999 }), fc.constantFrom('s', 'ms', 'us', 'ns'), (sec, unit) => {
        const v = BigInt(sec) * BigInt(PER_S[unit]);
        expect(inferEpochUnit(v)).toBe(unit === 'ns' || sec * PER_S[unit] < 1e17 ? unit : unit);
        if (unit !== 'ns' || v <= BigInt(Number.MAX_SAFE_INTEGER)) expect(inferEpochUnit(Number(v))).toBe(unit);
      }),
      RUNS,
    );
  });
  it('any number or bigint (NaN, infinities, negatives): one of s, ms, us, ns; monotone in the magnitude', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.bigInt()), fc.oneof(fc.double(), fc.bigInt()), (a, b) => {
        const order = ['s', 'ms', 'us', 'ns'];
        const ua = inferEpochUnit(a), ub = inferEpochUnit(b);
        expect(order).toContain(ua);
        const abs = (x: number | bigint): number => Math.abs(Number(x));
        if (!Number.isNaN(abs(a)) && !Number.isNaN(abs(b)) && abs(a) <= abs(b)) expect(order.indexOf(ua)).toBeLessThanOrEqual(order.indexOf(ub));
      }),
      RUNS,
    );
  });
});

describe('integerEpochBounds (property)', () => {
  it('a raw value v is inside [lo, hi) exactly when its time in ms is inside [start, end)', () => {
    const ms = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });
    fc.assert(
      fc.property(ms, ms, fc.constantFrom('s', 'ms', 'us', 'ns'), fc.integer({ min: -5000, max: 5000 }), (a, b, unit, delta) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        const { lo, hi } = integerEpochBounds(unit, start, end);
        const per = { s: 1, ms: 1_000, us: 1_000_000, ns: 1_000_000_000 }[unit];
        // Raw values around both bounds.
        for (const base of [lo, hi]) {
          const v = base + BigInt(delta);
          // Time in ms of the raw value v: exact rational comparison (v / per seconds) vs ms / 1000.
          const inRange = v * 1000n >= BigInt(start) * BigInt(per) && v * 1000n < BigInt(end) * BigInt(per);
          expect(v >= lo && v < hi).toBe(inRange);
        }
      }),
      RUNS,
    );
  });
});

describe('type and schema classification (property)', () => {
  it('any DuckDB type string and Parquet logical/converted type: a known kind or null, never an exception', () => {
    fc.assert(
      fc.property(anyString(fc.constantFrom('BIGINT', 'TIMESTAMP WITH TIME ZONE', 'DECIMAL(18,8)', 'TIMESTAMP_NS', 'STRUCT(a INTEGER)', 'INTEGER[]', 'VARCHAR')), fc.option(anyString(fc.constant('TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MICROS=MicroSeconds()))'))), fc.option(anyString(fc.constant('TIMESTAMP_MILLIS'))), (t, logical, converted) => {
        const k = classifyTimeType(t);
        if (k !== null) expect(['integer', 'float', 'timestamp-us', 'timestamp-ns', 'timestamp-coarse']).toContain(k.kind);
        const u = parquetTimestampUnit(logical, converted);
        if (u !== null) expect(['ms', 'us', 'ns']).toContain(u);
      }),
      RUNS,
    );
  });
  it('nested and string types are never a time column', () => {
    for (const t of ['STRUCT(a BIGINT)', 'BIGINT[]', 'MAP(VARCHAR, BIGINT)', 'VARCHAR', 'BLOB', 'BOOLEAN', 'UNION(a BIGINT)']) expect(classifyTimeType(t)).toBeNull();
  });
});

describe('quoteIdent / escapeGlob (property)', () => {
  it('quoteIdent is injective and its output is one double-quoted token', () => {
    fc.assert(
      fc.property(anyString(), anyString(), (a, b) => {
        const q = quoteIdent(a);
        expect(q.startsWith('"') && q.endsWith('"')).toBe(true);
        // Inside, every quote is doubled: removing the pairs leaves none.
        expect(q.slice(1, -1).replaceAll('""', '')).not.toContain('"');
        if (a !== b) expect(quoteIdent(b)).not.toBe(q);
      }),
      RUNS,
    );
  });
  it('escapeGlob leaves no bare glob character and is injective', () => {
    fc.assert(
      fc.property(anyString(fc.constantFrom('a*b.parquet', 'x?.parquet', '[1].parquet', "x';DROP--.parquet")), anyString(), (a, b) => {
        const e = escapeGlob(a);
        expect(e.replace(/\[[*?[]\]/g, '')).not.toMatch(/[*?]/);
        if (a !== b) expect(escapeGlob(b)).not.toBe(e);
      }),
      RUNS,
    );
  });
});
