/**
 * CandleSource over Parquet files, read with DuckDB (`@duckdb/node-api`).
 *
 * `open()` expands the paths, then opens every file (footer, schema, row
 * counts, layout, time unit) before it resolves, so a missing, unreadable,
 * truncated or non-Parquet file fails the run before any batch is yielded.
 * `batches()` then streams one DuckDB query per file (`connection.stream` + `fetchChunk`), with the time-range
 * filter on the raw time column so that DuckDB skips row groups by their
 * statistics, and copies DuckDB's DOUBLE vectors straight into Float64Arrays.
 */
import {
  DuckDBInstance,
  timestampNanosValue,
  timestampTZValue,
  timestampValue,
} from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBValue, DuckDBVector } from '@duckdb/node-api';
import type {
  CandleScan,
  CandleScanRequest,
  CandleSource,
  InputFileInfo,
  SkippedInput,
  SourceChunk,
  TimeUnit,
} from '../../application/ports/candle-source.js';
import { allocateCandleBatch, sliceCandleBatch } from '../../application/candle-batch.js';
import type { CandleBatch, OPTIONAL_CANDLE_COLUMNS } from '../../application/candle-batch.js';
import { InputError, errorMessage } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import {
  EXPECTED_LAYOUTS_TEXT,
  classifyTimeType,
  escapeGlob,
  detectLayout,
  inferEpochUnit,
  parquetTimestampUnit,
  quoteIdent,
} from './layout.js';
import type { LayoutColumns, ParquetLayout, TimeColumnKind } from './layout.js';
import { expandParquetPaths } from './paths.js';
import path from 'node:path';
import { buildScanQuery, closeTimeMsExpr, openTimeMsExpr, scanColumns, scanFilter } from './scan-sql.js';
import { otherSymbolReason } from './file-symbol.js';
import type { OPTIONAL_SELECT_ORDER } from './scan-sql.js';
import type { ScanParam, TimePlan } from './scan-sql.js';

export const DEFAULT_PARQUET_BATCH_SIZE = 65_536;
export const DEFAULT_PARQUET_READ_THREADS = 1;

export interface DuckDbParquetCandleSourceOptions {
  /** Files or directories (`--parquet`, repeatable). */
  readonly paths: readonly string[];
  readonly logger: Logger;
  /** Rows per yielded batch (default 65,536). */
  readonly batchSize?: number;
  /**
   * DuckDB threads decoding Parquet (default 1). Each thread holds the row group it is
   * decoding (about 200 MB for a 1M-row group of 12 columns), and the database insert,
   * not decoding, is what bounds a backfill; more threads help only with a faster sink.
   */
  readonly threads?: number;
}

/** Everything learnt about one file by `open()`. */
export interface ParquetFilePlan {
  readonly info: InputFileInfo;
  readonly layout: ParquetLayout;
  readonly columns: LayoutColumns;
  readonly time: TimePlan;
  /** The close time column's own plan (null without one). */
  readonly closeTime: TimePlan | null;
}

type OptionalCandleColumn = (typeof OPTIONAL_CANDLE_COLUMNS)[number];
const OPTIONAL_TO_BATCH: Readonly<Record<string, OptionalCandleColumn>> = {
  closeTime: 'closeTimeMs',
  quoteVolume: 'quoteVolume',
  trades: 'trades',
  takerBuyBaseVolume: 'takerBuyBaseVolume',
  takerBuyQuoteVolume: 'takerBuyQuoteVolume',
};

export class DuckDbParquetCandleSource implements CandleSource {
  private readonly paths: readonly string[];
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly threads: number;

