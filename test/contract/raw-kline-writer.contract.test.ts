/**
 * The RawKlineWriter contract (ClickHouse), run over the embedded engine (chDB
 * in a temporary directory) and over the real server (Debian's 18.16 in CI; a
 * fresh database per run, dropped afterwards). Both go through
 * `openClickHouse`, the CLI's wiring, so routing, the migrations and the
 * materialized views are exercised exactly as `barfill backfill-1m` uses them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../../apps/cli/wiring/db/clickhouse.js';
import type { ClickHouseHandle } from '../../apps/cli/wiring/db/clickhouse.js';
import { ClickHouseRawKlineWriter } from '../../src/adapters/clickhouse/clickhouse-raw-kline-writer.js';
import { loadClickHouseMigrations } from '../../src/adapters/clickhouse/clickhouse-migrator.js';
import { allocateCandleBatch, OPTIONAL_CANDLE_COLUMNS } from '../../src/application/candle-batch.js';
import type { CandleBatch } from '../../src/application/candle-batch.js';
import { klineVersion, type KlineTarget } from '../../src/application/ports/raw-kline-writer.js';
import { SinkError } from '../../src/kernel/errors.js';
import { InstrumentId } from '../../src/kernel/instrument-id.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { chServerUrl, clickhouseAvailable, requirePrerequisite, requireServer } from '../../test-support/servers.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 31, 23, 58); // crosses a month (partition) boundary
const INGEST_1 = { ingestedAtMs: Date.UTC(2024, 5, 1, 12, 0, 0), version: klineVersion(Date.UTC(2024, 5, 1, 12, 0, 0), 0) };
const INGEST_2 = { ingestedAtMs: Date.UTC(2024, 5, 1, 12, 5, 0), version: klineVersion(Date.UTC(2024, 5, 1, 12, 5, 0), 0) };
const ALL_VERSIONS = loadClickHouseMigrations().map((m) => m.version);

type Optional = (typeof OPTIONAL_CANDLE_COLUMNS)[number];

function target(marketId: number, symbol: string): KlineTarget {
  const venue = marketId <= 2 ? 'binance' : 'bybit';
  const type = marketId === 1 || marketId === 3 ? 'spot' : marketId === 2 ? 'usdm' : 'linear';
  return { instrument: InstrumentId.of(marketId, symbol), instrumentKey: `${venue}:${type}:${symbol}` };
}

/** `n` minutes from `start`, deterministic values; optional columns as listed. */
function candles(start: number, n: number, optional: readonly Optional[] = OPTIONAL_CANDLE_COLUMNS): CandleBatch {
  const b = allocateCandleBatch(n, new Set(optional));
  for (let i = 0; i < n; i++) {
    const base = 42_000 + i + 1 / 3;
    b.openTimeMs[i] = start + i * MIN;
    b.open[i] = base;
    b.high[i] = base + 0.1 + 0.2; // 0.30000000000000004 steps: exact doubles must survive
    b.low[i] = base - 7.25;
    b.close[i] = base + 1.5;
    b.volume[i] = 12.345678901234 + i;
    if (b.closeTimeMs) b.closeTimeMs[i] = start + i * MIN + 59_999;
    if (b.quoteVolume) b.quoteVolume[i] = 518_000.125 + i;
    if (b.trades) b.trades[i] = 1000 + i;
    if (b.takerBuyBaseVolume) b.takerBuyBaseVolume[i] = 6.5 + i;
    if (b.takerBuyQuoteVolume) b.takerBuyQuoteVolume[i] = 273_000.75 + i;
  }
  return b;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

interface StoreUnderTest {
  readonly handle: ClickHouseHandle;
  /** Drops what the store created (server) or removes its directory (embedded). */
  cleanup(): Promise<void>;
}

/** The contract: any ClickHouse store opened through the wiring must pass it. */
function rawKlineWriterContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`RawKlineWriter contract: ${name}`, () => {
    let store: StoreUnderTest;
    let h: ClickHouseHandle;
    let db: string;
    const rows = (sql: string): Promise<Record<string, unknown>[]> => h.gateway.queryRows(sql);

    beforeAll(async () => {
      store = await open();
      h = store.handle;
      db = h.database;
    });

    afterAll(async () => {
      await store.cleanup();
    });

    it('migrates idempotently: versions applied once and recorded once', async () => {
      expect(await h.migrate()).toEqual(ALL_VERSIONS);
      expect(await h.migrate()).toEqual([]);
      const recorded = await rows(`SELECT version, count() AS n FROM ${db}.schema_migrations GROUP BY version ORDER BY version`);
      expect(recorded.map((r) => [String(r['version']), num(r['n'])])).toEqual(ALL_VERSIONS.map((v) => [v, 1]));
      const markets = await rows(`SELECT market_id, venue, market_type FROM ${db}.ref_market FINAL ORDER BY market_id`);
      expect(markets.map((r) => [num(r['market_id']), r['venue'], r['market_type']])).toEqual([
        [1, 'binance', 'spot'],
        [2, 'binance', 'usdm'],
        [3, 'bybit', 'spot'],
        [4, 'bybit', 'linear'],
      ]);
    });

    it('market 1 lands in raw_binance_klines_1m with exact values, NULL for unknowns, and in canonical', async () => {
      const w = h.createRawKlineWriter();
      const t = target(1, 'BTCUSDT');
      const b = candles(T0, 3, ['closeTimeMs', 'quoteVolume', 'trades', 'takerBuyBaseVolume']); // no taker-buy quote column
      b.closeTimeMs![1] = NaN; // unknown close time -> open + 59,999
      b.quoteVolume![2] = NaN; // unknown -> NULL
      b.trades![0] = NaN;
      await w.write(t, b, INGEST_1);
      await w.close();

      const raw = await rows(
        `SELECT market_id, symbol, instrument_key, toUnixTimestamp(open_time) AS t, open, high, low, close, volume,
                toString(close_time) AS close_time, quote_asset_volume, toString(number_of_trades) AS trades,
                taker_buy_base_asset_volume AS tbb, taker_buy_quote_asset_volume AS tbq, toUnixTimestamp(ingested_at) AS ing
         FROM ${db}.raw_binance_klines_1m WHERE symbol = 'BTCUSDT' ORDER BY open_time`,
      );
      expect(raw).toHaveLength(3);
      for (let i = 0; i < 3; i++) {
        const r = raw[i]!;
        expect(num(r['market_id'])).toBe(1);
        expect(r['symbol']).toBe('BTCUSDT');
        expect(r['instrument_key']).toBe('binance:spot:BTCUSDT');
        expect(num(r['t'])).toBe((T0 + i * MIN) / 1000);
        expect(num(r['open'])).toBe(b.open[i]);
        expect(num(r['high'])).toBe(b.high[i]);
        expect(num(r['low'])).toBe(b.low[i]);
        expect(num(r['close'])).toBe(b.close[i]);
        expect(num(r['volume'])).toBe(b.volume[i]);
        expect(r['close_time']).toBe(String(T0 + i * MIN + 59_999));
        expect(num(r['quote_asset_volume'])).toBe(i === 2 ? null : b.quoteVolume![i]);
        expect(r['trades']).toBe(i === 0 ? null : String(1000 + i));
        expect(num(r['tbb'])).toBe(b.takerBuyBaseVolume![i]);
        expect(r['tbq']).toBeNull();
        expect(num(r['ing'])).toBe(INGEST_1.ingestedAtMs / 1000);
      }

      const canon = await rows(
        `SELECT instrument_key, market_id, symbol, toUnixTimestamp(ts) AS t, open, high, low, close, volume, quote_volume,
                toString(trades) AS trades, toUnixTimestamp(ingested_at) AS ing, toString(version) AS version
         FROM ${db}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:BTCUSDT' ORDER BY ts`,
      );
      expect(canon.map((r) => [r['instrument_key'], num(r['market_id']), r['symbol'], num(r['t'])])).toEqual(
        [0, 1, 2].map((i) => ['binance:spot:BTCUSDT', 1, 'BTCUSDT', (T0 + i * MIN) / 1000]),
      );
      expect(canon.map((r) => num(r['high']))).toEqual([...b.high]);
      expect(canon.map((r) => num(r['quote_volume']))).toEqual([b.quoteVolume![0], b.quoteVolume![1], null]);
      expect(canon.map((r) => r['trades'])).toEqual([null, '1001', '1002']);
      expect(canon.map((r) => num(r['ing']))).toEqual([INGEST_1.ingestedAtMs / 1000, INGEST_1.ingestedAtMs / 1000, INGEST_1.ingestedAtMs / 1000]);
      // The version (above 2^53) arrives exactly through the raw table and the materialized view.
      expect(canon.map((r) => r['version'])).toEqual([0, 1, 2].map(() => INGEST_1.version.toString()));
    });

    it('market 1 without any optional column stores NULLs and close time = open + 59,999', async () => {
      const w = h.createRawKlineWriter();
      await w.write(target(1, 'NOOPTUSDT'), candles(T0, 2, []), INGEST_1);
      const raw = await rows(
        `SELECT toString(close_time) AS ct, quote_asset_volume AS q, number_of_trades AS n, taker_buy_base_asset_volume AS a,
                taker_buy_quote_asset_volume AS b
         FROM ${db}.raw_binance_klines_1m WHERE symbol = 'NOOPTUSDT' ORDER BY open_time`,
      );
      expect(raw).toEqual([
        { ct: String(T0 + 59_999), q: null, n: null, a: null, b: null },
        { ct: String(T0 + MIN + 59_999), q: null, n: null, a: null, b: null },
      ]);
    });

    it('market 4 lands in raw_bybit_klines_1m and in canonical with quote_volume = turnover, trades NULL', async () => {
      const w = h.createRawKlineWriter();
      const b = candles(T0, 2, ['quoteVolume', 'trades']);
      b.quoteVolume![1] = NaN;
      await w.write(target(4, 'ETHUSDT'), b, INGEST_1);
      const raw = await rows(
        `SELECT market_id, symbol, instrument_key, toUnixTimestamp(start_time) AS t, open, high, low, close, volume, turnover,
                toUnixTimestamp(ingested_at) AS ing
         FROM ${db}.raw_bybit_klines_1m WHERE symbol = 'ETHUSDT' ORDER BY start_time`,
      );
      expect(raw.map((r) => [num(r['market_id']), r['symbol'], r['instrument_key'], num(r['t']), num(r['ing'])])).toEqual([
        [4, 'ETHUSDT', 'bybit:linear:ETHUSDT', T0 / 1000, INGEST_1.ingestedAtMs / 1000],
        [4, 'ETHUSDT', 'bybit:linear:ETHUSDT', (T0 + MIN) / 1000, INGEST_1.ingestedAtMs / 1000],
      ]);
      expect(raw.map((r) => [num(r['open']), num(r['high']), num(r['low']), num(r['close']), num(r['volume'])])).toEqual(
        [0, 1].map((i) => [b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]]),
      );
      expect(raw.map((r) => num(r['turnover']))).toEqual([b.quoteVolume![0], null]);
      const canon = await rows(
        `SELECT market_id, toUnixTimestamp(ts) AS t, close, quote_volume, trades
         FROM ${db}.canonical_candles_1m FINAL WHERE instrument_key = 'bybit:linear:ETHUSDT' ORDER BY ts`,
      );
      expect(canon.map((r) => [num(r['market_id']), num(r['t']), num(r['close']), num(r['quote_volume']), r['trades']])).toEqual([
        [4, T0 / 1000, b.close[0], b.quoteVolume![0], null],
        [4, (T0 + MIN) / 1000, b.close[1], null, null],
      ]);
      const inBinance = await rows(`SELECT count() AS n FROM ${db}.raw_binance_klines_1m WHERE symbol = 'ETHUSDT'`);
      expect(num(inBinance[0]!['n'])).toBe(0);
    });

    it('markets 2 and 3 route to the Binance and Bybit raw tables', async () => {
      const w = h.createRawKlineWriter();
      await w.write(target(2, 'SOLUSDT'), candles(T0, 4), INGEST_1);
      await w.write(target(3, 'XRPUSDT'), candles(T0, 5), INGEST_1);
      const where = (table: string): Promise<Record<string, unknown>[]> =>
        rows(`SELECT market_id, symbol, count() AS n FROM ${db}.${table} WHERE symbol IN ('SOLUSDT', 'XRPUSDT') GROUP BY market_id, symbol ORDER BY market_id`);
      expect((await where('raw_binance_klines_1m')).map((r) => [num(r['market_id']), r['symbol'], num(r['n'])])).toEqual([[2, 'SOLUSDT', 4]]);
      expect((await where('raw_bybit_klines_1m')).map((r) => [num(r['market_id']), r['symbol'], num(r['n'])])).toEqual([[3, 'XRPUSDT', 5]]);
      const canon = await rows(
        `SELECT instrument_key, count() AS n FROM ${db}.canonical_candles_1m FINAL
         WHERE instrument_key IN ('binance:usdm:SOLUSDT', 'bybit:spot:XRPUSDT') GROUP BY instrument_key ORDER BY instrument_key`,
      );
      expect(canon.map((r) => [r['instrument_key'], num(r['n'])])).toEqual([
        ['binance:usdm:SOLUSDT', 4],
        ['bybit:spot:XRPUSDT', 5],
      ]);
    });

    it('writing the same batch twice leaves one canonical row per minute under FINAL, the latest ingest', async () => {
      const w = h.createRawKlineWriter();
      const b = candles(T0, 10);
      await w.write(target(1, 'DUPUSDT'), b, INGEST_1);
      await w.write(target(1, 'DUPUSDT'), b, INGEST_2);
      const all = await rows(`SELECT count() AS n FROM ${db}.canonical_candles_1m WHERE instrument_key = 'binance:spot:DUPUSDT'`);
      expect(num(all[0]!['n'])).toBeGreaterThanOrEqual(10); // 20 until merged
      const fin = await rows(
        `SELECT count() AS n, uniqExact(ts) AS minutes, min(toUnixTimestamp(ingested_at)) AS ing
         FROM ${db}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:DUPUSDT'`,
      );
      expect([num(fin[0]!['n']), num(fin[0]!['minutes']), num(fin[0]!['ing'])]).toEqual([10, 10, INGEST_2.ingestedAtMs / 1000]);
      const raw = await rows(`SELECT count() AS n FROM ${db}.raw_binance_klines_1m FINAL WHERE symbol = 'DUPUSDT'`);
      expect(num(raw[0]!['n'])).toBe(10);
    });

    it('writes several batches, including subarray views and a large one', async () => {
      const w = h.createRawKlineWriter();
      const big = candles(T0, 30_000);
      // three views of one batch's memory, as a source reusing its buffers would hand them over
      const slices: [number, number][] = [
        [0, 1],
        [1, 10_000],
        [10_000, 30_000],
      ];
      for (const [from, to] of slices) {
        const view: CandleBatch = {
          length: to - from,
          openTimeMs: big.openTimeMs.subarray(from, to),
          open: big.open.subarray(from, to),
          high: big.high.subarray(from, to),
          low: big.low.subarray(from, to),
          close: big.close.subarray(from, to),
          volume: big.volume.subarray(from, to),
          closeTimeMs: big.closeTimeMs!.subarray(from, to),
          quoteVolume: big.quoteVolume!.subarray(from, to),
          trades: big.trades!.subarray(from, to),
          takerBuyBaseVolume: big.takerBuyBaseVolume!.subarray(from, to),
          takerBuyQuoteVolume: big.takerBuyQuoteVolume!.subarray(from, to),
        };
        await w.write(target(2, 'MANYUSDT'), view, INGEST_1);
      }
      const r = await rows(
        `SELECT count() AS n, min(toUnixTimestamp(ts)) AS lo, max(toUnixTimestamp(ts)) AS hi, sum(trades) AS trades
         FROM ${db}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:usdm:MANYUSDT'`,
      );
      const expectedTrades = 30_000 * 1000 + (29_999 * 30_000) / 2;
      expect([num(r[0]!['n']), num(r[0]!['lo']), num(r[0]!['hi']), num(r[0]!['trades'])]).toEqual([
        30_000,
        T0 / 1000,
        (T0 + 29_999 * MIN) / 1000,
        expectedTrades,
      ]);
      const check = await rows(
        `SELECT toString(close_time) AS ct, open FROM ${db}.raw_binance_klines_1m WHERE symbol = 'MANYUSDT' AND open_time = toDateTime(${(T0 + 12_345 * MIN) / 1000}, 'UTC')`,
      );
      expect(check).toEqual([{ ct: String(T0 + 12_345 * MIN + 59_999), open: big.open[12_345] }]);
    });

    it('queryRows reads rows, with or without a trailing semicolon', async () => {
      expect((await rows('SELECT 1 AS x, \'a\' AS s;  ')).map((r) => [num(r['x']), r['s']])).toEqual([[1, 'a']]);
      expect(await rows(`SELECT market_id FROM ${db}.ref_market WHERE market_id = 0`)).toEqual([]);
    });

    it('an empty batch is a no-op', async () => {
      const w = h.createRawKlineWriter();
      await w.write(target(3, 'EMPTYUSDT'), candles(T0, 0), INGEST_1);
      const r = await rows(`SELECT count() AS n FROM ${db}.raw_bybit_klines_1m WHERE symbol = 'EMPTYUSDT'`);
      expect(num(r[0]!['n'])).toBe(0);
    });

    it('fails with a SinkError: after close, into a missing database, for an out-of-range time', async () => {
      const w = h.createRawKlineWriter();
      await w.close();
      await expect(w.write(target(1, 'BTCUSDT'), candles(T0, 1), INGEST_1)).rejects.toThrow(/closed/);
      await expect(w.write(target(1, 'BTCUSDT'), candles(T0, 1), INGEST_1)).rejects.toBeInstanceOf(SinkError);

      const missing = new ClickHouseRawKlineWriter(h.gateway, `barfill_missing_${randomBytes(4).toString('hex')}`);
      const err = await missing.write(target(4, 'BTCUSDT'), candles(T0, 2), INGEST_1).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SinkError);
      expect((err as SinkError).dbCode).toMatch(/^(60|81)$/); // UNKNOWN_TABLE or UNKNOWN_DATABASE
      expect((err as SinkError).message).toMatch(/4:BTCUSDT/);
      expect((err as SinkError).message).toMatch(/raw_bybit_klines_1m/);

      const bad = candles(T0, 3);
      bad.openTimeMs[2] = -MIN;
      await expect(h.createRawKlineWriter().write(target(1, 'BADUSDT'), bad, INGEST_1)).rejects.toThrow(/row 3: open time/);
      const r = await rows(`SELECT count() AS n FROM ${db}.raw_binance_klines_1m WHERE symbol = 'BADUSDT'`);
      expect(num(r[0]!['n'])).toBe(0);
    });
  });
}

