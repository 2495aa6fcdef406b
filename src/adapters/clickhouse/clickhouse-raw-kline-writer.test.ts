import { describe, expect, it } from 'vitest';
import { allocateCandleBatch } from '../../application/candle-batch.js';
import { klineVersion, type KlineTarget } from '../../application/ports/raw-kline-writer.js';
import { ConfigError, SinkError } from '../../kernel/errors.js';
import { InstrumentId, MARKET_IDS } from '../../kernel/instrument-id.js';
import type { ClickHouseGateway, ColumnarInsert } from './clickhouse-gateway.js';
import { buildKlineInsert, checkKlineBatch, ClickHouseRawKlineWriter, rawKlineTableFor } from './clickhouse-raw-kline-writer.js';
import { encodeRowBinary } from './row-binary.js';

const T0 = Date.UTC(2024, 0, 1);
const STAMP = { ingestedAtMs: T0, version: klineVersion(T0, 3) };
const target = (marketId: number, symbol = 'BTCUSDT'): KlineTarget => ({
  instrument: InstrumentId.of(marketId, symbol),
  instrumentKey: `k:${marketId}:${symbol}`,
});

function batch(n: number, optional: Parameters<typeof allocateCandleBatch>[1] = new Set()) {
  const b = allocateCandleBatch(n, optional);
  for (let i = 0; i < n; i++) b.openTimeMs[i] = T0 + i * 60_000;
  return b;
}

/** Records inserts: a stand-in for the driver in routing tests (the engines themselves are tested in test/contract). */
class RecordingGateway implements ClickHouseGateway {
  readonly kind = 'server';
  readonly description = 'recording';
  readonly inserts: ColumnarInsert[] = [];
  command(): Promise<void> {
    return Promise.resolve();
  }
  queryRows(): Promise<Record<string, unknown>[]> {
    return Promise.resolve([]);
  }
  insertColumns(insert: ColumnarInsert): Promise<void> {
    this.inserts.push(insert);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('rawKlineTableFor', () => {
  it('routes Binance markets 1, 2 and Bybit markets 3, 4', () => {
    expect(MARKET_IDS.map(rawKlineTableFor)).toEqual(['raw_binance_klines_1m', 'raw_binance_klines_1m', 'raw_bybit_klines_1m', 'raw_bybit_klines_1m']);
  });
});

const byName0 = (ins: ColumnarInsert): Map<string, ColumnarInsert['columns'][number]> => new Map(ins.columns.map((c) => [c.name, c]));

describe('buildKlineInsert', () => {
  it('builds the Binance columns with constants, NULL for absent optionals and close time fallback', () => {
    const b = batch(2, new Set(['quoteVolume', 'closeTimeMs']));
    const ins = buildKlineInsert('md', target(2, 'ETHUSDT'), b, STAMP);
    expect(ins.table).toBe('md.raw_binance_klines_1m');
    expect(ins.rows).toBe(2);
    expect(ins.columns.map((c) => c.name)).toEqual([
      'market_id', 'symbol', 'instrument_key', 'open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time',
      'quote_asset_volume', 'number_of_trades', 'taker_buy_base_asset_volume', 'taker_buy_quote_asset_volume', 'ingested_at', 'version',
    ]);
    expect(byName0(ins).get('version')?.source).toEqual({ kind: 'constant', value: STAMP.version });
    const byName = new Map(ins.columns.map((c) => [c.name, c]));
    expect(byName.get('market_id')?.source).toEqual({ kind: 'constant', value: 2 });
    expect(byName.get('symbol')?.source).toEqual({ kind: 'constant', value: 'ETHUSDT' });
    expect(byName.get('instrument_key')?.source).toEqual({ kind: 'constant', value: 'k:2:ETHUSDT' });
    expect(byName.get('quote_asset_volume')?.source).toEqual({ kind: 'values', values: b.quoteVolume });
    expect(byName.get('number_of_trades')?.source).toEqual({ kind: 'null' });
    expect(byName.get('close_time')?.source).toEqual({ kind: 'values-or-offset', values: b.closeTimeMs, base: b.openTimeMs, offset: 59_999 });
  });

  it('builds the Bybit columns: start_time and turnover from the quote volume', () => {
    const b = batch(1, new Set(['quoteVolume', 'trades']));
    const ins = buildKlineInsert('md', target(3), b, STAMP);
    expect(ins.table).toBe('md.raw_bybit_klines_1m');
    expect(ins.columns.map((c) => c.name)).toEqual([
      'market_id', 'symbol', 'instrument_key', 'start_time', 'open', 'high', 'low', 'close', 'volume', 'turnover', 'ingested_at', 'version',
    ]);
    expect(ins.columns.find((c) => c.name === 'turnover')?.source).toEqual({ kind: 'values', values: b.quoteVolume });
    // RowBinary: market_id 1 + symbol 1+7 + key 1+11 + start_time 4 + OHLCV 5*8 + turnover 1+8 + ingested_at 4 + version 8
    const bytes = encodeRowBinary(ins);
    expect(bytes.length).toBe(1 + 8 + 12 + 4 + 40 + 9 + 4 + 8);
    // The version is exact above 2^53: little-endian UInt64 at the row's end.
    expect(Buffer.from(bytes).readBigUInt64LE(bytes.length - 8)).toBe(STAMP.version);
  });
});

describe('checkKlineBatch', () => {
  it('accepts NaN in optional columns and refuses bad integers and times', () => {
    const b = batch(3, new Set(['trades', 'closeTimeMs']));
    b.trades!.fill(NaN);
    b.closeTimeMs!.fill(NaN);
    expect(() => { checkKlineBatch(target(1), b, STAMP); }).not.toThrow();
    b.trades![1] = 2.5;
    expect(() => { checkKlineBatch(target(1), b, STAMP); }).toThrow(/1:BTCUSDT: batch row 2: trade count 2.5/);
    b.trades![1] = NaN;
    b.openTimeMs[2] = NaN;
    expect(() => { checkKlineBatch(target(1), b, STAMP); }).toThrow(SinkError);
    b.openTimeMs[2] = T0;
    expect(() => { checkKlineBatch(target(1), b, { ingestedAtMs: NaN, version: 0n }); }).toThrow(/ingested-at/);
  });
});

describe('ClickHouseRawKlineWriter', () => {
  it('sends one insert per batch to the routed table, none for an empty batch, and refuses after close', async () => {
    const g = new RecordingGateway();
    const w = new ClickHouseRawKlineWriter(g, 'md');
    await w.write(target(4), batch(3), STAMP);
    await w.write(target(1), batch(0), STAMP);
    await w.write(target(2), batch(2), STAMP);
    expect(g.inserts.map((i) => [i.table, i.rows])).toEqual([
      ['md.raw_bybit_klines_1m', 3],
      ['md.raw_binance_klines_1m', 2],
    ]);
    await w.close();
    await expect(w.write(target(1), batch(1), STAMP)).rejects.toBeInstanceOf(SinkError);
    expect(g.inserts).toHaveLength(2);
  });

  it('refuses an invalid database name', () => {
    expect(() => new ClickHouseRawKlineWriter(new RecordingGateway(), 'md; DROP')).toThrow(ConfigError);
  });
});
