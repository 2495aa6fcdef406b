import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { BarBatch, BarInterval, BarSeriesKey } from '../../application/bar-batch.js';
import type { BarFileReadOptions, BarFileReader, BarKey } from '../../application/ports/bar-file-reader.js';
import type { RejectedRow } from '../../application/ports/reject-sink.js';
import { InputError, UsageError, errorMessage } from '../../kernel/errors.js';
import { printable } from '../../kernel/printable.js';
import { describeBarGrid, onBarGrid } from '../../kernel/bar-grid.js';
import { isoUtc } from '../../kernel/time-range.js';
import { parseBarTimestamp, parseExchange, parseInterval, parseNonNegative, parseTicker } from './bar-fields.js';
import type { FieldProblem } from './bar-fields.js';
import { CsvByteLines } from './csv-records.js';
import type { CsvRecord } from './csv-records.js';
import { FastBarRow } from './fast-bar-row.js';

export type BarField = 'ticker' | 'exchange' | 'interval_minutes' | 'timestamp' | 'open' | 'high' | 'low' | 'close' | 'volume';

/** Header names barfill understands (case-insensitive, any order). Other columns are ignored. */
export const HEADER_ALIASES: Readonly<Record<string, BarField>> = {
  ticker: 'ticker',
  symbol: 'ticker',
  exchange: 'exchange',
  interval_minutes: 'interval_minutes',
  interval: 'interval_minutes',
  timestamp: 'timestamp',
  date: 'timestamp',
  datetime: 'timestamp',
  time: 'timestamp',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
};

const REQUIRED: readonly BarField[] = ['ticker', 'timestamp', 'open', 'high', 'low', 'close', 'volume'];

export const DEFAULT_BATCH_ROWS = 50_000;

/** Longest value (or raw line) copied into a rejected row. */
const MAX_REJECT_VALUE_CHARS = 2000;

/** Per-file counts after a read. */
export interface CsvFileStats {
  /** Data records seen (blank lines and the header excluded). */
  records: number;
  /** Rows emitted in batches. */
  rows: number;
  rejected: number;
}

export interface CsvBarReadOptions extends BarFileReadOptions {
  /** Filled in while reading. */
  readonly stats?: CsvFileStats;
  /** Called with every accepted row's key and line (used by `linesOf`). */
  readonly onRow?: (ticker: string, intervalMinutes: number, timestampMs: number, line: number) => void;
}

/** Which column index holds each field (-1: absent). */
type ColumnMap = Record<BarField, number>;

export function mapHeader(file: string, header: readonly string[]): ColumnMap {
  const map: ColumnMap = {
    ticker: -1, exchange: -1, interval_minutes: -1, timestamp: -1, open: -1, high: -1, low: -1, close: -1, volume: -1,
  };
  header.forEach((name, i) => {
    const field = HEADER_ALIASES[name.trim().toLowerCase()];
    if (field === undefined) return;
    if (map[field] !== -1) {
      throw new InputError(
        `${file}: line 1: columns '${printable(header[map[field]] ?? '', 40)}' and '${printable(name, 40)}' both give the ${field}; keep one`,
      );
    }
    map[field] = i;
  });
  const missing = REQUIRED.filter((f) => map[f] === -1);
  if (missing.length > 0) {
    throw new InputError(
      `${file}: line 1: the header has no ${missing.map((m) => `'${m}'`).join(', ')} column${missing.length > 1 ? 's' : ''} ` +
        `(found: ${printable(header.map((h) => h.trim()).join(', '), 200)}); expected ticker (or symbol), timestamp (or date/datetime/time), ` +
        'open, high, low, close, volume, and optionally exchange and interval_minutes (or interval)',
    );
  }
  return map;
}

/** The file's bytes (decompressed for `.gz`); csv-records.ts decodes UTF-8 where it needs text. */
function openBytes(file: string): Readable {
  const src = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!/\.gz$/i.test(file)) return src;
  const gunzip = createGunzip();
  src.on('error', (err) => gunzip.destroy(err));
  gunzip.on('close', () => src.destroy());
  src.pipe(gunzip);
  return gunzip;
}

