/**
 * Bad input files, written at test time (nothing big is committed): Parquet
 * files with zero rows, wrong column types, NULLs everywhere or a 1 MB symbol
 * (written by DuckDB), and CSV files that are binary, huge, ragged, with
 * duplicated headers, empty or header-only.
 */
import { seededRandom } from '../seeded-random.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Open time of the first row of every Parquet fixture: 2024-05-01T00:00:00Z. */
export const CORPUS_T0 = Date.UTC(2024, 4, 1);

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Runs `COPY (<select>) TO <file> (FORMAT parquet)` in an in-memory DuckDB. */
export async function duckdbParquet(file: string, select: string): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return file;
}

/** `n` one-minute generic rows (timestamp as epoch ms) with valid OHLCV, plus `extra` select items. */
function genericRows(n: number, columns: { open?: string; symbol?: string; time?: string } = {}): string {
  const time = columns.time ?? `(${CORPUS_T0} + i * 60000)::BIGINT`;
  const open = columns.open ?? '100.0 + i';
  const sym = columns.symbol === undefined ? '' : `, ${columns.symbol} AS symbol`;
  return (
    `SELECT ${time} AS "timestamp", ${open} AS open, 110.0 + i AS high, 90.0 + i AS low, 105.0 + i AS close, 1.5 AS volume${sym} ` +
    `FROM range(${n}) t(i)`
  );
}

export interface ParquetCorpus {
  readonly zeroRows: string;
  readonly openAsStruct: string;
  readonly openAsList: string;
  readonly openAsText: string;
  readonly timeAsText: string;
  readonly allNulls: string;
  readonly allNullsNoSymbol: string;
  readonly hugeSymbol: string;
  readonly quotedSymbols: string;
}

/** Writes the Parquet corpus under `dir`. Every file has generic layout rows for symbol BTCUSDT unless said. */
export async function writeParquetCorpus(dir: string): Promise<ParquetCorpus> {
  const p = (name: string): string => path.join(dir, name);
  return {
    zeroRows: await duckdbParquet(p('zero-rows.parquet'), `${genericRows(10)} LIMIT 0`),
    openAsStruct: await duckdbParquet(p('open-struct.parquet'), genericRows(5, { open: "{'a': 100.0 + i, 'b': 'x'}" })),
    openAsList: await duckdbParquet(p('open-list.parquet'), genericRows(5, { open: '[100.0 + i, 1.0]' })),
    openAsText: await duckdbParquet(p('open-text.parquet'), genericRows(5, { open: "CASE WHEN i % 2 = 0 THEN 'not a number' ELSE (100 + i)::VARCHAR END" })),
    timeAsText: await duckdbParquet(p('time-text.parquet'), genericRows(5, { time: "'2024-05-01 00:00:00'" })),
    allNulls: await duckdbParquet(
      p('all-nulls.parquet'),
      `SELECT NULL::BIGINT AS "timestamp", NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low, NULL::DOUBLE AS close, NULL::DOUBLE AS volume, NULL::VARCHAR AS symbol FROM range(4)`,
    ),
    allNullsNoSymbol: await duckdbParquet(
      p('all-nulls-no-symbol.parquet'),
      `SELECT NULL::BIGINT AS "timestamp", NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low, NULL::DOUBLE AS close, NULL::DOUBLE AS volume FROM range(4)`,
    ),
    hugeSymbol: await duckdbParquet(
      p('huge-symbol.parquet'),
      genericRows(6, { symbol: `CASE WHEN i < 3 THEN 'BTCUSDT' ELSE repeat('S', ${1 << 20}) END` }),
    ),
    quotedSymbols: await duckdbParquet(
      p('quoted-symbols.parquet'),
      genericRows(8, { symbol: `CASE i % 4 WHEN 0 THEN 'BTCUSDT' WHEN 1 THEN 'BTCUSDT'' OR ''1''=''1' WHEN 2 THEN 'x'';DROP TABLE market_data.raw_binance_klines_1m;--' ELSE 'btcusdt"' END` }),
    ),
  };
}

/** A valid generic Parquet file of `minutes` rows for BTCUSDT at `file` (any name: quotes, globs, semicolons). */
export function writeGenericAt(file: string, minutes: number, startMs = CORPUS_T0): Promise<string> {
  return duckdbParquet(file, genericRows(minutes, { time: `(${startMs} + i * 60000)::BIGINT` }));
}

export const CSV_HEADER = 'ticker,timestamp,open,high,low,close,volume';

/** A valid CSV row for `ticker` at minute `m` after 2024-03-08T14:30:00Z. */
export function csvRow(ticker: string, m: number): string {
  const t = new Date(Date.UTC(2024, 2, 8, 14, 30) + m * 60_000).toISOString();
  return `${ticker},${t},10,12,9,11,100`;
}

/** Writes one CSV corpus file into its own directory (inject-csv takes a directory). */
export function writeCsvCase(root: string, name: string, content: string | Buffer): string {
  const dir = path.join(root, name.replace(/\W+/g, '_'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), content);
  return dir;
}

/**
 * Bytes that are not text, the same every run (seeded): a test on them must not
 * depend on chance (unseeded bytes put a quote in the header line now and then).
 */
export function binaryGarbage(bytes: number, seed = 7): Buffer {
  const next = seededRandom(seed);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.floor(next() * 256);
  return out;
}
