import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyTimeType,
  detectLayout,
  escapeGlob,
  inferEpochUnit,
  integerEpochBounds,
  parquetTimestampUnit,
  quoteIdent,
} from './layout.js';

const SPOT = [
  'open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_asset_volume', 'number_of_trades',
  'taker_buy_base_asset_volume', 'taker_buy_quote_asset_volume', 'ignore',
];
const FUTURES = [
  'open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_volume', 'count',
  'taker_buy_volume', 'taker_buy_quote_volume', 'ignore',
];

describe('detectLayout', () => {
  it('detects Binance spot with every optional column mapped', () => {
    expect(detectLayout(SPOT)).toEqual({
      layout: 'binance',
      columns: {
        time: 'open_time', open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume',
        closeTime: 'close_time', quoteVolume: 'quote_asset_volume', trades: 'number_of_trades',
        takerBuyBaseVolume: 'taker_buy_base_asset_volume', takerBuyQuoteVolume: 'taker_buy_quote_asset_volume',
        symbol: null,
      },
    });
  });

  it('detects Binance spot without `ignore`, case-insensitively, keeping the file spelling', () => {
    const m = detectLayout(SPOT.slice(0, -1).map((c) => c.toUpperCase()).concat('Symbol'));
    expect(m?.layout).toBe('binance');
    expect(m?.columns.time).toBe('OPEN_TIME');
    expect(m?.columns.symbol).toBe('Symbol');
  });

  it('detects Binance futures header names', () => {
    const m = detectLayout(FUTURES);
    expect(m?.layout).toBe('binance-futures');
    expect(m?.columns.quoteVolume).toBe('quote_volume');
    expect(m?.columns.trades).toBe('count');
    expect(m?.columns.takerBuyBaseVolume).toBe('taker_buy_volume');
  });

  it('detects Bybit with start_time or startTime, turnover as quote volume', () => {
    for (const t of ['start_time', 'startTime']) {
      const m = detectLayout([t, 'open', 'high', 'low', 'close', 'volume', 'turnover']);
      expect(m?.layout).toBe('bybit');
      expect(m?.columns.time).toBe(t);
      expect(m?.columns.quoteVolume).toBe('turnover');
      expect(m?.columns.closeTime).toBeNull();
    }
  });

  it('detects generic layouts for each accepted time column', () => {
    for (const t of ['timestamp', 'ts', 'date', 'time', 'open_time', 'TimeStamp']) {
      const m = detectLayout([t, 'open', 'high', 'low', 'close', 'volume', 'extra']);
      expect(m?.layout).toBe('generic');
      expect(m?.columns.time).toBe(t);
      expect(m?.columns.quoteVolume).toBeNull();
    }
  });

  it('falls back from an incomplete Binance file to generic on open_time', () => {
    const m = detectLayout(['open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time']);
    expect(m?.layout).toBe('generic');
  });

  it('returns null when no layout matches', () => {
    expect(detectLayout(['when', 'open', 'high', 'low', 'close', 'volume'])).toBeNull();
    expect(detectLayout(['timestamp', 'open', 'high', 'low', 'close'])).toBeNull();
    expect(detectLayout([])).toBeNull();
  });
});

describe('inferEpochUnit', () => {
  it('classifies real epochs of 2024-01-01T00:00:00Z in every unit', () => {
    expect(inferEpochUnit(1_704_067_200)).toBe('s');
    expect(inferEpochUnit(1_704_067_200_000)).toBe('ms');
    expect(inferEpochUnit(1_704_067_200_000_000n)).toBe('us');
    expect(inferEpochUnit(1_704_067_200_000_000_000n)).toBe('ns');
  });

  it('uses the documented thresholds 1e11, 1e14, 1e17', () => {
    expect(inferEpochUnit(99_999_999_999)).toBe('s');
    expect(inferEpochUnit(100_000_000_000)).toBe('ms');
    expect(inferEpochUnit(99_999_999_999_999)).toBe('ms');
    expect(inferEpochUnit(100_000_000_000_000)).toBe('us');
    expect(inferEpochUnit(10n ** 17n - 1n)).toBe('us');
    expect(inferEpochUnit(10n ** 17n)).toBe('ns');
    expect(inferEpochUnit(-1_704_067_200_000)).toBe('ms');
  });

  it('classifies every time between 1973-03-04 and 5000-01-01 correctly in all four units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000_000_001, max: 95_617_584_000_000 }), (ms) => {
        const b = BigInt(ms);
        expect(inferEpochUnit(Math.floor(ms / 1000))).toBe('s');
        expect(inferEpochUnit(ms)).toBe('ms');
        expect(inferEpochUnit(b * 1000n)).toBe('us');
        expect(inferEpochUnit(b * 1_000_000n)).toBe('ns');
      }),
    );
  });
});

