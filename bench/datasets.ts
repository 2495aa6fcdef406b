/**
 * Deterministic benchmark inputs, generated once with DuckDB into a cache
 * directory outside the repository (`BARFILL_BENCH_CACHE`, default
 * `${os.tmpdir()}/barfill-bench-cache`) and reused when present.
 *
 * - Binance-layout 1-minute Parquet, one symbol (BTCUSDT), snappy, row groups of
 *   1M rows: a seeded log-price random walk, OHLC consistent, open_time epoch ms
 *   from 2010-01-01T00:00:00Z, close_time = open_time + 59,999; as one file, or
 *   as monthly files like the Binance archive's (one row group each).
 * - inject-csv directories: one file per ticker, header
 *   `ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume`,
 *   390 regular-session minutes per weekday (14:30Z..20:59Z), UTC ISO timestamps.
 *
 * The pseudo-random numbers come from DuckDB's `hash(i, seed)`: the same
 * inputs on every machine with the same DuckDB version.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const GENERATOR_VERSION = 'v1';
export const PARQUET_START_MS = Date.UTC(2010, 0, 1);
export const CSV_TICKER_PREFIX = 'BX';

export function cacheDir(): string {
  const env = process.env['BARFILL_BENCH_CACHE'];
  return path.resolve(env !== undefined && env !== '' ? env : path.join(os.tmpdir(), 'barfill-bench-cache'));
}

async function withDuckDb<T>(fn: (run: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(Math.max(1, os.cpus().length)) });
  const conn = await instance.connect();
  try {
    return await fn(async (sql) => {
      await conn.run(sql);
    });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function sqlPath(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}

/** A uniform [0, 1) number from DuckDB's hash of (i, seed). */
function u(i: string, seed: number): string {
  return `((hash(${i}, ${seed}) % 1000000)::DOUBLE / 1000000.0)`;
}

export interface ParquetDataset {
  /** What barfill is given (`--parquet`, repeated): one file, or the directory of monthly files. */
  readonly input: string;
  /** The files, in time order (the server baseline sends each one). */
  readonly files: readonly string[];
  /** A path or glob naming every file, for chDB's `file()`. */
  readonly glob: string;
  readonly rows: number;
  readonly startMs: number;
  /** Exclusive end: start + rows minutes. */
  readonly endMs: number;
  readonly generatedMs: number;
}

/** A COPY of rows `[from, from + rows)` of the deterministic 1-minute walk, in the Binance layout, to `file`. */
function binanceCopy(file: string, from: number, rows: number, rowGroupSize: number): string {
  return `
    COPY (
      WITH walk AS (
        SELECT i,
               ln(30000.0) + 0.0008 * sum(${u('i', 1)} * 2.0 - 1.0) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING) AS lp
        FROM range(${from + rows}) t(i)
      ),
      px AS (
        SELECT i,
               round(exp(lag(lp, 1, lp) OVER (ORDER BY i)), 2) AS o,
               round(exp(lp), 2) AS c
        FROM walk
      ),
      bars AS (
        SELECT i, o, c,
               round(greatest(o, c) * (1.0 + 0.0006 * ${u('i', 2)}), 2) AS h,
               round(least(o, c) * (1.0 - 0.0006 * ${u('i', 3)}), 2) AS l,
               round(2.0 + 60.0 * ${u('i', 4)} * ${u('i', 4)}, 5) AS v,
               0.3 + 0.4 * ${u('i', 5)} AS taker_share
        FROM px
      )
      SELECT
        (${PARQUET_START_MS}::BIGINT + i * 60000)::BIGINT AS open_time,
        o AS open, h AS high, l AS low, c AS close, v AS volume,
        (${PARQUET_START_MS}::BIGINT + i * 60000 + 59999)::BIGINT AS close_time,
        round(v * (o + c) / 2.0, 8) AS quote_asset_volume,
        (40 + floor(v * 35.0))::BIGINT AS number_of_trades,
        round(v * taker_share, 5) AS taker_buy_base_asset_volume,
        round(v * taker_share * (o + c) / 2.0, 8) AS taker_buy_quote_asset_volume,
        0::BIGINT AS ignore
      FROM bars
      WHERE i >= ${from}
      ORDER BY i
    ) TO ${sqlPath(file)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroupSize})`;
}

/** The Binance-layout Parquet of `rows` 1-minute candles in one file, row groups of 1M rows (generated when missing). */
export async function binanceParquet(rows: number): Promise<ParquetDataset> {
  const dir = cacheDir();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `binance-BTCUSDT-1m-${rows}-${GENERATOR_VERSION}.parquet`);
  const t0 = performance.now();
  if (!existsSync(file)) {
    const tmp = `${file}.tmp-${process.pid}`;
    await withDuckDb((run) => run(binanceCopy(tmp, 0, rows, 1_000_000)));
    await rename(tmp, file);
  }
  return { input: file, files: [file], glob: file, rows, startMs: PARQUET_START_MS, endMs: PARQUET_START_MS + rows * 60_000, generatedMs: performance.now() - t0 };
}

