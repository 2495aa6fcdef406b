import { describe, expect, it } from 'vitest';
import { detectLayout } from './layout.js';
import type { LayoutColumns } from './layout.js';
import { buildScanQuery, rangeCondition } from './scan-sql.js';
import type { TimePlan } from './scan-sql.js';

function columns(names: string[]): LayoutColumns {
  const m = detectLayout(names);
  if (m === null) throw new Error('no layout');
  return m.columns;
}

const intUs: TimePlan = { column: 'open_time', kind: { kind: 'integer' }, unit: 'us', mayHaveNulls: false };

describe('rangeCondition', () => {
  it('filters an integer epoch on the raw column with bounds in its unit (prunable)', () => {
    const r = rangeCondition(intUs, 1_704_067_200_000, 1_704_067_260_000);
    expect(r.sql).toBe('"open_time" >= ? AND "open_time" < ?');
    expect(r.params).toEqual([
      { kind: 'bigint', value: 1_704_067_200_000_000n },
      { kind: 'bigint', value: 1_704_067_260_000_000n },
    ]);
  });

  it('filters a TIMESTAMPTZ column against TIMESTAMPTZ parameters', () => {
    const r = rangeCondition({ column: 'ts', kind: { kind: 'timestamp-us', withTimeZone: true }, unit: 'ms', mayHaveNulls: false }, 1, 2);
    expect(r.sql).toBe('"ts" >= ? AND "ts" < ?');
    expect(r.params).toEqual([
      { kind: 'timestamp-us', micros: 1_000n, withTimeZone: true },
      { kind: 'timestamp-us', micros: 2_000n, withTimeZone: true },
    ]);
  });

  it('keeps NULL times when the column may hold them', () => {
    const r = rangeCondition({ ...intUs, mayHaveNulls: true }, 0, 60_000);
    expect(r.sql).toBe('(("open_time" >= ? AND "open_time" < ?) OR "open_time" IS NULL)');
  });

  it('adds an exact test on the converted value for floating epochs', () => {
    const r = rangeCondition({ column: 't', kind: { kind: 'float' }, unit: 's', mayHaveNulls: false }, 60_000, 120_000);
    expect(r.sql.startsWith('(("t" >= ? AND "t" <= ? AND ')).toBe(true);
    expect(r.sql.endsWith(' OR NOT isfinite("t"))')).toBe(true); // a NaN time is read (and rejected), not dropped
    expect(r.params.map((p) => (p.kind === 'double' ? p.value : null))).toEqual([59, 121, 60_000, 120_000]);
  });
});

describe('buildScanQuery', () => {
  it('selects row number, time, OHLCV and the optional columns as DOUBLEs, path and symbol as parameters', () => {
    const cols = columns([
      'open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_asset_volume', 'number_of_trades',
      'taker_buy_base_asset_volume', 'taker_buy_quote_asset_volume', 'symbol',
    ]);
    const q = buildScanQuery(cols, intUs, "/data/it's.parquet", 'btcusdt', 0, 60_000);
    expect(q.optionalColumns).toEqual(['closeTime', 'quoteVolume', 'trades', 'takerBuyBaseVolume', 'takerBuyQuoteVolume']);
    expect(q.sql).toContain('CAST(file_row_number + 1 AS DOUBLE)');
    expect(q.sql).toContain('COALESCE(TRY_CAST("open" AS DOUBLE), \'NaN\'::DOUBLE)');
    expect(q.sql).toContain('read_parquet(?, file_row_number = true');
    expect(q.sql).not.toContain("it's");
    expect(q.sql).toContain('upper(CAST("symbol" AS VARCHAR)) = ?');
    expect(q.params[0]).toEqual({ kind: 'string', value: "/data/it's.parquet" });
    expect(q.params.at(-1)).toEqual({ kind: 'string', value: 'BTCUSDT' });
  });

  it('has no symbol condition and no optional columns for a generic file without symbol', () => {
    const q = buildScanQuery(columns(['ts', 'open', 'high', 'low', 'close', 'volume']), { ...intUs, column: 'ts' }, '/f', 'X', 0, 1);
    expect(q.optionalColumns).toEqual([]);
    expect(q.sql).not.toContain('upper(');
    expect(q.params).toHaveLength(3);
  });
});