  constructor(options: DuckDbParquetCandleSourceOptions) {
    const batchSize = options.batchSize ?? DEFAULT_PARQUET_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`parquet batch size must be a positive integer; got ${batchSize}`);
    }
    this.paths = options.paths;
    this.logger = options.logger;
    this.batchSize = batchSize;
    const threads = options.threads ?? DEFAULT_PARQUET_READ_THREADS;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`parquet read threads must be a positive integer; got ${threads}`);
    }
    this.threads = threads;
  }

  async open(request: CandleScanRequest): Promise<CandleScan> {
    const { files, skipped } = splitBySymbol(await expandParquetPaths(this.paths), request.instrument.symbol);
    // One pass over each file: DuckDB's cache of file blocks would only keep what was already read.
    // Background allocator threads give freed decoding buffers back to the system: chunks are fetched
    // on libuv's pool threads, and without them each thread's allocator cache kept its own copy
    // (scan of a 5M-row file with 1M-row groups: 290 MB peak RSS, 200 MB with them).
    const config: Record<string, string> = {
      preserve_insertion_order: 'true',
      threads: String(this.threads),
      enable_external_file_cache: 'false',
      allocator_background_threads: 'true',
    };
    const instance = await DuckDBInstance.create(':memory:', config);
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      const plans: ParquetFilePlan[] = [];
      for (const file of files) {
        const plan = await inspectParquetFile(connection, file, request);
        this.logger.debug('parquet input opened', {
          file,
          layout: plan.info.layout,
          timeColumn: plan.info.timeColumn,
          timeUnit: plan.info.timeUnit,
          timeIsTimestampType: plan.info.timeIsTimestampType,
          rows: plan.info.totalRows,
          hasSymbolColumn: plan.info.hasSymbolColumn,
        });
        plans.push(plan);
      }
      return new DuckDbCandleScan(instance, connection, plans, skipped, request, this.batchSize);
    } catch (err) {
      connection?.closeSync();
      instance.closeSync();
      throw err;
    }
  }
}

/** The files to read, and those named for another symbol (skipped, with the reason). */
function splitBySymbol(all: readonly string[], symbol: string): { files: string[]; skipped: SkippedInput[] } {
  const files: string[] = [];
  const skipped: SkippedInput[] = [];
  for (const file of all) {
    const reason = otherSymbolReason(path.basename(file), symbol);
    if (reason === null) files.push(file);
    else skipped.push({ path: file, reason });
  }
  return { files, skipped };
}

type Fail = (reason: string, cause?: unknown) => InputError;

const TIME_EXPECTED =
  'an integer or floating epoch (seconds, milliseconds, microseconds or nanoseconds) or a Parquet TIMESTAMP';
const VALUE_EXPECTED = 'a number (integer, floating or decimal) or a decimal string';

/**
 * Reads one file's footer and schema and resolves how to scan it: layout, time
 * column, unit and type, the close time's own type and unit, every selected
 * column bound by DuckDB, and the candles' interval (1 minute). Throws an
 * InputError naming the file (and the column, its type and what was expected);
 * nothing is read past the file's first rows.
 */