/** Minutes in calendar month `m` (0-based, counted from January of 2010). */
function monthMinutes(m: number): number {
  const start = Date.UTC(2010, m, 1);
  const end = Date.UTC(2010, m + 1, 1);
  return (end - start) / 60_000;
}

/**
 * `months` monthly files as the Binance archive publishes them (one per calendar month from January 2010, named
 * `BTCUSDT-1m-YYYY-MM.parquet`, one row group each), of the same walk as `binanceParquet` (generated when missing).
 */
export async function binanceMonthly(months: number): Promise<ParquetDataset> {
  const root = cacheDir();
  await mkdir(root, { recursive: true });
  const dir = path.join(root, `binance-BTCUSDT-1m-monthly-${months}-${GENERATOR_VERSION}`);
  const names = Array.from({ length: months }, (_, m) => `BTCUSDT-1m-${new Date(Date.UTC(2010, m, 1)).toISOString().slice(0, 7)}.parquet`);
  const offsets = Array.from({ length: months }, (_, m) => Array.from({ length: m }, (_, k) => monthMinutes(k)).reduce((a, b) => a + b, 0));
  const rows = offsets.at(-1)! + monthMinutes(months - 1);
  const t0 = performance.now();
  if (!existsSync(dir)) {
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await withDuckDb(async (run) => {
      for (let m = 0; m < months; m++) await run(binanceCopy(path.join(tmp, names[m]!), offsets[m]!, monthMinutes(m), 1_000_000));
    });
    await rename(tmp, dir);
  }
  return {
    input: dir,
    files: names.map((n) => path.join(dir, n)),
    glob: path.join(dir, '*.parquet'),
    rows,
    startMs: PARQUET_START_MS,
    endMs: PARQUET_START_MS + rows * 60_000,
    generatedMs: performance.now() - t0,
  };
}

export interface CsvDataset {
  readonly dir: string;
  readonly files: readonly string[];
  readonly tickers: number;
  readonly rowsPerTicker: number;
  readonly rows: number;
  readonly generatedMs: number;
}

/** A directory of `tickers` inject-csv files of `rowsPerTicker` 1-minute bars each (generated when missing). */
export async function csvDirectory(tickers: number, rowsPerTicker: number): Promise<CsvDataset> {
  const root = cacheDir();
  await mkdir(root, { recursive: true });
  const dir = path.join(root, `csv-${tickers}x${rowsPerTicker}-${GENERATOR_VERSION}`);
  const t0 = performance.now();
  if (!existsSync(dir)) {
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await withDuckDb(async (run) => {
      for (let t = 0; t < tickers; t++) {
        const ticker = `${CSV_TICKER_PREFIX}${String(t).padStart(3, '0')}`;
        const seed = 1000 + t * 10;
        const start = 20 + ((t * 37) % 400);
        await run(`
          COPY (
            WITH walk AS (
              SELECT i,
                     ln(${start}.0) + 0.0006 * sum(${u('i', seed)} * 2.0 - 1.0) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING) AS lp
              FROM range(${rowsPerTicker}) t(i)
            ),
            px AS (
              SELECT i, round(exp(lag(lp, 1, lp) OVER (ORDER BY i)), 2) AS o, round(exp(lp), 2) AS c FROM walk
            )
            SELECT
              '${ticker}' AS ticker,
              'NASDAQ' AS exchange,
              1 AS interval_minutes,
              strftime(TIMESTAMP '2015-01-05 14:30:00'
                       + to_days(CAST((i // 390) // 5 * 7 + (i // 390) % 5 AS INTEGER))
                       + to_minutes(CAST(i % 390 AS BIGINT)), '%Y-%m-%dT%H:%M:%SZ') AS timestamp,
              o AS open,
              round(greatest(o, c) * (1.0 + 0.001 * ${u('i', seed + 1)}), 2) AS high,
              round(least(o, c) * (1.0 - 0.001 * ${u('i', seed + 2)}), 2) AS low,
              c AS close,
              (100 + floor(50000.0 * ${u('i', seed + 3)} * ${u('i', seed + 3)}))::BIGINT AS volume
            FROM px
            ORDER BY i
          ) TO ${sqlPath(path.join(tmp, `${ticker}.csv`))} (FORMAT csv, HEADER true)`);
      }
    });
    await rename(tmp, dir);
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dir, f));
  if (files.length !== tickers) throw new Error(`${dir}: expected ${tickers} CSV files, found ${files.length}; delete it to regenerate`);
  return { dir, files, tickers, rowsPerTicker, rows: tickers * rowsPerTicker, generatedMs: performance.now() - t0 };
}
