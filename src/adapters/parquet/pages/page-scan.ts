/**
 * The page-streaming scan of one Parquet file: for the files whose columns it
 * supports (flat, numeric, integer or floating epochs in s/ms/us, no symbol
 * column, codecs UNCOMPRESSED/SNAPPY/GZIP/ZSTD, PLAIN or dictionary values), rows are
 * decoded page by page, column by column, straight into the batch's
 * Float64Arrays. DuckDB decodes a whole row group per thread (about 200 MB for
 * a 1M-row group of 12 columns); this keeps one page per column.
 *
 * It returns exactly what the DuckDB query of `scan-sql.ts` returns for the
 * same file: the same rows (the range tested on the raw time value, NULL
 * times kept when the column has NULLs), the same time conversions, NaN for
 * NULL values, 1-based file row numbers. Row groups whose time statistics
 * lie outside the range are not read.
 */
import { open } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LayoutColumns } from '../layout.js';
import { integerEpochBounds } from '../layout.js';
import type { TimePlan } from '../scan-sql.js';
import { OPTIONAL_SELECT_ORDER } from '../scan-sql.js';
import { ColumnPageCursor, PageError } from './column-pages.js';
import type { Codec, ColumnChunkPlan, PhysicalType, RandomAccessFile } from './column-pages.js';

export interface PageRowGroup {
  readonly index: number;
  readonly rows: number;
  /** Rows of the file before this row group. */
  readonly firstRow: number;
  /** Time column statistics (raw values), or null when unknown or when NULL times are present. */
  readonly timeMin: number | null;
  readonly timeMax: number | null;
  /** One chunk per selected column, in select order: time, open, high, low, close, volume, optional ones. */
  readonly chunks: readonly ColumnChunkPlan[];
}

export interface PageScanPlan {
  readonly rowGroups: readonly PageRowGroup[];
  /** The optional columns present, in select order. */
  readonly optionalColumns: readonly (typeof OPTIONAL_SELECT_ORDER)[number][];
}

const NUMERIC_DUCK_TYPES = new Set(['DOUBLE', 'FLOAT', 'BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT']);
const PHYSICAL = new Set(['DOUBLE', 'FLOAT', 'INT32', 'INT64']);
const CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD']);
const ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT']);

/**
 * Decides from the file's metadata whether the page scan can read it, and plans it.
 * Returns the reason when it cannot (the DuckDB scan is used then).
 */
