import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CopyStreamQuery } from 'pg-copy-streams';
import type { BarBatch } from '../../application/bar-batch.js';
import type { BarUnit, BarWriter, ConflictMode, DoneMark, UnitCounts } from '../../application/ports/bar-writer.js';
import { SinkError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyBinaryEncoder } from './copy-binary.js';
import { BAR_COLUMNS } from './copy-text.js';
import { toSinkError } from './pg-errors.js';
import { doneRecord, recordUnitStatement } from './pg-run-ledger.js';
import { CREATE_UPSERT_STAGING_SQL, UPSERT_STAGING, applyUpsert } from './upsert-sql.js';

export interface PgBarWriterOptions {
  /** The pool units take their connections from; its `max` bounds the concurrent units. */
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** Where the database is, for messages (never with a password). */
  readonly description: string;
  /** Strings that must never appear in a message (the password). */
  readonly secrets?: readonly string[];
  /** Whether `close()` ends the pool (default true). */
  readonly ownsPool?: boolean;
  /** Rows encoded per COPY chunk (default 8192, about 850 kB). */
  readonly rowsPerChunk?: number;
}

const STAGING = 'barfill_staging';
const KEY = '(ticker, interval_minutes, "timestamp")';

/**
 * `BarWriter` over a PostgreSQL server. Each unit is one pooled connection and
 * one transaction, streamed with `COPY ... FROM STDIN (FORMAT binary)` (copy-binary.ts):
 * - `fail`: straight into `market_data`; a duplicate fails the COPY (23505) and
 *   the unit is rolled back;
 * - `ignore`: into a temporary staging table, then one
 *   `INSERT ... ON CONFLICT DO NOTHING` whose row count gives exact counts;
 * - `update`: into a staging table numbering the rows, then the statements of
 *   `applyUpsert` (upsert-sql.ts): exact inserted / updated / skipped.
 */
export class PgBarWriter implements BarWriter {
  private readonly options: PgBarWriterOptions;
  private closed = false;

  constructor(options: PgBarWriterOptions) {
    this.options = options;
  }

  async begin(options: { mode: ConflictMode; source: string }): Promise<BarUnit> {
    if (this.closed) throw new SinkError('the PostgreSQL writer is closed');
    const context = `PostgreSQL at ${this.options.description}`;
    let client: pg.PoolClient;
    try {
      client = await this.options.pool.connect();
    } catch (err) {
      throw toSinkError(err, `cannot connect to ${context}`, this.options.secrets);
    }
    const unit = new PgCopyUnit(client, options.mode, options.source, this.options, context);
    await unit.start();
    return unit;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.ownsPool ?? true) await this.options.pool.end();
  }
}

type UnitState = 'open' | 'failed' | 'done';

class PgCopyUnit implements BarUnit {
  private state: UnitState = 'open';
  private failure: SinkError | undefined;
  private copy: CopyStreamQuery | undefined;
  private copyError: Error | undefined;
  /** Encodes the rows; keeps the per-series bytes between batches. */
  private readonly encoder: CopyBinaryEncoder;
  /** Set once COMMIT is sent: a failure after it leaves the outcome unknown, so the unit must not be retried. */
  private commitSent = false;
  /** Set once the run ledger's done record is written in this transaction. */
  private marked = false;
  private readonly client: pg.PoolClient;
  private readonly mode: ConflictMode;
  private readonly options: PgBarWriterOptions;
  private readonly context: string;

  /**
   * A checked-out client whose connection dies (server restart, network) emits
   * 'error'; without a listener that would crash the process. The unit keeps
   * the error: the next write or the commit fails with it, the unit is rolled
   * back and the broken connection is destroyed, never reused.
   */
  private readonly onClientError = (err: Error): void => {
    this.connectionError ??= err;
    this.copyError ??= err;
  };
  private connectionError: Error | undefined;

  constructor(client: pg.PoolClient, mode: ConflictMode, source: string, options: PgBarWriterOptions, context: string) {
    this.client = client;
    this.mode = mode;
    this.options = options;
    this.context = context;
    this.encoder = new CopyBinaryEncoder(source);
    client.on('error', this.onClientError);
  }

  /** Gives the connection back to the pool; a broken one is destroyed. */
  private release(err?: Error): void {
    this.client.off('error', this.onClientError);
    this.client.release(err ?? this.connectionError);
  }

  /** BEGIN, the staging table (ignore and update modes) and the COPY. */
  async start(): Promise<void> {
    try {
      await this.client.query('BEGIN');
      let target = 'market_data';
      if (this.mode === 'ignore') {
        await this.client.query(
          `CREATE TEMP TABLE ${STAGING} (LIKE market_data INCLUDING DEFAULTS) ON COMMIT DROP`,
        );
        target = STAGING;
      } else if (this.mode === 'update') {
        await this.client.query(CREATE_UPSERT_STAGING_SQL);
        target = UPSERT_STAGING;
      }
      const copy = this.client.query(copyFrom(`COPY ${target} (${BAR_COLUMNS}) FROM STDIN (FORMAT binary)`));
      copy.on('error', (err: unknown) => {
        this.copyError ??= err instanceof Error ? err : new Error(String(err));
      });
      this.copy = copy;
      copy.write(COPY_BINARY_HEADER);
    } catch (err) {
      await this.fail(err, `cannot start a transaction on ${this.context}`).catch(() => undefined);
      throw this.failure ?? toSinkError(err, this.context, this.options.secrets);
    }
  }

