/**
 * Parquet fixture builders for tests (and the examples/ sample file).
 *
 * Each `write*Parquet` function generates deterministic 1-minute candles
 * (seeded random walk), writes them to `path` in one input layout and returns
 * the rows exactly as a correct reader must return them (`expected`), so
 * tests compare exact values.
 *
 * Writers: ClickHouse's Parquet writer through chDB (a different
 * implementation than the DuckDB reader under test) by default; DuckDB's
 * `COPY ... TO` where chDB cannot express a case (naive TIMESTAMP columns
 * without a time zone, TIMESTAMP_NS) or when chDB is not installed.
 *
 * CAUTION: chDB's standalone `query()` throws when a chDB `Session` is open in
 * the same process (chDB allows one engine per process). Call these builders
 * before opening a Session (e.g. in `beforeAll` before the embedded ClickHouse
 * is started), or pass `writer: 'duckdb'`.
 */
import { seededRandom } from './seeded-random.js';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type FixtureWriter = 'chdb' | 'duckdb';
export type FixtureTimeUnit = 's' | 'ms' | 'us' | 'ns';

/** One candle as a correct reader returns it. Optional columns are absent when the layout has none. */
export interface ExpectedCandle {
  /** 1-based row number in the file. */
  readonly rowNumber: number;
  readonly symbol: string;
  readonly openTimeMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly closeTimeMs?: number;
  readonly quoteVolume?: number;
  readonly trades?: number;
  readonly takerBuyBaseVolume?: number;
  readonly takerBuyQuoteVolume?: number;
  /** Set on rows made invalid on purpose: the validator's reason. */
  readonly invalid?: InvalidKind;
}

export type InvalidKind = 'time_not_minute_aligned' | 'non_finite_value' | 'negative_value' | 'high_low_inconsistent';

export interface FixtureResult {
  readonly path: string;
  /** Every row of the file, in file order. */
  readonly expected: readonly ExpectedCandle[];
}

export type FixtureCompression = 'zstd' | 'snappy' | 'gzip' | 'uncompressed';

export interface CommonFixtureOptions {
  /** Symbol of the rows; with `symbols`, rows alternate between them (two symbols per minute). */
  readonly symbol?: string;
  /** Write a `symbol` column with these symbols interleaved (every minute has one row per symbol). */
  readonly symbols?: readonly string[];
  /** First open time, epoch ms (a minute boundary). Default 2024-01-01T00:00:00Z. */
  readonly startMs?: number;
  /** Minutes per symbol. Default 60. */
  readonly minutes?: number;
  /** Rows per Parquet row group. Default: the writer's (one group for small files). */
  readonly rowGroupSize?: number;
  readonly seed?: number;
  /** Make these 0-based row indexes invalid (cycling through the InvalidKind list, or the given kinds). */
  readonly invalidRows?: readonly number[] | ReadonlyMap<number, InvalidKind>;
  readonly writer?: FixtureWriter;
  /** Page compression (default zstd). */
  readonly compression?: FixtureCompression;
  /** DuckDB writer only: Parquet data page version (default 1; 2 brings DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT). */
  readonly dataPageVersion?: 1 | 2;
  /** Starting price (default 42,000). */
  readonly startPrice?: number;
  /** Largest relative close-to-open move per minute (default 0.002, i.e. ±0.2 %). */
  readonly volatility?: number;
}

const DEFAULT_START = Date.UTC(2024, 0, 1);
const INVALID_CYCLE: readonly InvalidKind[] = [
  'time_not_minute_aligned', 'non_finite_value', 'negative_value', 'high_low_inconsistent',
];

const prng = seededRandom;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

interface MutableCandle {
  rowNumber: number;
  symbol: string;
  openTimeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  closeTimeMs: number;
  quoteVolume: number;
  trades: number;
  takerBuyBaseVolume: number;
  takerBuyQuoteVolume: number;
  invalid?: InvalidKind;
}