export async function inspectParquetFile(connection: DuckDBConnection, file: string, request: CandleScanRequest): Promise<ParquetFilePlan> {
  // DuckDB treats paths as glob patterns: escape so exactly this file is read.
  const pattern = escapeGlob(file);
  const fail: Fail = (reason, cause) => new InputError(`${file}: ${reason}`, cause === undefined ? undefined : { cause });

  let described: Record<string, unknown>[];
  let totalRows: number;
  try {
    described = (await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet(?, binary_as_string = true)', [pattern]))
      .getRowObjectsJS();
    const meta = await connection.runAndReadAll('SELECT num_rows FROM parquet_file_metadata(?)', [pattern]);
    totalRows = Number(meta.getRowsJS()[0]?.[0] ?? 0);
  } catch (err) {
    throw fail(`cannot be read as a Parquet file (${oneLine(errorMessage(err))})`, err);
  }
  const columns = described.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
  const match = detectLayout(columns.map((c) => c.name));
  if (match === null) {
    const found = columns.map((c) => c.name).join(', ');
    throw fail(`unrecognised column layout; found columns [${found}]; expected ${EXPECTED_LAYOUTS_TEXT}`);
  }
  const typeOf = (name: string): string => columns.find((c) => c.name === name)?.type ?? '';
  const time = await planTimeColumn(connection, pattern, match.columns.time, typeOf(match.columns.time), fail, true);
  const closeCol = match.columns.closeTime;
  const closeTime = closeCol === null ? null : await planTimeColumn(connection, pattern, closeCol, typeOf(closeCol), fail, false);
  await bindColumns(connection, pattern, match.columns, time, closeTime, typeOf, fail);
  await checkOneMinute(connection, pattern, match.columns, time, closeTime, request, fail);

  const info: InputFileInfo = {
    path: file,
    layout: match.layout,
    timeColumn: time.column,
    timeUnit: time.unit,
    timeIsTimestampType: time.kind.kind !== 'integer' && time.kind.kind !== 'float',
    totalRows,
    hasSymbolColumn: match.columns.symbol !== null,
  };
  return { info, layout: match.layout, columns: match.columns, time, closeTime };
}

/** A time column's type, unit (from its magnitude for epochs, from the schema for TIMESTAMPs) and nullability. */
async function planTimeColumn(
  connection: DuckDBConnection,
  pattern: string,
  column: string,
  type: string,
  fail: Fail,
  isOpenTime: boolean,
): Promise<TimePlan> {
  const kind = classifyTimeType(type);
  if (kind === null) {
    throw fail(`${isOpenTime ? 'time' : 'close time'} column '${column}' has type ${type}; expected ${TIME_EXPECTED}`);
  }
  try {
    const unit = kind.kind === 'integer' || kind.kind === 'float'
      ? await epochUnitOf(connection, pattern, column)
      : await timestampUnitOf(connection, pattern, column, kind);
    const mayHaveNulls = isOpenTime ? await mayHoldNulls(connection, pattern, column) : true;
    return { column, kind, unit, mayHaveNulls };
  } catch (err) {
    throw fail(`cannot read the ${isOpenTime ? 'time' : 'close time'} column '${column}' (${oneLine(errorMessage(err))})`, err);
  }
}

/** The unit of an epoch column from its magnitude: the first row group's max statistic, else the first non-null value. */
async function epochUnitOf(connection: DuckDBConnection, pattern: string, column: string): Promise<TimeUnit> {
  const stats = await connection.runAndReadAll(
    `SELECT stats_max_value, stats_max FROM parquet_metadata(?)
      WHERE path_in_schema = ? AND coalesce(stats_max_value, stats_max) IS NOT NULL
      ORDER BY row_group_id LIMIT 1`,
    [pattern, column],
  );
  const srow = stats.getRowsJS()[0];
  let sample: unknown = asText(srow?.[0]) ?? asText(srow?.[1]);
  if (sample === null || !Number.isFinite(Number(sample))) {
    const first = await connection.runAndReadAll(
      `SELECT ${quoteIdent(column)} FROM read_parquet(?) WHERE ${quoteIdent(column)} IS NOT NULL AND isfinite(${quoteIdent(column)}::DOUBLE) LIMIT 1`,
      [pattern],
    );
    sample = first.getRowsJS()[0]?.[0];
  }
  const n = typeof sample === 'bigint' ? sample : Number(sample);
  return typeof n === 'bigint' || Number.isFinite(n) ? inferEpochUnit(n) : 'ms';
}

async function timestampUnitOf(
  connection: DuckDBConnection,
  pattern: string,
  column: string,
  kind: Exclude<TimeColumnKind, { kind: 'integer' } | { kind: 'float' }>,
): Promise<TimeUnit> {
  const schema = await connection.runAndReadAll(
    'SELECT converted_type, logical_type FROM parquet_schema(?) WHERE name = ? LIMIT 1',
    [pattern, column],
  );
  const row = schema.getRowsJS()[0];
  const fromSchema = parquetTimestampUnit(asText(row?.[1]), asText(row?.[0]));
  return fromSchema ?? (kind.kind === 'timestamp-ns' ? 'ns' : kind.kind === 'timestamp-coarse' ? kind.unit : 'us');
}

/**
 * Whether a time column may hold NULLs (statistics say so, or are missing); such rows get
 * `OR t IS NULL` in the scan, so they reach the validator as NaN instead of vanishing.
 */
async function mayHoldNulls(connection: DuckDBConnection, pattern: string, column: string): Promise<boolean> {
  const nulls = await connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE stats_null_count IS NULL), coalesce(sum(stats_null_count), 0)
       FROM parquet_metadata(?) WHERE path_in_schema = ?`,
    [pattern, column],
  );
  const nrow = nulls.getRowsJS()[0];
  const schemaRep = await connection.runAndReadAll('SELECT repetition_type FROM parquet_schema(?) WHERE name = ? LIMIT 1', [pattern, column]);
  const required = asText(schemaRep.getRowsJS()[0]?.[0]) === 'REQUIRED';
  return !required && (Number(nrow?.[0] ?? 1) > 0 || Number(nrow?.[1] ?? 1) > 0);
}

/**
 * Binds every selected expression (and the filter) against the file with DuckDB, reading no row,
 * so a column that cannot be read fails here, before anything of the run is written, in barfill's words.
 */
async function bindColumns(
  connection: DuckDBConnection,
  pattern: string,
  columns: LayoutColumns,
  time: TimePlan,
  closeTime: TimePlan | null,
  typeOf: (name: string) => string,
  fail: Fail,
): Promise<void> {
  const { selects } = scanColumns(columns, time, closeTime);
  const from = 'FROM read_parquet(?, file_row_number = true, binary_as_string = true)';
  for (const c of selects) {
    try {
      await connection.runAndReadAll(`SELECT ${c.expr} ${from} LIMIT 0`, [pattern]);
    } catch (err) {
      const isTime = c.column === time.column || c.column === closeTime?.column;
      throw fail(`column '${c.column}' has type ${typeOf(c.column)}; expected ${isTime ? TIME_EXPECTED : VALUE_EXPECTED}`, err);
    }
  }
  const where = scanFilter(columns, time, 'X', 0, 60_000);
  try {
    await connection.runAndReadAll(`SELECT 1 ${from} WHERE ${where.sql} LIMIT 0`, [pattern, ...where.params.map(toDuckValue)]);
  } catch (err) {
    const col = columns.symbol ?? time.column;
    throw fail(`column '${col}' has type ${typeOf(col)} and cannot be filtered (${oneLine(errorMessage(err))})`, err);
  }
}

/** Rows sampled (from the file's start) to find its candles' interval. */
const INTERVAL_SAMPLE_ROWS = 1_000;
/** Steps between open times needed before their spacing is taken as the interval (a sparse file says little). */
const MIN_INTERVAL_STEPS = 10;

/**
 * Refuses a file whose candles are not 1-minute. Over the file's first 1,000 rows in the range (any symbol):
 * the most common close time - open time must be at most 60 s (59,999 ms for Binance), and, when there are
 * at least 10 steps between successive distinct open times, the most common step must be at most 60 s.
 */
async function checkOneMinute(
  connection: DuckDBConnection,
  pattern: string,
  columns: LayoutColumns,
  time: TimePlan,
  closeTime: TimePlan | null,
  request: CandleScanRequest,
  fail: Fail,
): Promise<void> {
  const ot = openTimeMsExpr(time);
  const ct = columns.closeTime !== null && closeTime !== null ? closeTimeMsExpr(columns.closeTime, closeTime) : `'NaN'::DOUBLE`;
  // The interval is the file's: every row in range counts, whatever its symbol.
  const where = scanFilter({ ...columns, symbol: null }, time, request.instrument.symbol, request.range.startMs, request.range.endMs);
  const params: DuckDBValue[] = [pattern, ...where.params.map(toDuckValue)];
  const sql = `SELECT mode(ct - ot) FILTER (WHERE isfinite(ct - ot)), mode(d) FILTER (WHERE d > 0), count(*) FILTER (WHERE d > 0) FROM (
      SELECT ot, ct, ot - lag(ot) OVER (ORDER BY ot) AS d FROM (
        SELECT ${ot} AS ot, ${ct} AS ct FROM read_parquet(?, binary_as_string = true) WHERE ${where.sql} LIMIT ${INTERVAL_SAMPLE_ROWS}
      ) WHERE isfinite(ot))`;
  let span: number | null;
  let step: number | null;
  let steps: number;
  try {
    const row = (await connection.runAndReadAll(sql, params)).getRowsJS()[0];
    span = row?.[0] == null ? null : Number(row[0]);
    step = row?.[1] == null ? null : Number(row[1]);
    steps = Number(row?.[2] ?? 0);
  } catch (err) {
    throw fail(`cannot read its first rows (${oneLine(errorMessage(err))})`, err);
  }
  const refuse = (interval: number, how: string): InputError =>
    fail(`holds ${formatInterval(interval)} candles (${how}), not 1-minute candles; only 1-minute candles load into the 1-minute tables`);
  if (span !== null && span > 60_000) {
    throw refuse(span % 1000 === 999 ? span + 1 : span, `close_time - open_time = ${span.toLocaleString('en-US')} ms`);
  }
  if (step !== null && step > 60_000 && steps >= MIN_INTERVAL_STEPS) throw refuse(step, `open times ${step / 1000} s apart`);
}

/** `5m`, `1h`, `90s`: an interval in ms, rounded to the second. */
function formatInterval(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3_600 === 0) return `${s / 3_600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

class DuckDbCandleScan implements CandleScan {
  readonly files: readonly InputFileInfo[];
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly plans: readonly ParquetFilePlan[],
    readonly skipped: readonly SkippedInput[],
    private readonly request: CandleScanRequest,
    private readonly batchSize: number,
  ) {
    this.files = plans.map((p) => p.info);
  }

  async *batches(): AsyncIterable<SourceChunk> {
    for (const plan of this.plans) {
      if (this.closed) return;
      yield* this.scanFile(plan);
    }
  }

  private async *scanFile(plan: ParquetFilePlan): AsyncGenerator<SourceChunk> {
    const file = plan.info.path;
    const { range, instrument } = this.request;
    const query = buildScanQuery(plan.columns, plan.time, escapeGlob(file), instrument.symbol, range.startMs, range.endMs, plan.closeTime);
    const newTargets = (): BatchTargets => allocateTargets(this.batchSize, query.optionalColumns);
    const emit = (t: BatchTargets, n: number): SourceChunk => ({
      file,
      batch: n === this.batchSize ? t.batch : sliceCandleBatch(t.batch, 0, n),
      rowNumbers: n === this.batchSize ? t.rowNumbers : t.rowNumbers.subarray(0, n),
    });

    let result;
    try {
      result = await this.connection.stream(query.sql, query.params.map(toDuckValue));
    } catch (err) {
      throw new InputError(`${file}: cannot be scanned (${oneLine(errorMessage(err))})`, { cause: err });
    }
    let current = newTargets();
    let filled = 0;
    for (;;) {
      if (this.closed) return;
      let chunk: DuckDBDataChunk | null;
      try {
        chunk = await result.fetchChunk();
      } catch (err) {
        throw new InputError(`${file}: read failed after row ${filled} of the current batch (${oneLine(errorMessage(err))})`, {
          cause: err,
        });
      }
      if (chunk === null || chunk.rowCount === 0) break;
      const rows = chunk.rowCount;
      let from = 0;
      while (from < rows) {
        const take = Math.min(rows - from, this.batchSize - filled);
        current.targets.forEach((target, c) => {
          copyDoubles(chunk.getColumnVector(c), from, take, target, filled);
        });
        filled += take;
        from += take;
        if (filled === this.batchSize) {
          yield emit(current, filled);
          current = newTargets();
          filled = 0;
        }
      }
    }
    if (filled > 0) yield emit(current, filled);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.connection.closeSync();
      this.instance.closeSync();
    }
    return Promise.resolve();
  }
}

