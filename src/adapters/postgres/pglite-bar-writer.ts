import type { PGliteInterface } from '@electric-sql/pglite';
import type { BarBatch } from '../../application/bar-batch.js';
import type { BarUnit, BarWriter, ConflictMode, DoneMark, UnitCounts } from '../../application/ports/bar-writer.js';
import { SinkError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { isoUtc } from '../../kernel/time-range.js';
import { BAR_COLUMNS, float8Text } from './copy-text.js';
import { Mutex } from './mutex.js';
import { toSinkError } from './pg-errors.js';
import { doneRecord, recordUnitStatement } from './pg-run-ledger.js';
import { CREATE_UPSERT_STAGING_SQL, UPSERT_STAGING, applyUpsert } from './upsert-sql.js';

export interface PgliteBarWriterOptions {
  readonly db: PGliteInterface;
  readonly logger: Logger;
  /** For messages, e.g. `embedded PostgreSQL (PGlite) at /abs/path`. */
  readonly description: string;
  /** Whether `close()` closes the database (default true). */
  readonly ownsDb?: boolean;
  /** Rows per INSERT statement (default 10,000). */
  readonly rowsPerStatement?: number;
}

const KEY = '(ticker, interval_minutes, "timestamp")';

/** `fail`: straight into market_data; `ignore`: ON CONFLICT DO NOTHING; `update`: into the staging table. */
function insertSql(mode: ConflictMode): string {
  const target = mode === 'update' ? UPSERT_STAGING : 'market_data';
  return (
    `INSERT INTO ${target} (${BAR_COLUMNS}) ` +
    'SELECT t, e, i, ts, o, h, l, c, v, $10::text FROM unnest(' +
    '$1::text[], $2::text[], $3::smallint[], $4::timestamptz[], ' +
    '$5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[]' +
    ') AS r(t, e, i, ts, o, h, l, c, v)' +
    (mode === 'ignore' ? ` ON CONFLICT ${KEY} DO NOTHING` : '')
  );
}

function quoteArrayText(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

function floatArray(col: Float64Array, from: number, to: number): string {
  const parts = new Array<string>(to - from);
  for (let i = from; i < to; i++) parts[i - from] = float8Text(col[i] ?? NaN);
  return `{${parts.join(',')}}`;
}

/** The nine array parameters (PostgreSQL array literals) for rows `[from, to)`. */
export function batchToArrayParams(batch: BarBatch, from: number, to: number): string[] {
  const tickers = batch.series.map((s) => quoteArrayText(s.ticker));
  const exchanges = batch.series.map((s) => quoteArrayText(s.exchange));
  const n = to - from;
  const t = new Array<string>(n), e = new Array<string>(n), iv = new Array<string>(n), ts = new Array<string>(n);
  for (let r = from; r < to; r++) {
    const si = batch.seriesIndex[r] ?? 0;
    const key = batch.series[si];
    if (key === undefined) throw new RangeError(`row ${r} names series ${si} of ${batch.series.length}`);
    t[r - from] = tickers[si] ?? '';
    e[r - from] = exchanges[si] ?? '';
    iv[r - from] = String(key.intervalMinutes);
    ts[r - from] = isoUtc(batch.timestampMs[r] ?? NaN);
  }
  return [
    `{${t.join(',')}}`,
    `{${e.join(',')}}`,
    `{${iv.join(',')}}`,
    `{${ts.join(',')}}`,
    floatArray(batch.open, from, to),
    floatArray(batch.high, from, to),
    floatArray(batch.low, from, to),
    floatArray(batch.close, from, to),
    floatArray(batch.volume, from, to),
  ];
}

/**
 * `BarWriter` over embedded PostgreSQL (PGlite). PGlite has one connection and
 * no COPY FROM STDIN over a socket, so units are serialized (a later `begin()`
 * waits for the unit before it to finish) and rows go in with
 * `INSERT ... SELECT FROM unnest(arrays)` (in `update` mode into the staging
 * table, in array order, then `applyUpsert` at commit). Counts and conflict
 * errors are those of `PgBarWriter`.
 */
export class PgliteBarWriter implements BarWriter {
  private readonly options: PgliteBarWriterOptions;
  private readonly mutex = new Mutex();
  private closed = false;

  constructor(options: PgliteBarWriterOptions) {
    this.options = options;
  }

  /** Runs `fn` while no unit is open (for migrations and ad-hoc queries). */
  exclusive<T>(fn: (db: PGliteInterface) => Promise<T>): Promise<T> {
    return this.mutex.run(() => fn(this.options.db));
  }

  async begin(options: { mode: ConflictMode; source: string }): Promise<BarUnit> {
    if (this.closed) throw new SinkError('the embedded PostgreSQL writer is closed');
    const release = await this.mutex.acquire();
    try {
      await this.options.db.query('BEGIN');
    } catch (err) {
      release();
      throw toSinkError(err, `cannot start a transaction on ${this.options.description}`);
    }
    if (options.mode === 'update') {
      try {
        await this.options.db.query(CREATE_UPSERT_STAGING_SQL);
      } catch (err) {
        await this.options.db.query('ROLLBACK').catch(() => undefined);
        release();
        throw toSinkError(err, `cannot start a transaction on ${this.options.description}`);
      }
    }
    return new PgliteUnit(this.options, options.mode, options.source, release);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Waits for the open units to finish.
    await this.mutex.run(async () => {
      if (this.options.ownsDb ?? true) await this.options.db.close();
    });
  }
}

class PgliteUnit implements BarUnit {
  private state: 'open' | 'failed' | 'done' = 'open';
  private failure: SinkError | undefined;
  private staged = 0;
  private inserted = 0;
  private readonly options: PgliteBarWriterOptions;
  private readonly mode: ConflictMode;
  private readonly source: string;
  private readonly release: () => void;
  private readonly sql: string;

  constructor(options: PgliteBarWriterOptions, mode: ConflictMode, source: string, release: () => void) {
    this.options = options;
    this.mode = mode;
    this.source = source;
    this.release = release;
    this.sql = insertSql(mode);
  }

  async write(batch: BarBatch): Promise<void> {
    this.assertOpen();
    const step = this.options.rowsPerStatement ?? 10_000;
    try {
      for (let from = 0; from < batch.length; from += step) {
        const to = Math.min(batch.length, from + step);
        const params = [...batchToArrayParams(batch, from, to), this.source];
        const res = await this.options.db.query(this.sql, params);
        this.staged += to - from;
        this.inserted += res.affectedRows ?? 0;
      }
    } catch (err) {
      return this.fail(err, `cannot write bars to ${this.options.description}`);
    }
  }

  async commit(mark?: DoneMark): Promise<UnitCounts> {
    this.assertOpen();
    let counts: UnitCounts;
    try {
      if (this.mode === 'update') {
        counts = await applyUpsert(async (sql) => (await this.options.db.query(sql)).affectedRows ?? 0, this.staged);
      } else if (this.mode === 'ignore') {
        counts = { inserted: this.inserted, updated: 0, skipped: this.staged - this.inserted };
      } else {
        counts = { inserted: this.staged, updated: 0, skipped: 0 };
      }
      if (mark !== undefined) {
        const { sql, params } = recordUnitStatement(doneRecord(mark, counts));
        await this.options.db.query(sql, params);
      }
      await this.options.db.query('COMMIT');
    } catch (err) {
      return this.fail(err, `cannot commit bars to ${this.options.description}`);
    }
    this.state = 'done';
    this.release();
    return counts;
  }

  async rollback(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'done';
    await this.abort();
  }

  private assertOpen(): void {
    if (this.state === 'failed' && this.failure !== undefined) throw this.failure;
    if (this.state !== 'open') throw new SinkError('this embedded PostgreSQL unit is already committed or rolled back');
  }

  private async fail(err: unknown, context: string): Promise<never> {
    const mapped = toSinkError(err, context);
    if (this.state === 'open') {
      this.state = 'failed';
      this.failure = mapped;
      await this.abort();
    }
    throw this.failure ?? mapped;
  }

  private async abort(): Promise<void> {
    try {
      await this.options.db.query('ROLLBACK');
    } catch (err) {
      this.options.logger.warn('ROLLBACK failed on embedded PostgreSQL', { reason: toSinkError(err, 'ROLLBACK').message });
    } finally {
      this.release();
    }
  }
}