/** Generates the candles (all columns); layouts pick what they write. */
export function generateCandles(o: CommonFixtureOptions = {}): MutableCandle[] {
  const symbols = o.symbols ?? [o.symbol ?? 'BTCUSDT'];
  const minutes = o.minutes ?? 60;
  const start = o.startMs ?? DEFAULT_START;
  const rnd = prng(o.seed ?? 12345);
  const prices = symbols.map((_, i) => (o.startPrice ?? 42_000) / (i + 1));
  const rows: MutableCandle[] = [];
  for (let m = 0; m < minutes; m++) {
    for (let s = 0; s < symbols.length; s++) {
      const prev = prices[s]!;
      const open = round(prev, 2);
      const close = round(prev * (1 + (rnd() - 0.5) * 2 * (o.volatility ?? 0.002)), 2);
      const high = round(Math.max(open, close) * (1 + rnd() * 0.0015), 2);
      const low = round(Math.min(open, close) * (1 - rnd() * 0.0015), 2);
      prices[s] = close;
      const volume = round(0.5 + rnd() * 40, 5);
      const takerBuyBaseVolume = round(volume * (0.3 + rnd() * 0.4), 5);
      rows.push({
        rowNumber: rows.length + 1,
        symbol: symbols[s]!,
        openTimeMs: start + m * 60_000,
        open, high, low, close, volume,
        closeTimeMs: start + m * 60_000 + 59_999,
        quoteVolume: round(volume * close, 8),
        trades: 50 + Math.floor(rnd() * 2_000),
        takerBuyBaseVolume,
        takerBuyQuoteVolume: round(takerBuyBaseVolume * close, 8),
      });
    }
  }
  const invalid = o.invalidRows;
  if (invalid !== undefined) {
    const entries: [number, InvalidKind][] = Array.isArray(invalid)
      ? (invalid as readonly number[]).map((idx, k) => [idx, INVALID_CYCLE[k % INVALID_CYCLE.length]!])
      : [...(invalid as ReadonlyMap<number, InvalidKind>)];
    for (const [idx, kind] of entries) {
      const r = rows[idx];
      if (r === undefined) throw new Error(`invalidRows: row ${idx} out of range (${rows.length} rows)`);
      r.invalid = kind;
      if (kind === 'time_not_minute_aligned') r.openTimeMs += 30_000;
      else if (kind === 'non_finite_value') r.close = NaN;
      else if (kind === 'negative_value') r.volume = -r.volume;
      else {
        r.low = round(Math.max(r.open, r.close) + 5, 2); // low above open/close
        r.high = round(Math.max(r.open, r.close) + 10, 2);
      }
    }
  }
  return rows;
}

/** An extra invalid kind used by some tests: high below open/close. */
export function makeHighBelow(r: MutableCandle): void {
  r.high = round(Math.min(r.open, r.close) - 1, 2);
  r.invalid = 'high_low_inconsistent';
}

// ---------------------------------------------------------------------------------------------
// Generic column writer
// ---------------------------------------------------------------------------------------------

/** Input column types (what the TSV staging file holds). */
type StageType = 'Int64' | 'Float64' | 'String';

interface OutColumn {
  readonly name: string;
  readonly stage: StageType;
  /** Value per row, rendered as TSV text (bigint/number/string). */
  readonly value: (r: MutableCandle) => bigint | number | string;
  /** Output conversion; `x` is the staged column. Per writer. */
  readonly chdb?: (x: string) => string;
  readonly duckdb?: (x: string) => string;
}

function tsvText(v: bigint | number | string): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return String(v);
  }
  return v.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n');
}

