import type { StopSignal } from '../../kernel/stop-signal.js';
import type { Clock } from '../../kernel/clock.js';
import { InterruptedError, SinkError, errorMessage } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { BarInterval } from '../bar-batch.js';
import type { BarFileReader } from '../ports/bar-file-reader.js';
import type { BarUnit, BarWriter, ConflictMode } from '../ports/bar-writer.js';
import type { RejectSink } from '../ports/reject-sink.js';
import { countsText, finishedUnit, logUnitFailure, summarize, type RunSummary, type UnitResult } from './backfill-bars.js';
import { noUnitHooks, type UnitHooks } from '../unit-hooks.js';
import { runPool } from './run-pool.js';
import { CommitOrder } from './commit-order.js';
import { runUnitWithRetries, type UnitRetry } from './unit-retry.js';
import { StopController } from '../../kernel/stop-signal.js';

export interface InjectBarFilesCommand {
  /** Files to load, as they should be named in logs. */
  readonly files: readonly string[];
  readonly defaultExchange: string;
  readonly defaultIntervalMinutes: BarInterval;
}

export interface InjectBarFilesDeps {
  readonly reader: BarFileReader;
  /** Undefined in dry run. */
  readonly writer: BarWriter | undefined;
  readonly rejects: RejectSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly mode: ConflictMode;
  readonly signal?: StopSignal;
  /** A short name per file for log lines (e.g. the path relative to --csv-dir). */
  readonly displayName: (file: string) => string;
  /** Retry a file from the start after a transient database failure (its transaction rolled back). */
  readonly retry?: UnitRetry;
  /** Progress and the run ledger. */
  readonly hooks?: UnitHooks;
}

/**
 * Loads bar files, `concurrency` at a time, each file in its own transaction.
 * Malformed rows are rejected (file, line, reason) and the file's valid rows
 * still load; a file that cannot be read or written fails alone.
 */
export class InjectBarFilesUseCase {
  constructor(private readonly deps: InjectBarFilesDeps) {}

  async run(cmd: InjectBarFilesCommand): Promise<RunSummary> {
    const { clock, signal } = this.deps;
    const t0 = clock.monotonic();
    const results = new Array<UnitResult | undefined>(cmd.files.length).fill(undefined);
    const hooks = this.deps.hooks ?? noUnitHooks;
    // update: the later file (path order) wins a key two files share, so commits follow the file order.
    const order = this.deps.mode === 'update' ? new CommitOrder(cmd.files.length) : undefined;
    hooks.begin({ units: cmd.files.length });
    try {
      await runPool(
        cmd.files,
        this.deps.concurrency,
        async (file, i) => {
          const name = this.deps.displayName(file);
          hooks.started(name);
          let r: UnitResult;
          try {
            r = await runUnitWithRetries(name, () => this.oneFile(file, cmd, () => order?.turn(i, signal)), {
              retry: this.deps.retry,
              logger: this.deps.logger,
              stop: signal ?? new StopController().signal,
            });
          } finally {
            order?.finished(i);
          }
          logUnitFailure(this.deps.logger, r);
          results[i] = r;
          await hooks.finished(finishedUnit(r));
        },
        () => signal?.aborted === true,
      );
    } finally {
      hooks.end();
    }
    const all = results.map(
      (r, i): UnitResult =>
        r ?? { name: this.deps.displayName(cmd.files[i] ?? ''), outcome: 'not_started', bars: 0, inserted: 0, skipped: 0, rejected: 0, elapsed_ms: 0 },
    );
    return summarize({ ...this.deps, commandName: 'inject-csv' }, all, clock.monotonic() - t0, signal?.aborted === true, undefined);
  }