/** A batch and the arrays to fill, in select order: row numbers, time, open, high, low, close, volume, optional ones. */
interface BatchTargets {
  readonly batch: CandleBatch;
  readonly rowNumbers: Float64Array;
  readonly targets: Float64Array[];
}

function allocateTargets(batchSize: number, optionalColumns: readonly (typeof OPTIONAL_SELECT_ORDER)[number][]): BatchTargets {
  const optional = new Set(optionalColumns.map((c) => OPTIONAL_TO_BATCH[c]).filter((c) => c !== undefined));
  const batch = allocateCandleBatch(batchSize, optional);
  const rowNumbers = new Float64Array(batchSize);
  const targets = [rowNumbers, batch.openTimeMs, batch.open, batch.high, batch.low, batch.close, batch.volume];
  for (const c of optionalColumns) {
    const key = OPTIONAL_TO_BATCH[c];
    const arr = key === undefined ? null : batch[key];
    if (arr === null) throw new Error(`internal: optional column ${c} not allocated`);
    targets.push(arr);
  }
  return { batch, rowNumbers, targets };
}

/**
 * Copies `count` doubles from a DuckDB DOUBLE vector. The scan query makes
 * every column a non-null DOUBLE, so the vector's data buffer is the whole
 * truth; `@duckdb/node-api` keeps it as a Float64Array over DuckDB's memory
 * (field `items`, not part of its public typings), which is copied with one
 * `set`. When that field is not there (another version), values are read one
 * by one through the public `getItem` (NULL becomes NaN).
 */
export function copyDoubles(vector: DuckDBVector, from: number, count: number, target: Float64Array, at: number): void {
  const items = (vector as unknown as { items?: unknown }).items;
  if (items instanceof Float64Array && items.length >= from + count) {
    target.set(items.subarray(from, from + count), at);
    return;
  }
  for (let i = 0; i < count; i++) {
    const v = vector.getItem(from + i);
    target[at + i] = typeof v === 'number' ? v : v === null ? NaN : Number(v);
  }
}

function toDuckValue(p: ScanParam): DuckDBValue {
  switch (p.kind) {
    case 'string':
      return p.value;
    case 'bigint':
      return p.value;
    case 'double':
      return p.value;
    case 'timestamp-us':
      return p.withTimeZone ? timestampTZValue(p.micros) : timestampValue(p.micros);
    case 'timestamp-ns':
      return timestampNanosValue(p.nanos);
  }
}

function asText(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}