class BatchBuilder {
  private n = 0;
  private readonly cap: number;
  private series: BarSeriesKey[] = [];
  private seriesIds = new Map<string, number>();
  private seriesIndex!: Uint32Array;
  private ts!: Float64Array;
  private o!: Float64Array;
  private h!: Float64Array;
  private l!: Float64Array;
  private c!: Float64Array;
  private v!: Float64Array;

  constructor(cap: number) {
    this.cap = cap;
    this.reset();
  }

  private reset(): void {
    const cap = this.cap;
    this.n = 0;
    this.series = [];
    this.seriesIds = new Map();
    this.seriesIndex = new Uint32Array(cap);
    this.ts = new Float64Array(cap);
    this.o = new Float64Array(cap);
    this.h = new Float64Array(cap);
    this.l = new Float64Array(cap);
    this.c = new Float64Array(cap);
    this.v = new Float64Array(cap);
  }

  get length(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.cap;
  }

  add(key: BarSeriesKey, id: string, ts: number, o: number, h: number, l: number, c: number, v: number): void {
    let si = this.seriesIds.get(id);
    if (si === undefined) {
      si = this.series.length;
      this.series.push(key);
      this.seriesIds.set(id, si);
    }
    const i = this.n++;
    this.seriesIndex[i] = si;
    this.ts[i] = ts;
    this.o[i] = o;
    this.h[i] = h;
    this.l[i] = l;
    this.c[i] = c;
    this.v[i] = v;
  }

  /** Hands the rows over (views of fresh arrays) and starts a new batch. */
  take(): BarBatch {
    const n = this.n;
    const batch: BarBatch = {
      length: n,
      series: this.series,
      seriesIndex: this.seriesIndex.subarray(0, n),
      timestampMs: this.ts.subarray(0, n),
      open: this.o.subarray(0, n),
      high: this.h.subarray(0, n),
      low: this.l.subarray(0, n),
      close: this.c.subarray(0, n),
      volume: this.v.subarray(0, n),
    };
    this.reset();
    return batch;
  }
}

/**
 * Reads equities bar files (`*.csv`, `*.csv.gz`) as a stream: memory holds one
 * chunk of text and one batch, whatever the file size. The header is required
 * and mapped by name (see `HEADER_ALIASES`); `exchange` and `interval_minutes`
 * come from the defaults when the file has no such column. Bad rows are passed
 * to `onReject` with their 1-based line number and reason; the others load.
 * A file that cannot be opened, decompressed or has an unusable header fails
 * with an `InputError` naming it.
 */
export class CsvBarFileReader implements BarFileReader {
  private readonly batchRows: number;

  constructor(options: { batchRows?: number } = {}) {
    const rows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    if (!Number.isInteger(rows) || rows < 1) throw new UsageError(`batch size must be a positive integer; got ${rows}`);
    this.batchRows = rows;
  }

  read(file: string, options: CsvBarReadOptions): AsyncIterable<BarBatch> {
    return this.readBatches(file, options);
  }

  /** A second pass over the file, keeping only the line numbers of one bar key: memory stays flat. */
  async linesOf(file: string, options: BarFileReadOptions, key: BarKey): Promise<number[]> {
    const lines: number[] = [];
    const onRow = (ticker: string, intervalMinutes: number, timestampMs: number, line: number): void => {
      if (timestampMs === key.timestampMs && ticker === key.ticker && intervalMinutes === key.intervalMinutes) lines.push(line);
    };
    const batches = this.readBatches(file, { ...options, onReject: () => undefined, onRow });
    while (!(await batches.next()).done) {
      // only the lines matter
    }
    return lines;
  }