  async write(batch: BarBatch): Promise<void> {
    this.assertOpen();
    const copy = this.copy;
    if (copy === undefined) throw new SinkError('internal: the COPY was not started');
    const step = this.options.rowsPerChunk ?? 8192;
    try {
      // Each chunk is encoded while the previous one is still being sent; the wait for 'drain' comes just before
      // the next write, so the last chunk of a batch is sent while the caller reads the next batch.
      for (let from = 0; from < batch.length; from += step) {
        this.throwCopyError();
        const to = Math.min(batch.length, from + step);
        const chunk = this.encoder.encode(batch, from, to);
        // `writableNeedDrain`, not the last write's result: the 'drain' may have come while the caller was reading.
        if (copy.writableNeedDrain) await drained(copy);
        this.throwCopyError();
        copy.write(chunk);
      }
      this.throwCopyError();
    } catch (err) {
      return this.fail(err, `cannot write bars to ${this.context}`);
    }
  }

  async commit(mark?: DoneMark): Promise<UnitCounts> {
    this.assertOpen();
    const copy = this.copy;
    if (copy === undefined) throw new SinkError('internal: the COPY was not started');
    try {
      this.throwCopyError();
      copy.end(COPY_BINARY_TRAILER);
      await finished(copy);
      this.throwCopyError();
      let counts: UnitCounts;
      if (this.mode === 'ignore') {
        const res = await this.client.query(
          `INSERT INTO market_data (${BAR_COLUMNS}) SELECT ${BAR_COLUMNS} FROM ${STAGING} ON CONFLICT ${KEY} DO NOTHING`,
        );
        const inserted = res.rowCount ?? 0;
        const staged = copy.rowCount;
        counts = { inserted, updated: 0, skipped: staged - inserted };
      } else if (this.mode === 'update') {
        counts = await applyUpsert(async (sql) => (await this.client.query(sql)).rowCount ?? 0, copy.rowCount);
      } else {
        counts = { inserted: copy.rowCount, updated: 0, skipped: 0 };
      }
      if (mark !== undefined) {
        const { sql, params } = recordUnitStatement(doneRecord(mark, counts));
        await this.client.query(sql, params);
        this.marked = true;
      }
      this.commitSent = true;
      await this.client.query('COMMIT');
      this.state = 'done';
      this.release();
      return counts;
    } catch (err) {
      return this.fail(err, `cannot commit bars to ${this.context}`);
    }
  }

  async rollback(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'done';
    await this.abort(undefined);
  }

  /** Throws the COPY's error, if it has failed (a method, so that no narrowing hides a later failure). */
  private throwCopyError(): void {
    if (this.copyError !== undefined) throw this.copyError;
  }

  private assertOpen(): void {
    if (this.state === 'failed' && this.failure !== undefined) throw this.failure;
    if (this.state !== 'open') throw new SinkError('this PostgreSQL unit is already committed or rolled back');
  }

  /** Rolls back, releases the connection, remembers and throws the mapped error. */
  private async fail(err: unknown, context: string): Promise<never> {
    let mapped = toSinkError(err, context, this.options.secrets);
    if (this.commitSent) {
      // The COMMIT may have been applied before the connection was lost: never retry this unit automatically.
      mapped = new SinkError(
        `${mapped.message}; the COMMIT was sent but not acknowledged, so whether this unit was stored is unknown ` +
          (this.marked
            ? '(--resume the run: its done record commits with its rows, so it is redone only if it was not stored)'
            : `(rerun with --on-conflict ${this.mode === 'update' ? 'update' : 'ignore'} to complete it)`),
        mapped.dbCode === undefined ? { cause: err, transient: false } : { cause: err, dbCode: mapped.dbCode, transient: false },
      );
    }
    if (this.state === 'open') {
      this.state = 'failed';
      this.failure = mapped;
      await this.abort(err);
    }
    throw this.failure ?? mapped;
  }

  /** Ends any COPY in flight, rolls back and gives the connection back (destroyed when broken). */
  private async abort(cause: unknown): Promise<void> {
    let broken = false;
    const copy = this.copy;
    if (copy !== undefined && !copy.writableFinished && this.copyError === undefined && !copy.destroyed) {
      copy.destroy();
      await finished(copy).catch(() => undefined);
    }
    try {
      await this.client.query('ROLLBACK');
    } catch (err) {
      broken = true;
      this.options.logger.debug('ROLLBACK failed; the connection is discarded', {
        reason: toSinkError(err, this.context, this.options.secrets).message,
      });
    }
    this.release(broken ? (cause instanceof Error ? cause : new Error('connection discarded')) : undefined);
  }
}

function drained(stream: CopyStreamQuery): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (stream.errored !== null) {
      reject(stream.errored);
      return;
    }
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the COPY stream closed before it drained'));
    };
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