const sqlString = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
const sqlStringDuck = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** Writes `rows` with `columns` to a Parquet file at `outPath`. */
async function writeColumns(
  outPath: string,
  columns: readonly OutColumn[],
  rows: readonly MutableCandle[],
  writer: FixtureWriter,
  rowGroupSize: number | undefined,
  page: { readonly compression?: FixtureCompression; readonly dataPageVersion?: 1 | 2 } = {},
): Promise<void> {
  const compression = page.compression ?? 'zstd';
  await mkdir(path.dirname(outPath), { recursive: true });
  await rm(outPath, { force: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'barfill-pq-'));
  try {
    const stage = path.join(dir, 'stage.tsv');
    const fh = await open(stage, 'w');
    try {
      for (let i = 0; i < rows.length; i += 10_000) {
        const lines = rows.slice(i, i + 10_000).map((r) => columns.map((c) => tsvText(c.value(r))).join('\t'));
        await fh.write(lines.join('\n') + '\n');
      }
    } finally {
      await fh.close();
    }
    const stageCols = columns.map((c, i) => ({ ...c, staged: `c${i}` }));
    let useWriter = writer;
    if (useWriter === 'chdb' && stageCols.some((c) => c.chdb === undefined && c.duckdb !== undefined)) useWriter = 'duckdb';
    if (useWriter === 'chdb') {
      let chdb: { query(sql: string, format?: string): string } | undefined;
      try {
        chdb = ((await import('chdb')) as unknown as { default: { query(sql: string, format?: string): string } }).default;
      } catch {
        chdb = undefined;
      }
      if (chdb !== undefined) {
        const structure = stageCols.map((c) => `${c.staged} ${c.stage}`).join(', ');
        const select = stageCols.map((c) => `${(c.chdb ?? ((x: string) => x))(c.staged)} AS ${ident(c.name)}`).join(', ');
        const settings = ['precise_float_parsing = 1', 'max_threads = 1', `output_format_parquet_compression_method = '${compression === 'uncompressed' ? 'none' : compression}'`];
        if (rowGroupSize !== undefined) settings.push(`output_format_parquet_row_group_size = ${rowGroupSize}`);
        if (page.dataPageVersion === 2) settings.push('output_format_parquet_datapage_v2 = 1');
        chdb.query(
          `SELECT ${select} FROM file(${sqlString(stage)}, TabSeparated, ${sqlString(structure)}) ` +
            `INTO OUTFILE ${sqlString(outPath)} TRUNCATE FORMAT Parquet SETTINGS ${settings.join(', ')}`,
        );
        return;
      }
      useWriter = 'duckdb';
    }
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const duckType = (t: StageType): string => (t === 'Int64' ? 'BIGINT' : t === 'Float64' ? 'DOUBLE' : 'VARCHAR');
      const colSpec = stageCols.map((c) => `${sqlStringDuck(c.staged)}: ${sqlStringDuck(duckType(c.stage))}`).join(', ');
      const select = stageCols.map((c) => `${(c.duckdb ?? ((x: string) => x))(c.staged)} AS ${ident(c.name)}`).join(', ');
      const opts =
        `FORMAT parquet, COMPRESSION ${compression}${rowGroupSize === undefined ? '' : `, ROW_GROUP_SIZE ${rowGroupSize}`}` +
        (page.dataPageVersion === 2 ? ", PARQUET_VERSION 'V2'" : '');
      await conn.run(
        `COPY (SELECT ${select} FROM read_csv(${sqlStringDuck(stage)}, delim = '\t', header = false, quote = '', escape = '', ` +
          `columns = {${colSpec}}, nullstr = '\\N')) TO ${sqlStringDuck(outPath)} (${opts})`,
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Time rendering
// ---------------------------------------------------------------------------------------------

const PER_MS: Readonly<Record<Exclude<FixtureTimeUnit, 's'>, bigint>> = { ms: 1n, us: 1000n, ns: 1_000_000n };

/** An epoch in `unit` from ms; fractional seconds/ms (misaligned rows) are kept exactly where the unit allows. */
function epochIn(unit: FixtureTimeUnit, ms: number): bigint {
  if (unit === 's') {
    if (ms % 1000 !== 0) throw new Error(`fixture: ${ms} ms is not representable in whole seconds`);
    return BigInt(ms / 1000);
  }
  return BigInt(ms) * PER_MS[unit];
}

/** Binance close time: open + 59,999 ms, or open + 59,999,999 µs in µs files (the reader floors it to ms). */
function binanceCloseTime(unit: FixtureTimeUnit, r: MutableCandle): bigint {
  if (unit === 'us') return epochIn('us', r.closeTimeMs) + 999n;
  if (unit === 'ns') return epochIn('ns', r.closeTimeMs) + 999_999n;
  return epochIn(unit, r.closeTimeMs);
}

function result(outPath: string, rows: readonly MutableCandle[], keep: readonly (keyof MutableCandle)[]): FixtureResult {
  const expected = rows.map((r) => {
    const e: Record<string, unknown> = {
      rowNumber: r.rowNumber, symbol: r.symbol, openTimeMs: r.openTimeMs,
      open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume,
    };
    for (const k of keep) e[k] = r[k];
    if (r.invalid !== undefined) e['invalid'] = r.invalid;
    return e as unknown as ExpectedCandle;
  });
  return { path: outPath, expected };
}

function pageOptions(o: CommonFixtureOptions): { compression?: FixtureCompression; dataPageVersion?: 1 | 2 } {
  return { ...(o.compression === undefined ? {} : { compression: o.compression }), ...(o.dataPageVersion === undefined ? {} : { dataPageVersion: o.dataPageVersion }) };
}

const symbolColumn: OutColumn = { name: 'symbol', stage: 'String', value: (r) => r.symbol };
const f64 = (name: string, get: (r: MutableCandle) => number): OutColumn => ({ name, stage: 'Float64', value: get });
const i64 = (name: string, get: (r: MutableCandle) => bigint | number): OutColumn => ({ name, stage: 'Int64', value: get });

const OHLCV_COLUMNS: readonly OutColumn[] = [
  f64('open', (r) => r.open), f64('high', (r) => r.high), f64('low', (r) => r.low),
  f64('close', (r) => r.close), f64('volume', (r) => r.volume),
];

// ---------------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------------

export interface BinanceFixtureOptions extends CommonFixtureOptions {
  /** Unit of open_time/close_time: `ms` (Binance before 2025) or `us` (spot since 2025). Default ms. */
  readonly timeUnit?: 'ms' | 'us';
  /** Include the trailing `ignore` column (default true). */
  readonly withIgnore?: boolean;
  /** Write column names in upper case (tests case-insensitive detection). */
  readonly upperCaseNames?: boolean;
}

/** Binance spot klines (data.binance.vision layout): open_time ... taker_buy_quote_asset_volume, ignore. */
export async function writeBinanceSpotParquet(outPath: string, o: BinanceFixtureOptions = {}): Promise<FixtureResult> {
  return writeBinance(outPath, o, false);
}

/** Binance USD-M futures klines: header names quote_volume, count, taker_buy_volume, taker_buy_quote_volume. */
export async function writeBinanceFuturesParquet(outPath: string, o: BinanceFixtureOptions = {}): Promise<FixtureResult> {
  return writeBinance(outPath, o, true);
}

async function writeBinance(outPath: string, o: BinanceFixtureOptions, futures: boolean): Promise<FixtureResult> {
  const unit = o.timeUnit ?? 'ms';
  const rows = generateCandles(o);
  const name = (n: string): string => (o.upperCaseNames === true ? n.toUpperCase() : n);
  const cols: OutColumn[] = [
    i64(name('open_time'), (r) => epochIn(unit, r.openTimeMs)),
    ...OHLCV_COLUMNS.map((c) => ({ ...c, name: name(c.name) })),
    i64(name('close_time'), (r) => binanceCloseTime(unit, r)),
    f64(name(futures ? 'quote_volume' : 'quote_asset_volume'), (r) => r.quoteVolume),
    i64(name(futures ? 'count' : 'number_of_trades'), (r) => r.trades),
    f64(name(futures ? 'taker_buy_volume' : 'taker_buy_base_asset_volume'), (r) => r.takerBuyBaseVolume),
    f64(name(futures ? 'taker_buy_quote_volume' : 'taker_buy_quote_asset_volume'), (r) => r.takerBuyQuoteVolume),
  ];
  if (o.withIgnore ?? true) cols.push(i64(name('ignore'), () => 0));
  if (o.symbols !== undefined) cols.push(symbolColumn);
  await writeColumns(outPath, cols, rows, o.writer ?? 'chdb', o.rowGroupSize, pageOptions(o));
  return result(outPath, rows, ['closeTimeMs', 'quoteVolume', 'trades', 'takerBuyBaseVolume', 'takerBuyQuoteVolume']);
}

export interface BybitFixtureOptions extends CommonFixtureOptions {
  /** `start_time` (default) or `startTime`. */
  readonly timeColumn?: 'start_time' | 'startTime';
  /** Write prices/volumes as decimal strings (as API dumps do). */
  readonly valuesAsStrings?: boolean;
}

/** Bybit klines: start_time|startTime (epoch ms), open, high, low, close, volume, turnover. */
export async function writeBybitParquet(outPath: string, o: BybitFixtureOptions = {}): Promise<FixtureResult> {
  const rows = generateCandles(o);
  const asString = o.valuesAsStrings === true;
  const val = (name: string, get: (r: MutableCandle) => number): OutColumn =>
    asString ? { name, stage: 'String', value: (r) => decimalString(get(r)) } : f64(name, get);
  const cols: OutColumn[] = [
    i64(o.timeColumn ?? 'start_time', (r) => epochIn('ms', r.openTimeMs)),
    val('open', (r) => r.open), val('high', (r) => r.high), val('low', (r) => r.low),
    val('close', (r) => r.close), val('volume', (r) => r.volume), val('turnover', (r) => r.quoteVolume),
  ];
  if (o.symbols !== undefined) cols.push(symbolColumn);
  await writeColumns(outPath, cols, rows, o.writer ?? 'chdb', o.rowGroupSize, pageOptions(o));
  return result(outPath, rows, ['quoteVolume']);
}

/** A decimal string for a number; NaN becomes the unparsable text `n/a` (a reader must produce NaN, not 0). */
function decimalString(x: number): string {
  return Number.isNaN(x) ? 'n/a' : String(x);
}

export type GenericTimeEncoding =
  /** Parquet TIMESTAMP, adjusted to UTC (chDB DateTime64 with 'UTC'): DuckDB reads TIMESTAMP WITH TIME ZONE. */
  | { readonly kind: 'timestamp-tz'; readonly unit: 'ms' | 'us' | 'ns' }
  /** Parquet TIMESTAMP without time zone (DuckDB writer; read as UTC). */
  | { readonly kind: 'timestamp'; readonly unit: 'ms' | 'us' | 'ns' }
  /** An integer epoch. */
  | { readonly kind: 'epoch'; readonly unit: FixtureTimeUnit }
  /** A DOUBLE epoch. */
  | { readonly kind: 'epoch-double'; readonly unit: FixtureTimeUnit };

export interface GenericFixtureOptions extends CommonFixtureOptions {
  /** Name of the time column (default `timestamp`). */
  readonly timeColumn?: 'timestamp' | 'ts' | 'date' | 'time' | 'open_time' | (string & {});
  readonly time?: GenericTimeEncoding;
  /** How prices and volume are stored: float64 (default), DECIMAL(18,8), or decimal strings. */
  readonly values?: 'float' | 'decimal' | 'string';
  /** Write extra unrelated columns (must be ignored). */
  readonly extraColumns?: boolean;
}

/** Generic OHLCV: a time column plus open, high, low, close, volume. */
export async function writeGenericParquet(outPath: string, o: GenericFixtureOptions = {}): Promise<FixtureResult> {
  const rows = generateCandles(o);
  const enc = o.time ?? { kind: 'timestamp-tz', unit: 'ms' };
  const tname = o.timeColumn ?? 'timestamp';
  let timeCol: OutColumn;
  if (enc.kind === 'epoch') {
    timeCol = i64(tname, (r) => epochIn(enc.unit, r.openTimeMs));
  } else if (enc.kind === 'epoch-double') {
    timeCol = f64(tname, (r) => Number(epochIn(enc.unit, r.openTimeMs)));
  } else {
    const u = enc.unit;
    const staged = (r: MutableCandle): bigint => epochIn(u, r.openTimeMs);
    const chFn = u === 'ms' ? 'fromUnixTimestamp64Milli' : u === 'us' ? 'fromUnixTimestamp64Micro' : 'fromUnixTimestamp64Nano';
    const duckFn = (x: string): string =>
      u === 'ms' ? `CAST(make_timestamp(${x} * 1000) AS TIMESTAMP_MS)` : u === 'us' ? `make_timestamp(${x})` : `make_timestamp_ns(${x})`;
    timeCol =
      enc.kind === 'timestamp-tz'
        ? { name: tname, stage: 'Int64', value: staged, chdb: (x) => `${chFn}(${x}, 'UTC')` }
        : { name: tname, stage: 'Int64', value: staged, duckdb: duckFn };
  }
  const mode = o.values ?? 'float';
  const val = (name: string, get: (r: MutableCandle) => number): OutColumn => {
    if (mode === 'string') return { name, stage: 'String', value: (r) => decimalString(get(r)) };
    if (mode === 'decimal') {
      return {
        name, stage: 'Float64', value: get,
        // NaN is not representable in DECIMAL: such values are written as NULL.
        chdb: (x) => `toDecimal64OrNull(toString(${x}), 8)`,
      };
    }
    return f64(name, get);
  };
  const cols: OutColumn[] = [
    timeCol,
    val('open', (r) => r.open), val('high', (r) => r.high), val('low', (r) => r.low),
    val('close', (r) => r.close), val('volume', (r) => r.volume),
  ];
  if (o.extraColumns === true) cols.push({ name: 'note', stage: 'String', value: () => 'x' }, f64('vwap', (r) => r.close));
  if (o.symbols !== undefined) cols.push(symbolColumn);
  await writeColumns(outPath, cols, rows, o.writer ?? 'chdb', o.rowGroupSize, pageOptions(o));
  return result(outPath, rows, []);
}

/** Writes bytes that are not Parquet (a CSV) under a `.parquet` name. */
export async function writeNotParquet(outPath: string): Promise<string> {
  await mkdir(path.dirname(outPath), { recursive: true });
  await writeFile(outPath, 'open_time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n');
  return outPath;
}

/** Copies the first `keepBytes` bytes of a Parquet file (default: half): a truncated file. */
export async function writeTruncatedCopy(source: string, outPath: string, keepBytes?: number): Promise<string> {
  const bytes = await readFile(source);
  await mkdir(path.dirname(outPath), { recursive: true });
  await writeFile(outPath, bytes.subarray(0, keepBytes ?? Math.floor(bytes.length / 2)));
  return outPath;
}

// ---------------------------------------------------------------------------------------------
// examples/BTCUSDT-1m-sample.parquet
// ---------------------------------------------------------------------------------------------

/** The sample's first open time: 2024-10-01T00:00:00Z. */
export const SAMPLE_START_MS = Date.UTC(2024, 9, 1);
/** 3 days of minutes: the last open time is 2024-10-03T23:59:00Z; the covered range is [start, 2024-10-04T00:00:00Z). */
export const SAMPLE_MINUTES = 3 * 24 * 60;

/**
 * Writes the examples/ sample: 4,320 Binance spot 1-minute klines of BTCUSDT
 * (ms open_time, as Binance published them in 2024), 2024-10-01T00:00:00Z to
 * 2024-10-04T00:00:00Z (exclusive), a seeded random walk from 63,500 USDT
 * (about 61,200 to 65,300). Written by DuckDB (zstd, about 210 KB: DuckDB's
 * encodings compress these columns better than ClickHouse's).
 * Deterministic: the same bytes for the same DuckDB version.
 */
export async function writeBinanceSampleParquet(outPath: string, writer: FixtureWriter = 'duckdb'): Promise<FixtureResult> {
  return writeBinanceSpotParquet(outPath, {
    symbol: 'BTCUSDT',
    startMs: SAMPLE_START_MS,
    minutes: SAMPLE_MINUTES,
    startPrice: 63_500,
    volatility: 0.0008,
    seed: 20241001,
    timeUnit: 'ms',
    writer,
  });
}