  /** `turn`: resolves when this file may commit (false: the run was stopped meanwhile). */
  private async oneFile(
    file: string,
    cmd: InjectBarFilesCommand,
    turn: () => Promise<boolean> | undefined,
  ): Promise<UnitResult & { retryable: boolean }> {
    const { clock, logger, writer } = this.deps;
    const name = this.deps.displayName(file);
    const t0 = clock.monotonic();
    let unit: BarUnit | undefined;
    let rows = 0;
    let rejected = 0;
    try {
      unit = writer === undefined ? undefined : await writer.begin({ mode: this.deps.mode, source: 'csv' });
      const batches = this.deps.reader.read(file, {
        defaultExchange: cmd.defaultExchange,
        defaultIntervalMinutes: cmd.defaultIntervalMinutes,
        onReject: (row) => {
          rejected += 1;
          logger.warn(`[${name}] line ${row.row} rejected: ${row.reason}: ${row.detail}`);
          this.deps.rejects.add({ ...row, file: name });
        },
      });
      for await (const batch of batches) {
        if (this.deps.signal?.aborted === true) throw interruption(this.deps.signal.reason);
        rows += batch.length;
        this.deps.hooks?.rows(name, batch.length);
        if (unit !== undefined) await unit.write(batch);
      }
      if ((await turn()) === false) throw interruption(this.deps.signal?.reason);
      const mark = this.deps.hooks?.doneMark?.(name, { read: rows, rejected });
      const counts = unit === undefined ? { inserted: 0, updated: 0, skipped: 0 } : await unit.commit(mark);
      unit = undefined;
      const secs = ((clock.monotonic() - t0) / 1000).toFixed(2);
      const rej = rejected > 0 ? ` rejected=${rejected}` : '';
      if (writer === undefined) logger.info(`[${name}] Dry run: ${rows} bars (not written)${rej}`);
      else if (rows === 0) logger.info(`[${name}] No data${rej}`);
      else logger.info(`[${name}] Inserted in ${secs}s (${countsText(counts, this.deps.mode)}${rej})`);
      return {
        name,
        outcome: writer === undefined ? 'dry_run' : rows === 0 ? 'no_data' : 'inserted',
        bars: rows,
        inserted: counts.inserted,
        updated: counts.updated,
        skipped: counts.skipped,
        rejected,
        elapsed_ms: Math.round(clock.monotonic() - t0),
        retryable: false,
      };
    } catch (err) {
      if (unit !== undefined) await unit.rollback().catch(() => undefined);
      const interrupted = this.deps.signal?.aborted === true;
      const reason = interrupted
        ? `${interruption(this.deps.signal?.reason).message}: rolled back, nothing of it was written`
        : ((await this.duplicateInFile(file, name, cmd, err)) ?? errorMessage(err));
      return {
        name,
        outcome: interrupted ? 'interrupted' : 'failed',
        bars: rows,
        inserted: 0,
        skipped: 0,
        rejected,
        elapsed_ms: Math.round(clock.monotonic() - t0),
        error: reason,
        retryable: !interrupted && err instanceof SinkError && err.transient,
      };
    }
  }

  /**
   * A `fail`-mode unique violation whose bar the file holds twice is a duplicate inside the file, not a bar
   * already in the table: a second pass over the file finds both lines (memory stays flat). Undefined otherwise.
   */
  private async duplicateInFile(file: string, name: string, cmd: InjectBarFilesCommand, err: unknown): Promise<string | undefined> {
    if (this.deps.mode !== 'fail' || !(err instanceof SinkError) || err.dbCode !== '23505' || err.conflict === undefined) return undefined;
    const key = err.conflict;
    const lines = await this.deps.reader
      .linesOf(file, { defaultExchange: cmd.defaultExchange, defaultIntervalMinutes: cmd.defaultIntervalMinutes, onReject: () => undefined }, key)
      .catch(() => []);
    if (lines.length < 2) return undefined;
    return (
      `duplicate bar in ${name}: lines ${lines[0] ?? 0} and ${lines[1] ?? 0} both hold ticker=${key.ticker}, interval_minutes=${key.intervalMinutes}, ` +
      `timestamp=${isoMinute(key.timestampMs)}; the whole file was rolled back, nothing of it was written`
    );
  }
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function interruption(reason: unknown): InterruptedError {
  return reason instanceof InterruptedError ? reason : new InterruptedError('SIGINT');
}
