import { StopController, type StopSignal } from '../../kernel/stop-signal.js';
import type { Clock } from '../../kernel/clock.js';
import { InterruptedError, SinkError, SourceError, errorMessage } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { BarInterval } from '../bar-batch.js';
import type { BarExport, BarExportUnit } from '../ports/bar-export.js';
import type { BarSource } from '../ports/bar-source.js';
import type { BarUnit, BarWriter, ConflictMode } from '../ports/bar-writer.js';
import { formatElapsed, runPool } from './run-pool.js';
import { noUnitHooks, type FinishedUnit, type UnitHooks } from '../unit-hooks.js';
import { runUnitWithRetries, type UnitRetry } from './unit-retry.js';

export interface BackfillBarsCommand {
  readonly tickers: readonly string[];
  readonly exchange: string;
  readonly intervalMinutes: BarInterval;
  /** Inclusive calendar dates `YYYY-MM-DD`. */
  readonly fromDate: string;
  readonly toDate: string;
}

/** `interrupted`: stopped by SIGINT/SIGTERM while in flight; its transaction was rolled back, nothing of it was written. */
export type UnitOutcome = 'inserted' | 'dry_run' | 'no_data' | 'failed' | 'interrupted' | 'not_started';

export interface UnitResult {
  /** The ticker (or, for inject-csv, the file). */
  readonly name: string;
  readonly outcome: UnitOutcome;
  /** Bars fetched or read. */
  readonly bars: number;
  readonly inserted: number;
  /** Rows replaced because their values changed (`--on-conflict update` only). */
  readonly updated?: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly elapsed_ms: number;
  readonly error?: string;
}

export interface RunSummary {
  readonly command: string;
  readonly dry_run: boolean;
  readonly on_conflict: ConflictMode;
  readonly units: number;
  readonly bars: number;
  readonly inserted: number;
  readonly updated: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly failed: number;
  readonly elapsed_ms: number;
  readonly elapsed: string;
  readonly interrupted: boolean;
  readonly output_file?: { path: string; rows: number };
  /** Set when --output-filename could not be written (the database work is unaffected). */
  readonly output_error?: string;
  /** The run's id in the run ledger (not in dry run). */
  readonly run_id?: string;
  /** Set when resuming: the run's units that were already done and were not redone. */
  readonly already_done?: readonly string[];
  readonly results: readonly UnitResult[];
}

export interface BackfillBarsDeps {
  readonly source: BarSource;
  /** Undefined in dry run: nothing is written to the database. */
  readonly writer: BarWriter | undefined;
  readonly exporter: BarExport | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly mode: ConflictMode;
  readonly signal?: StopSignal;
  readonly commandName: string;
  /** Retry a ticker from the start after a transient database failure (its transaction rolled back). */
  readonly retry?: UnitRetry;
  /** Progress and the run ledger. */
  readonly hooks?: UnitHooks;
}

/**
 * Fetches each ticker's bars from the vendor and writes them to the bar store,
 * one ticker per transaction; `concurrency` tickers at a time (`specific` uses 1).
 * Per-ticker log lines, a final summary. A fatal vendor error (invalid key)
 * stops the run: tickers not yet started are reported as not started.
 */
export class BackfillBarsUseCase {
  /** The first failure to write --output-filename, if any: the export is then abandoned for the run. */
  private exportError: string | undefined;

  constructor(private readonly deps: BackfillBarsDeps) {}