  private async *readBatches(file: string, options: CsvBarReadOptions): AsyncGenerator<BarBatch> {
    const defEx = parseExchange(options.defaultExchange);
    if (!defEx.ok) throw new UsageError(`--exchange: ${defEx.detail}`);
    const defIv = parseInterval(String(options.defaultIntervalMinutes));
    if (!defIv.ok) throw new UsageError(`--interval: ${defIv.detail}`);
    const stats: CsvFileStats = options.stats ?? { records: 0, rows: 0, rejected: 0 };

    const bytes = openBytes(file);
    const chunks: AsyncIterator<unknown> = bytes[Symbol.asyncIterator]();
    let lastLine = 0;
    try {
      const next = async (): Promise<IteratorResult<unknown>> => {
        try {
          return await chunks.next();
        } catch (err) {
          throw new InputError(
            `${file}: cannot read${lastLine > 0 ? ` after line ${lastLine}` : ''}: ${describeIoError(err, file)}`,
            { cause: err },
          );
        }
      };
      // Set by the first record: the header, its column map and the fast path for the rows.
      let header: string[] = [];
      let cols: ColumnMap | undefined;
      let fast: FastBarRow | undefined;
      const onHeader = (first: CsvRecord): void => {
        const fields = first.fields;
        if (fields === undefined) throw new InputError(`${file}: line ${first.line}: the header is malformed: ${first.problem ?? ''}`);
        cols = mapHeader(file, fields);
        header = fields;
        lastLine = first.line;
        fast = new FastBarRow(cols, fields.length);
      };
      /** Batches completed while a chunk was split, yielded after it. */
      const ready: BarBatch[] = [];

      const keys = new Map<string, BarSeriesKey>();
      const builder = new BatchBuilder(this.batchRows);
      const reject = (rec: CsvRecord, p: FieldProblem): void => {
        stats.rejected++;
        const values: Record<string, string | number | null> = {};
        if (rec.fields !== undefined && rec.fields.length === header.length) {
          header.forEach((name, i) => {
            const v = rec.fields?.[i];
            // Bounded like `_raw`: a 10 MB field must not make a 10 MB reject file line.
            values[name.trim()] = v === undefined ? null : v.length > MAX_REJECT_VALUE_CHARS ? `${v.slice(0, MAX_REJECT_VALUE_CHARS)}...` : v;
          });
        } else {
          values['_raw'] = rec.raw.length > MAX_REJECT_VALUE_CHARS ? `${rec.raw.slice(0, MAX_REJECT_VALUE_CHARS)}...` : rec.raw;
        }
        const row: RejectedRow = { file, row: rec.line, reason: p.reason, detail: p.detail, values };
        options.onReject(row);
      };

      const onRecord = (rec: CsvRecord): void => {
        if (cols === undefined) {
          onHeader(rec);
          return;
        }
        const map = cols;
        lastLine = rec.line;
        stats.records++;
        const f = rec.fields;
        if (f === undefined) {
          reject(rec, { reason: 'malformed_csv', detail: rec.problem ?? 'malformed CSV' });
          return;
        }
        if (f.length !== header.length) {
          reject(rec, { reason: 'wrong_field_count', detail: `expected ${header.length} fields as in the header, found ${f.length}` });
          return;
        }
        const at = (field: BarField): string => f[map[field]] ?? '';
        const ticker = parseTicker(at('ticker'));
        if (!ticker.ok) {
          reject(rec, ticker);
          return;
        }
        let exchange = defEx.value;
        if (map.exchange !== -1) {
          const e = parseExchange(at('exchange'));
          if (!e.ok) {
            reject(rec, e);
            return;
          }
          exchange = e.value;
        }
        let interval: BarInterval = defIv.value;
        if (map.interval_minutes !== -1) {
          const iv = parseInterval(at('interval_minutes'));
          if (!iv.ok) {
            reject(rec, iv);
            return;
          }
          interval = iv.value;
        }
        const ts = parseBarTimestamp(at('timestamp'));
        if (!ts.ok) {
          reject(rec, ts);
          return;
        }
        if (!onBarGrid(ts.value, interval)) {
          reject(rec, { reason: 'off_interval_grid', detail: `${isoUtc(ts.value)} is not on ${describeBarGrid(interval)}` });
          return;
        }
        const o = parseNonNegative(at('open'), 'open');
        const h = parseNonNegative(at('high'), 'high');
        const l = parseNonNegative(at('low'), 'low');
        const c = parseNonNegative(at('close'), 'close');
        const v = parseNonNegative(at('volume'), 'volume');
        if (!o.ok || !h.ok || !l.ok || !c.ok || !v.ok) {
          const p = [o, h, l, c, v].find((x) => !x.ok);
          if (p !== undefined && !p.ok) reject(rec, p);
          return;
        }
        const ohlc = checkOhlc(o.value, h.value, l.value, c.value);
        if (ohlc !== undefined) {
          reject(rec, ohlc);
          return;
        }
        const id = `${ticker.value}\u0000${exchange}\u0000${interval}`;
        let key = keys.get(id);
        if (key === undefined) {
          key = { ticker: ticker.value, exchange, intervalMinutes: interval };
          keys.set(id, key);
        }
        builder.add(key, id, ts.value, o.value, h.value, l.value, c.value, v.value);
        options.onRow?.(ticker.value, interval, ts.value, rec.line);
        stats.rows++;
        if (builder.full) ready.push(builder.take());
      };
      // The fast path: a plain row parsed from its bytes, with the same values and checks (fast-bar-row.ts).
      let lastTicker = '';
      let lastExchange = '';
      let lastInterval = 0;
      let lastKey: BarSeriesKey | undefined;
      let lastId = '';
      const onFastLine = (b: Buffer, start: number, end: number, line: number): boolean => {
        if (fast === undefined || cols === undefined || !fast.parse(b, start, end)) return false;
        const interval = cols.interval_minutes === -1 ? defIv.value : fast.interval;
        // Off the interval's grid: the general path rejects it, with the same message for every row.
        if (!onBarGrid(fast.timestampMs, interval)) return false;
        lastLine = line;
        stats.records++;
        const ticker = fast.ticker;
        const exchange = cols.exchange === -1 ? defEx.value : fast.exchange;
        if (lastKey === undefined || ticker !== lastTicker || exchange !== lastExchange || interval !== lastInterval) {
          lastId = `${ticker}\u0000${exchange}\u0000${interval}`;
          lastKey = keys.get(lastId);
          if (lastKey === undefined) {
            lastKey = { ticker, exchange, intervalMinutes: interval };
            keys.set(lastId, lastKey);
          }
          lastTicker = ticker;
          lastExchange = exchange;
          lastInterval = interval;
        }
        builder.add(lastKey, lastId, fast.timestampMs, fast.open, fast.high, fast.low, fast.close, fast.volume);
        options.onRow?.(ticker, interval, fast.timestampMs, line);
        stats.rows++;
        if (builder.full) ready.push(builder.take());
        return true;
      };

      const lines = new CsvByteLines(onFastLine, onRecord);
      for (;;) {
        const r = await next();
        if (r.done === true) break;
        const chunk = r.value;
        lines.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
        for (const batch of ready) yield batch;
        ready.length = 0;
      }
      lines.end();
      if (cols === undefined) throw new InputError(`${file}: the file is empty; expected a header line`);
      for (const batch of ready) yield batch;
      ready.length = 0;
      if (builder.length > 0) yield builder.take();
    } finally {
      bytes.destroy();
    }
  }
}

/** Low at most open and close, high at least both: the first bound broken, or undefined. */
export function checkOhlc(o: number, h: number, l: number, c: number): FieldProblem | undefined {
  if (h < l) return { reason: 'inconsistent_ohlc', detail: `high ${h} is below low ${l}` };
  if (h < o || h < c) return { reason: 'inconsistent_ohlc', detail: `high ${h} is below open ${o} or close ${c}` };
  if (l > o || l > c) return { reason: 'inconsistent_ohlc', detail: `low ${l} is above open ${o} or close ${c}` };
  return undefined;
}

function describeIoError(err: unknown, file: string): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (typeof code === 'string' && code.startsWith('Z_')) return `not a valid gzip file (${errorMessage(err)})`;
  return errorMessage(err).replaceAll(file, '').trim() || String(code);
}
