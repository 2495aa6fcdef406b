import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './cli.js';
import { embeddedCh, serverCh, type ChTarget } from './ch-target.js';
import {
  writeBinanceSpotParquet,
  writeBinanceFuturesParquet,
  writeBybitParquet,
  writeGenericParquet,
  writeTruncatedCopy,
  writeNotParquet,
  type ExpectedCandle,
} from '../../test-support/parquet-fixtures.js';

const T0 = Date.UTC(2024, 4, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const num = (v: unknown): number => Number(v);

function run(t: ChTarget, args: string[]) {
  return runCli(['backfill-1m', ...args], { env: t.env() });
}

/** The JSON report from a `--report-format json` run's stderr. */
function reportOf(stderr: string): Record<string, unknown> {
  const line = stderr.split('\n').find((l) => l.includes('"backfill-1m report"'));
  expect(line, stderr).toBeDefined();
  return (JSON.parse(line ?? '{}') as { report: Record<string, unknown> }).report;
}

const inRange = (e: readonly ExpectedCandle[], from: number, to: number, symbol?: string) =>
  e.filter((c) => c.invalid === undefined && c.openTimeMs >= from && c.openTimeMs < to && (symbol === undefined || c.symbol === symbol));

for (const make of [async () => Promise.resolve(embeddedCh()), serverCh]) {
  describe('backfill-1m end to end', () => {
    let t: ChTarget | undefined;
    const dir = tempDir('pq');
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('market 1, Binance spot in microseconds: exact raw and canonical rows inside [start, end)', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const f = await writeBinanceSpotParquet(path.join(dir, 'binance-us.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: 120, timeUnit: 'us', rowGroupSize: 40 });
      const from = T0 + 10 * 60_000, to = T0 + 100 * 60_000;
      const r = await run(t, ['--market-id', '1', '--symbol', 'btcusdt', '--start', iso(from), '--end', iso(to).replace('Z', '+00:00'), '--parquet', f.path, '--batch-size', '25', '--report-format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const report = reportOf(r.stderr);
      expect(report).toMatchObject({ outcome: 'success', candles_read: 90, rows_written: 90, batches_written: 4, rows_rejected: 0, time_units: ['us'], instrument_key: 'binance:spot:BTCUSDT' });
      expect(r.stderr.split('\n').filter((l) => l !== '').every((l) => l.startsWith('{'))).toBe(true);

      const want = inRange(f.expected, from, to);
      const raw = await t.rows(`SELECT toUInt64(open_time) * 1000 AS t, open, high, low, close, volume, close_time, quote_asset_volume, number_of_trades, taker_buy_base_asset_volume, taker_buy_quote_asset_volume, market_id, symbol, instrument_key FROM ${t.database}.raw_binance_klines_1m FINAL ORDER BY open_time`);
      expect(raw).toHaveLength(90);
      raw.forEach((row, i) => {
        const e = want[i]!;
        expect([num(row['t']), row['open'], row['high'], row['low'], row['close'], row['volume'], num(row['close_time']), row['quote_asset_volume'], num(row['number_of_trades']), row['taker_buy_base_asset_volume'], row['taker_buy_quote_asset_volume']]).toEqual([
          e.openTimeMs, e.open, e.high, e.low, e.close, e.volume, e.openTimeMs + 59_999, e.quoteVolume, e.trades, e.takerBuyBaseVolume, e.takerBuyQuoteVolume,
        ]);
        expect([num(row['market_id']), row['symbol'], row['instrument_key']]).toEqual([1, 'BTCUSDT', 'binance:spot:BTCUSDT']);
      });
      const canon = await t.rows(`SELECT instrument_key, toUInt64(ts) * 1000 AS t, open, close, volume, quote_volume, trades FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:BTCUSDT' ORDER BY ts`);
      expect(canon.map((c) => [num(c['t']), c['open'], c['close'], c['volume'], c['quote_volume'], num(c['trades'])])).toEqual(want.map((e) => [e.openTimeMs, e.open, e.close, e.volume, e.quoteVolume, e.trades]));

      // A rerun of the same range leaves one canonical row per minute.
      const again = await run(t, ['--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(from), '--end', iso(to), '--parquet', f.path]);
      expect(again.code, again.stderr).toBe(0);
      const counts = await t.rows(`SELECT count() AS n, uniqExact(ts) AS u FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:BTCUSDT'`);
      expect([num(counts[0]?.['n']), num(counts[0]?.['u'])]).toEqual([90, 90]);
    });

    it('market 4, Bybit startTime with decimal strings and a symbol column: only the symbol, quote volume from turnover', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const bybitDir = tempDir('bybit');
      mkdirSync(path.join(bybitDir, 'nested'));
      writeFileSync(path.join(bybitDir, 'nested', 'README.txt'), 'not parquet: ignored');
      const f = await writeBybitParquet(path.join(bybitDir, 'nested', 'bybit.parquet'), { symbols: ['ETHUSDT', 'SOLUSDT'], startMs: T0, minutes: 30, timeColumn: 'startTime', valuesAsStrings: true });
      const r = await run(t, ['--market-id', '4', '--symbol', 'ETHUSDT', '--start', iso(T0), '--end', iso(T0 + 3_600_000), '--parquet', bybitDir, '--report-format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({ candles_read: 30, rows_written: 30, rows_rejected: 0 });
      const want = inRange(f.expected, T0, T0 + 3_600_000, 'ETHUSDT');
      const raw = await t.rows(`SELECT toUInt64(start_time) * 1000 AS t, open, high, low, close, volume, turnover, market_id, instrument_key FROM ${t.database}.raw_bybit_klines_1m FINAL WHERE symbol = 'ETHUSDT' ORDER BY start_time`);
      expect(raw.map((x) => [num(x['t']), x['open'], x['high'], x['low'], x['close'], x['volume'], x['turnover'], num(x['market_id']), x['instrument_key']])).toEqual(
        want.map((e) => [e.openTimeMs, e.open, e.high, e.low, e.close, e.volume, e.quoteVolume, 4, 'bybit:linear:ETHUSDT']),
      );
      const canon = await t.rows(`SELECT count() AS n, sum(quote_volume) AS q, countIf(trades IS NULL) AS nulls FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'bybit:linear:ETHUSDT'`);
      expect(num(canon[0]?.['n'])).toBe(30);
      expect(num(canon[0]?.['nulls'])).toBe(30);
      expect(num(canon[0]?.['q'])).toBeCloseTo(want.reduce((a, e) => a + (e.quoteVolume ?? 0), 0), 6);
      const other = await t.rows(`SELECT count() AS n FROM ${t.database}.raw_bybit_klines_1m WHERE symbol = 'SOLUSDT'`);
      expect(num(other[0]?.['n'])).toBe(0);
    });

    const genericCases = [
      { name: 'generic TIMESTAMP(ns, UTC), decimal prices', unit: 'ns', opts: { timeColumn: 'timestamp', time: { kind: 'timestamp-tz', unit: 'ns' }, values: 'decimal' } },
      { name: 'generic ts as epoch seconds', unit: 's', opts: { timeColumn: 'ts', time: { kind: 'epoch', unit: 's' } } },
      { name: 'generic naive TIMESTAMP(ms) read as UTC', unit: 'ms', opts: { timeColumn: 'time', time: { kind: 'timestamp', unit: 'ms' }, writer: 'duckdb' } },
    ] as const;
    for (const c of genericCases) {
      it(`market 3, ${c.name}`, async (ctx) => {
        if (t === undefined) return ctx.skip();
        const sym = `G${c.unit.toUpperCase()}USDT`;
        const f = await writeGenericParquet(path.join(tempDir('gen'), 'g.parquet'), { symbol: sym, startMs: T0, minutes: 20, ...c.opts });
        const r = await run(t, ['--market-id', '3', '--symbol', sym, '--start', iso(T0), '--end', iso(T0 + 20 * 60_000), '--parquet', f.path, '--report-format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        expect(reportOf(r.stderr)).toMatchObject({ rows_written: 20, time_units: [c.unit] });
        const rows = await t.rows(`SELECT toUInt64(ts) * 1000 AS t, open, close FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'bybit:spot:${sym}' ORDER BY ts`);
        expect(rows.map((x) => [num(x['t']), x['open'], x['close']])).toEqual(f.expected.map((e) => [e.openTimeMs, e.open, e.close]));
      });
    }

    it('market 2, Binance futures header names', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const f = await writeBinanceFuturesParquet(path.join(tempDir('fut'), 'f.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: 15 });
      const r = await run(t, ['--market-id', '2', '--symbol', 'BTCUSDT', '--start', iso(T0), '--end', iso(T0 + 15 * 60_000), '--parquet', f.path]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/layout=binance-futures/);
      const rows = await t.rows(`SELECT count() AS n, sum(number_of_trades) AS tr FROM ${t.database}.raw_binance_klines_1m FINAL WHERE market_id = 2`);
      expect(num(rows[0]?.['n'])).toBe(15);
      expect(num(rows[0]?.['tr'])).toBe(f.expected.reduce((a, e) => a + (e.trades ?? 0), 0));
    });

    it('rejects invalid rows by reason, writes them to the reject file, and writes the valid rows', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const f = await writeBinanceSpotParquet(path.join(tempDir('inv'), 'inv.parquet'), { symbol: 'XRPUSDT', startMs: T0, minutes: 20, invalidRows: [2, 5, 9, 14] });
      const rejects = path.join(tempDir('rej'), 'rejects.csv');
      const r = await run(t, ['--market-id', '1', '--symbol', 'XRPUSDT', '--start', iso(T0), '--end', iso(T0 + 20 * 60_000), '--parquet', f.path, '--reject-file', rejects, '--report-format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({
        candles_read: 20,
        rows_written: 16,
        rows_rejected: 4,
        rejected_by_reason: { time_not_minute_aligned: 1, non_finite_value: 1, negative_value: 1, high_low_inconsistent: 1, duplicate_minute: 0 },
      });
      const lines = readFileSync(rejects, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines.slice(1).map((l) => l.split(',').slice(1, 3).join(','))).toEqual([
        '3,time_not_minute_aligned',
        '6,non_finite_value',
        '10,negative_value',
        '15,high_low_inconsistent',
      ]);
      const rows = await t.rows(`SELECT count() AS n FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:XRPUSDT'`);
      expect(num(rows[0]?.['n'])).toBe(16);
    });

    it('a corrupt file fails the run with its path before anything is written', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const d = tempDir('corrupt');
      const good = await writeBinanceSpotParquet(path.join(d, 'a-good.parquet'), { symbol: 'ADAUSDT', startMs: T0, minutes: 10 });
      await writeTruncatedCopy(good.path, path.join(d, 'b-truncated.parquet'));
      const r = await run(t, ['--market-id', '1', '--symbol', 'ADAUSDT', '--start', iso(T0), '--end', iso(T0 + 600_000), '--parquet', d]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/b-truncated\.parquet/);
      const notPq = await writeNotParquet(path.join(tempDir('np'), 'x.parquet'));
      const r2 = await run(t, ['--market-id', '1', '--symbol', 'ADAUSDT', '--start', iso(T0), '--end', iso(T0 + 600_000), '--parquet', notPq]);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain(notPq);
      const rows = await t.rows(`SELECT count() AS n FROM ${t.database}.raw_binance_klines_1m WHERE symbol = 'ADAUSDT'`);
      expect(num(rows[0]?.['n'])).toBe(0);
    });

    it('a missing path and a malformed market config are usage/config errors (exit 2)', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await run(t, ['--market-id', '1', '--symbol', 'X', '--start', iso(T0), '--end', iso(T0 + 60_000), '--parquet', '/nonexistent/x.parquet']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\/nonexistent\/x\.parquet/);
      const cfg = path.join(tempDir('cfg'), 'bad.yaml');
      writeFileSync(cfg, 'markets:\n  1: { venue: binance }\n');
      const f = await writeBinanceSpotParquet(path.join(tempDir('cfgpq'), 'c.parquet'), { symbol: 'X', startMs: T0, minutes: 1 });
      const r2 = await run(t, ['--market-id', '1', '--symbol', 'X', '--start', iso(T0), '--end', iso(T0 + 60_000), '--parquet', f.path, '--config', cfg]);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/bad\.yaml: key 'markets\.1\.market_type'/);
    });
  });
}