export async function planPageScan(
  connection: DuckDBConnection,
  pattern: string,
  columns: LayoutColumns,
  time: TimePlan,
): Promise<PageScanPlan | { readonly unsupported: string }> {
  if (columns.symbol !== null) return { unsupported: 'a symbol column' };
  if (!(time.kind.kind === 'integer' && time.unit !== 'ns') && time.kind.kind !== 'float') {
    return { unsupported: `time as ${time.kind.kind}${time.kind.kind === 'integer' ? ` (${time.unit})` : ''}` };
  }
  const selected: string[] = [time.column, columns.open, columns.high, columns.low, columns.close, columns.volume];
  const optionalColumns: (typeof OPTIONAL_SELECT_ORDER)[number][] = [];
  for (const key of OPTIONAL_SELECT_ORDER) {
    const c = columns[key];
    if (c === null) continue;
    optionalColumns.push(key);
    selected.push(c);
  }

  const schema = (await connection.runAndReadAll(
    'SELECT name, type, repetition_type, num_children, duckdb_type FROM parquet_schema(?) ORDER BY column_id',
    [pattern],
  )).getRowObjectsJS();
  const root = schema[0];
  if (root === undefined || Number(root['num_children'] ?? 0) !== schema.length - 1) return { unsupported: 'a nested schema' };
  const leaf = new Map<string, { physical: PhysicalType; optional: boolean }>();
  for (const r of schema.slice(1)) {
    if (r['num_children'] !== null) return { unsupported: 'a nested schema' };
    const name = text(r['name']);
    const physical = text(r['type']);
    const duck = text(r['duckdb_type']);
    const rep = text(r['repetition_type']);
    if (selected.includes(name)) {
      if (!PHYSICAL.has(physical) || !NUMERIC_DUCK_TYPES.has(duck)) return { unsupported: `column ${name} of type ${physical} (${duck})` };
      if (rep !== 'REQUIRED' && rep !== 'OPTIONAL') return { unsupported: `a ${rep} column` };
      leaf.set(name, { physical: physical as PhysicalType, optional: rep === 'OPTIONAL' });
    }
  }
  if (selected.some((c) => !leaf.has(c))) return { unsupported: 'a column missing from the schema' };

  const meta = (await connection.runAndReadAll(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, compression, encodings, data_page_offset,
            dictionary_page_offset, total_compressed_size, stats_min_value, stats_max_value, stats_null_count
       FROM parquet_metadata(?) ORDER BY row_group_id, column_id`,
    [pattern],
  )).getRowObjectsJS();
  const groups = new Map<number, { rows: number; byName: Map<string, Record<string, unknown>> }>();
  for (const r of meta) {
    const id = Number(r['row_group_id']);
    let g = groups.get(id);
    if (g === undefined) {
      g = { rows: Number(r['row_group_num_rows']), byName: new Map() };
      groups.set(id, g);
    }
    g.byName.set(text(r['path_in_schema']), r);
  }
  const rowGroups: PageRowGroup[] = [];
  let firstRow = 0;
  for (const [id, g] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const chunks: ColumnChunkPlan[] = [];
    for (const name of selected) {
      const r = g.byName.get(name);
      if (r === undefined) return { unsupported: `row group ${id} lacks column ${name}` };
      const codec = text(r['compression']);
      if (!CODECS.has(codec)) return { unsupported: `${codec} compression` };
      const encodings = text(r['encodings']).split(',').map((e) => e.trim()).filter((e) => e !== '');
      const odd = encodings.find((e) => !ENCODINGS.has(e));
      if (odd !== undefined) return { unsupported: `${odd} encoding` };
      const dataOffset = Number(r['data_page_offset']);
      const dictOffset = r['dictionary_page_offset'] === null ? null : Number(r['dictionary_page_offset']);
      const start = dictOffset !== null && dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
      const info = leaf.get(name);
      if (info === undefined) return { unsupported: `column ${name} missing from the schema` };
      chunks.push({
        name,
        physical: info.physical,
        codec: codec as Codec,
        optional: info.optional,
        start,
        length: Number(r['total_compressed_size']),
        rows: g.rows,
      });
    }
    const t = g.byName.get(time.column);
    if (t === undefined) return { unsupported: `row group ${id} lacks column ${time.column}` };
    const nullCount = t['stats_null_count'] === null ? null : Number(t['stats_null_count']);
    const min = asNumber(t['stats_min_value']);
    const max = asNumber(t['stats_max_value']);
    // A group holding NULL times cannot be skipped: those rows are read (as NaN) whatever the range.
    const noNulls = leaf.get(time.column)?.optional !== true || nullCount === 0 || !time.mayHaveNulls;
    const known = noNulls && min !== null && max !== null;
    rowGroups.push({ index: id, rows: g.rows, firstRow, timeMin: known ? min : null, timeMax: known ? max : null, chunks });
    firstRow += g.rows;
  }
  return { rowGroups, optionalColumns };
}

/** A metadata cell as text ('' for NULL or a non-string). */
function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function asNumber(v: unknown): number | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Positional reads through one file handle; every read gets its own buffer. */
export async function openRandomAccess(file: string): Promise<RandomAccessFile & { close(): Promise<void> }> {
  const handle = await open(file, 'r');
  const fill = async (buf: Uint8Array, position: number): Promise<void> => {
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, position + got);
      if (bytesRead === 0) throw new PageError(`the file ends at byte ${position + got}, ${buf.length - got} bytes short`);
      got += bytesRead;
    }
  };
  return {
    async read(position: number, length: number): Promise<Uint8Array> {
      const buf = new Uint8Array(length);
      await fill(buf, position);
      return buf;
    },
    readInto: fill,
    close: () => handle.close(),
  };
}

/** Where the rows of one scan go: the batch's arrays, refilled for every batch. */
export interface PageScanSink {
  /** Row numbers, time, open, high, low, close, volume, then the optional columns. */
  readonly targets: readonly Float64Array[];
  /** Rows filled in the current batch. */
  filled: number;
  readonly capacity: number;
}

/** Conversions and the range test on raw time values, as `scan-sql.ts` writes them in SQL. */
export interface TimeMath {
  /** Whether a raw (non-null) time value is inside the range. */
  inRange(raw: number): boolean;
  /** Whether a row group with these raw time statistics can hold a row in range. */
  groupMayMatch(min: number, max: number): boolean;
  openMs(raw: number): number;
  closeMs(raw: number): number;
}

export function timeMath(time: TimePlan, startMs: number, endMs: number): TimeMath {
  if (time.kind.kind === 'float') {
    const unit = time.unit;
    const toMs = unit === 's' ? (x: number) => x * 1000 : unit === 'ms' ? (x: number) => x : unit === 'us' ? (x: number) => x / 1000 : (x: number) => x / 1_000_000;
    return {
      inRange: (raw) => {
        const ms = toMs(raw);
        return ms >= startMs && ms < endMs;
      },
      groupMayMatch: (min, max) => !(toMs(max) < startMs || toMs(min) >= endMs),
      openMs: toMs,
      closeMs: (raw) => Math.floor(toMs(raw)),
    };
  }
  const { lo, hi } = integerEpochBounds(time.unit, startMs, endMs);
  const loN = Number(lo);
  const hiN = Number(hi);
  const inRange = (raw: number): boolean => raw >= loN && raw < hiN;
  const groupMayMatch = (min: number, max: number): boolean => !(max < loN || min >= hiN);
  switch (time.unit) {
    case 's':
      return { inRange, groupMayMatch, openMs: (x) => x * 1000, closeMs: (x) => x * 1000 };
    case 'ms':
      return { inRange, groupMayMatch, openMs: (x) => x, closeMs: (x) => x };
    default: {
      // us: CAST(x // 1000 AS DOUBLE) + CAST(x % 1000 AS DOUBLE) / 1000, with DuckDB's truncating // and %.
      // x is an exact integer below 2^53: JavaScript's % is exact and takes the dividend's sign, as DuckDB's
      // does, and x - r is an exact multiple of 1000, so the quotient is exact too.
      const split = (x: number): [number, number] => {
        const r = x % 1000;
        return [(x - r) / 1000, r];
      };
      return {
        inRange,
        groupMayMatch,
        openMs: (x) => {
          const [q, r] = split(x);
          return q + r / 1000;
        },
        closeMs: (x) => split(x)[0],
      };
    }
  }
}

/**
 * Reads the planned row groups into the sink, yielding each time the batch is
 * full (the caller hands it on and gives the sink a new one). Throws PageError
 * naming the row group and column (the caller adds the file).
 */
export async function* scanPages(
  file: RandomAccessFile,
  plan: PageScanPlan,
  time: TimePlan,
  math: TimeMath,
  sink: PageScanSink,
  isClosed: () => boolean,
): AsyncGenerator<void> {
  const timeScratch = new Float64Array(sink.capacity);
  const nullScratch = new Uint8Array(sink.capacity);
  // The close time's place among the value columns (after open, high, low, close, volume).
  const closeIndex = plan.optionalColumns.indexOf('closeTime');
  for (const rg of plan.rowGroups) {
    if (isClosed()) return;
    if (rg.timeMin !== null && rg.timeMax !== null && !math.groupMayMatch(rg.timeMin, rg.timeMax)) continue;
    const [timeCursor, ...valueCursors] = rg.chunks.map((c) => new ColumnPageCursor(file, c));
    if (timeCursor === undefined) return;
    let left = rg.rows;
    let rowBase = rg.firstRow;
    while (left > 0) {
      if (isClosed()) return;
      const filled = sink.filled;
      const take = Math.min(left, sink.capacity - filled);
      const [rowNumbers, openTimes, ...values] = sink.targets;
      if (rowNumbers === undefined || openTimes === undefined || values.length !== valueCursors.length) {
        throw new PageError('internal: the batch does not have one array per column');
      }
      await at(rg, 0, () => timeCursor.read(timeScratch, 0, take, nullScratch));
      for (let c = 0; c < valueCursors.length; c++) {
        const cursor = valueCursors[c];
        const target = values[c];
        if (cursor !== undefined && target !== undefined) await at(rg, c + 1, () => cursor.read(target, filled, take));
      }
      const closeTimes = closeIndex < 0 ? undefined : values[5 + closeIndex];
      // Keep the rows in range (and NULL times when the column may hold them), compacting in place.
      let w = filled;
      for (let i = 0; i < take; i++) {
        const isNull = nullScratch[i] === 1;
        const raw = timeScratch[i] ?? NaN;
        if (isNull ? !time.mayHaveNulls : !math.inRange(raw)) continue;
        const from = filled + i;
        rowNumbers[w] = rowBase + i + 1;
        openTimes[w] = isNull ? NaN : math.openMs(raw);
        if (w !== from) for (const v of values) v[w] = v[from] ?? NaN;
        if (closeTimes !== undefined) {
          const v = closeTimes[w] ?? NaN;
          closeTimes[w] = Number.isNaN(v) ? NaN : math.closeMs(v);
        }
        w++;
      }
      sink.filled = w;
      left -= take;
      rowBase += take;
      if (sink.filled === sink.capacity) yield;
    }
  }
}

async function at(rg: PageRowGroup, column: number, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const name = rg.chunks[column]?.name ?? '?';
    const reason = err instanceof Error ? err.message : String(err);
    throw new PageError(`row group ${rg.index}, column ${name}: ${reason}`, { cause: err });
  }
}