describe('classifyTimeType', () => {
  it('maps DuckDB types to time kinds', () => {
    expect(classifyTimeType('BIGINT')).toEqual({ kind: 'integer' });
    expect(classifyTimeType('UBIGINT')).toEqual({ kind: 'integer' });
    expect(classifyTimeType('INTEGER')).toEqual({ kind: 'integer' });
    expect(classifyTimeType('DOUBLE')).toEqual({ kind: 'float' });
    expect(classifyTimeType('DECIMAL(20,3)')).toEqual({ kind: 'float' });
    expect(classifyTimeType('TIMESTAMP')).toEqual({ kind: 'timestamp-us', withTimeZone: false });
    expect(classifyTimeType('TIMESTAMP WITH TIME ZONE')).toEqual({ kind: 'timestamp-us', withTimeZone: true });
    expect(classifyTimeType('TIMESTAMP_NS')).toEqual({ kind: 'timestamp-ns' });
    expect(classifyTimeType('TIMESTAMP_MS')).toEqual({ kind: 'timestamp-coarse', unit: 'ms' });
    expect(classifyTimeType('VARCHAR')).toBeNull();
    expect(classifyTimeType('DATE')).toBeNull();
  });
});

describe('parquetTimestampUnit', () => {
  it('reads the unit from the logical type, else the converted type', () => {
    expect(parquetTimestampUnit('TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=MilliSeconds(), MICROS=<null>, NANOS=<null>))', null)).toBe('ms');
    expect(parquetTimestampUnit('TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))', 'TIMESTAMP_MICROS')).toBe('us');
    expect(parquetTimestampUnit('TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=<null>, NANOS=NanoSeconds()))', '')).toBe('ns');
    expect(parquetTimestampUnit(null, 'TIMESTAMP_MILLIS')).toBe('ms');
    expect(parquetTimestampUnit(null, null)).toBeNull();
  });
});

describe('integerEpochBounds', () => {
  it('converts [startMs, endMs) to raw bounds, rounding seconds up', () => {
    expect(integerEpochBounds('ms', 1_000, 61_000)).toEqual({ lo: 1_000n, hi: 61_000n });
    expect(integerEpochBounds('us', 1_000, 61_000)).toEqual({ lo: 1_000_000n, hi: 61_000_000n });
    expect(integerEpochBounds('ns', 1, 2)).toEqual({ lo: 1_000_000n, hi: 2_000_000n });
    expect(integerEpochBounds('s', 1_500, 3_000)).toEqual({ lo: 2n, hi: 3n });
    expect(integerEpochBounds('s', 1_000, 3_001)).toEqual({ lo: 1n, hi: 4n });
  });

  it('selects exactly the seconds whose ms value is in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10_100 }), (start, len, sec) => {
        const { lo, hi } = integerEpochBounds('s', start, start + len);
        const inRaw = BigInt(sec) >= lo && BigInt(sec) < hi;
        const inMs = sec * 1000 >= start && sec * 1000 < start + len;
        expect(inRaw).toBe(inMs);
      }),
    );
  });
});

describe('quoting', () => {
  it('quotes identifiers and escapes glob characters', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(escapeGlob('/d/b*.parquet')).toBe('/d/b[*].parquet');
    expect(escapeGlob('/d/c?[1].parquet')).toBe('/d/c[?][[]1].parquet');
    expect(escapeGlob('/plain/path.parquet')).toBe('/plain/path.parquet');
  });
});