  async run(cmd: BackfillBarsCommand): Promise<RunSummary> {
    const { clock, logger, signal } = this.deps;
    const t0 = clock.monotonic();
    const results = new Array<UnitResult | undefined>(cmd.tickers.length).fill(undefined);
    const stopper = new StopController();
    const onOuterAbort = (): void => {
      stopper.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (signal?.aborted === true) onOuterAbort();

    const hooks = this.deps.hooks ?? noUnitHooks;
    hooks.begin({ units: cmd.tickers.length });
    try {
      await runPool(
        cmd.tickers,
        this.deps.concurrency,
        async (ticker, i) => {
          hooks.started(ticker);
          const r = await runUnitWithRetries(ticker, () => this.oneTicker(ticker, cmd, stopper.signal), {
            retry: this.deps.retry,
            logger,
            stop: stopper.signal,
          });
          logUnitFailure(logger, r);
          results[i] = r;
          await hooks.finished(finishedUnit(r));
          if (r.outcome === 'failed' && r.fatal) {
            logger.error(`stopping: ${r.error ?? 'fatal error'}`);
            stopper.abort(new SourceError(r.error ?? 'fatal', { retryable: false }));
          }
        },
        () => stopper.signal.aborted,
      );
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
      hooks.end();
    }

    const all: UnitResult[] = results.map(
      (r, i) => r ?? { name: cmd.tickers[i] ?? '', outcome: 'not_started', bars: 0, inserted: 0, skipped: 0, rejected: 0, elapsed_ms: 0 },
    );
    for (const r of all) if (r.outcome === 'not_started') logger.warn(`[${r.name}] Not started`);
    let output: { path: string; rows: number } | undefined;
    const interrupted = signal?.aborted === true;
    let outputError = this.exportError;
    if (this.deps.exporter !== undefined) {
      if (interrupted || outputError !== undefined) await this.deps.exporter.abort();
      else {
        try {
          output = { path: '', ...(await this.deps.exporter.finish()) };
        } catch (err) {
          // The database work stands; the summary still appears, and says the export failed.
          outputError = errorMessage(err);
          await this.deps.exporter.abort().catch(() => undefined);
        }
      }
    }
    const summary = summarize(this.deps, all, clock.monotonic() - t0, interrupted, output);
    return outputError === undefined ? summary : { ...summary, output_error: outputError };
  }

  private async oneTicker(
    ticker: string,
    cmd: BackfillBarsCommand,
    stop: StopSignal,
  ): Promise<UnitResult & { fatal?: boolean; retryable: boolean }> {
    const { clock, logger, writer, exporter } = this.deps;
    const t0 = clock.monotonic();
    let unit: BarUnit | undefined;
    let exportUnit: BarExportUnit | undefined;
    let bars = 0;
    try {
      // The transaction opens with the first bars: fetching overlaps other tickers' writes even on a
      // single-connection store (PGlite), and a ticker with no data opens none.
      exportUnit = exporter === undefined ? undefined : await exporter.begin();
      const request = {
        ticker,
        exchange: cmd.exchange,
        intervalMinutes: cmd.intervalMinutes,
        fromDate: cmd.fromDate,
        toDate: cmd.toDate,
        signal: stop,
      };
      for await (const batch of this.deps.source.fetch(request)) {
        if (stop.aborted) throw stop.reason instanceof Error ? stop.reason : new InterruptedError('SIGINT');
        bars += batch.length;
        this.deps.hooks?.rows(ticker, batch.length);
        logger.debug(`[${ticker}] fetched ${batch.length} bars`);
        if (writer !== undefined) {
          unit ??= await writer.begin({ mode: this.deps.mode, source: 'fmp' });
          await unit.write(batch);
        }
        if (exportUnit !== undefined) await exportUnit.write(batch);
      }
      const counts = unit === undefined ? { inserted: 0, updated: 0, skipped: 0 } : await unit.commit(this.deps.hooks?.doneMark?.(ticker, { read: bars, rejected: 0 }));
      unit = undefined;
      if (exportUnit !== undefined) {
        // The database work is committed: an export failure (a full disk) stops the export for the whole run
        // and is reported at the end, but does not undo or misreport this ticker.
        if (this.exportError === undefined) {
          try {
            await exportUnit.commit();
          } catch (err) {
            this.exportError = errorMessage(err);
            logger.error(`--output-filename: the combined CSV is abandoned: ${this.exportError}`);
          }
        } else await exportUnit.discard();
      }
      exportUnit = undefined;
      const elapsed = clock.monotonic() - t0;
      const secs = (elapsed / 1000).toFixed(2);
      let outcome: UnitOutcome;
      if (bars === 0) {
        outcome = 'no_data';
        logger.info(`[${ticker}] No data`);
      } else if (writer === undefined) {
        outcome = 'dry_run';
        logger.info(`[${ticker}] Dry run: ${bars} bars (not written)`);
      } else {
        outcome = 'inserted';
        logger.info(`[${ticker}] Inserted in ${secs}s (${countsText(counts, this.deps.mode)})`);
      }
      return { name: ticker, outcome, bars, inserted: counts.inserted, updated: counts.updated, skipped: counts.skipped, rejected: 0, elapsed_ms: Math.round(elapsed), retryable: false };
    } catch (err) {
      if (unit !== undefined) await unit.rollback().catch(() => undefined);
      if (exportUnit !== undefined) await exportUnit.discard().catch(() => undefined);
      const interrupted = stop.aborted && this.deps.signal?.aborted === true;
      const reason = interrupted ? `${errorMessage(interruption(this.deps.signal?.reason))}: rolled back, nothing of it was written` : errorMessage(err);
      const fatal = err instanceof SourceError && err.fatal;
      return {
        name: ticker,
        outcome: interrupted ? 'interrupted' : 'failed',
        retryable: !interrupted && err instanceof SinkError && err.transient,
        bars,
        inserted: 0,
        skipped: 0,
        rejected: 0,
        elapsed_ms: Math.round(clock.monotonic() - t0),
        error: reason,
        fatal,
      };
    }
  }
}

export function summarize(
  deps: { mode: ConflictMode; commandName: string; writer: unknown },
  results: readonly UnitResult[],
  elapsedMs: number,
  interrupted: boolean,
  output: { path: string; rows: number } | undefined,
): RunSummary {
  const sum = (f: (r: UnitResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  return {
    command: deps.commandName,
    dry_run: deps.writer === undefined,
    on_conflict: deps.mode,
    units: results.length,
    bars: sum((r) => r.bars),
    inserted: sum((r) => r.inserted),
    updated: sum((r) => r.updated ?? 0),
    skipped: sum((r) => r.skipped),
    rejected: sum((r) => r.rejected),
    failed: results.filter((r) => r.outcome === 'failed' || r.outcome === 'interrupted' || r.outcome === 'not_started').length,
    elapsed_ms: Math.round(elapsedMs),
    elapsed: formatElapsed(elapsedMs),
    interrupted,
    ...(output === undefined ? {} : { output_file: output }),
    results: results.map(({ name, outcome, bars, inserted, updated, skipped, rejected, elapsed_ms, error }) => ({
      name,
      outcome,
      bars,
      inserted,
      ...(deps.mode === 'update' ? { updated: updated ?? 0 } : {}),
      skipped,
      rejected,
      elapsed_ms,
      ...(error === undefined ? {} : { error }),
    })),
  };
}

/** A unit's result as the ledger and progress see it: done when it wrote (or, in dry run, read) everything. */
export function finishedUnit(r: UnitResult): FinishedUnit {
  return {
    name: r.name,
    done: r.outcome === 'inserted' || r.outcome === 'dry_run' || r.outcome === 'no_data',
    read: r.bars,
    written: r.inserted + (r.updated ?? 0),
    skipped: r.skipped,
    rejected: r.rejected,
    ...(r.error === undefined ? {} : { error: r.error }),
  };
}

/** `ins=12345 skip=0`, or in update mode `ins=1 upd=2 skip=3`: the counts are exact. */
export function countsText(c: { inserted: number; updated: number; skipped: number }, mode: ConflictMode): string {
  return mode === 'update' ? `ins=${c.inserted} upd=${c.updated} skip=${c.skipped}` : `ins=${c.inserted} skip=${c.skipped}`;
}

/** The log line of a unit that did not complete: `[T] Failed: reason` or `[T] Interrupted: ...`. */
export function logUnitFailure(logger: Logger, r: UnitResult): void {
  if (r.outcome === 'failed') logger.error(`[${r.name}] Failed: ${r.error ?? 'unknown error'}`);
  else if (r.outcome === 'interrupted') logger.warn(`[${r.name}] Interrupted: ${r.error ?? 'rolled back'}`);
}

function interruption(reason: unknown): InterruptedError {
  return reason instanceof InterruptedError ? reason : new InterruptedError('SIGINT');
}

/** `Summary: tickers=5 inserted=56789 skipped=12 elapsed=0:01:42` (+ `failed=N`). */
export function summaryLine(s: RunSummary, unitName: 'tickers' | 'files'): string {
  const parts = [`${unitName}=${s.units}`, `inserted=${s.inserted}`];
  if (s.on_conflict === 'update') parts.push(`updated=${s.updated}`);
  parts.push(`skipped=${s.skipped}`);
  if (s.dry_run) parts.push(`bars=${s.bars}`);
  if (s.rejected > 0) parts.push(`rejected=${s.rejected}`);
  if (s.failed > 0) parts.push(`failed=${s.failed}`);
  parts.push(`elapsed=${s.elapsed}`);
  return `Summary: ${parts.join(' ')}`;
}