// ---- embedded engine (chDB): one per test file, a temporary BARFILL_HOME ----

let chdbInstalled = true;
try {
  await import('chdb');
} catch {
  chdbInstalled = false;
}
const chdbRuns = requirePrerequisite('chdb (the optional embedded ClickHouse package)', chdbInstalled);

describe.skipIf(!chdbRuns)('embedded', () => {
  rawKlineWriterContract('embedded ClickHouse (chDB)', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'barfill-ch-contract-'));
    const handle = await openClickHouse({}, { home, logger: silentLogger });
    expect(handle.embedded).toBe(true);
    expect(handle.description).toBe(`embedded ClickHouse (chDB) at ${path.join(home, 'clickhouse')}`);
    return {
      handle,
      async cleanup() {
        await handle.close();
        await rm(home, { recursive: true, force: true });
      },
    };
  });
});

// ---- the real server (Debian's 18.16 in CI): a unique database per run ----

const serverUp = await requireServer('ClickHouse server', await clickhouseAvailable());
const serverUrl = new URL(chServerUrl);
const serverEnv = (database: string, extra: Record<string, string> = {}): Record<string, string> => ({
  CH_HOST: serverUrl.hostname,
  CH_PORT: serverUrl.port || '8123',
  CH_DATABASE: database,
  ...extra,
});

describe.skipIf(!serverUp)('server', () => {
  rawKlineWriterContract(`ClickHouse server ${chServerUrl}`, async () => {
    const database = `barfill_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const handle = await openClickHouse(serverEnv(database), { home: os.tmpdir(), logger: silentLogger });
    expect(handle.embedded).toBe(false);
    expect(handle.description).toBe(`ClickHouse server http://${serverUrl.hostname}:${serverUrl.port || '8123'} database ${database}`);
    return {
      handle,
      async cleanup() {
        await handle.gateway.command(`DROP DATABASE IF EXISTS ${database}`);
        await handle.close();
      },
    };
  });

  it('a wrong password gives a SinkError with the ClickHouse code and without the password', async () => {
    const secret = `pw-${randomBytes(6).toString('hex')}`;
    const handle = await openClickHouse(serverEnv('barfill_never_created', { CH_PASSWORD: secret }), {
      home: os.tmpdir(),
      logger: silentLogger,
    });
    try {
      const err = await handle.migrate().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SinkError);
      expect((err as SinkError).dbCode).toMatch(/^\d+$/);
      expect((err as SinkError).message).not.toContain(secret);
    } finally {
      await handle.close();
    }
  });
});
