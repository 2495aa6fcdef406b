/**
 * Wiring for specific / concurrent / inject-csv:
 *   clock -> FMP source (or CSV reader) -> PostgreSQL (server or PGlite) -> use-case -> summary.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SystemClock } from '../../../../src/adapters/node/system-clock.js';
import { CsvBarExport } from '../../../../src/adapters/export/csv-bar-export.js';
import { UsageError, errorMessage } from '../../../../src/kernel/errors.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import type { BarExport } from '../../../../src/application/ports/bar-export.js';
import type { ConflictMode } from '../../../../src/application/ports/bar-writer.js';
import { discardRejects, type RejectSink } from '../../../../src/application/ports/reject-sink.js';
import { BackfillBarsUseCase, type BackfillBarsCommand, type RunSummary } from '../../../../src/application/use-cases/backfill-bars.js';
import { InjectBarFilesUseCase, type InjectBarFilesCommand } from '../../../../src/application/use-cases/inject-bar-files.js';
import { openPostgres, type PostgresHandle } from '../db/postgres.js';
import { createFmpBarSource, createFmpWindowCache, fmpPlanSettings } from '../clients/fmp.js';
import { describePlan, planFetch } from '../../../../src/adapters/fmp/plan.js';
import { splitWindows } from '../../../../src/adapters/fmp/windows.js';
import type { FileWindowCache } from '../../../../src/adapters/fmp/window-cache.js';
import { QuotaGuardedBarSource } from '../../../../src/adapters/fmp/quota-source.js';
import { PgApiUsage } from '../../../../src/adapters/postgres/pg-api-usage.js';
import { PgEmptyWindows } from '../../../../src/adapters/postgres/pg-empty-windows.js';
import type { BarSource } from '../../../../src/application/ports/bar-source.js';
import { createCsvBarFileReader } from '../clients/csv.js';
import { barfillHome } from '../home.js';
import { retryPolicyFromEnv, timerSleep } from '../sleep.js';
import type { UnitRetry } from '../../../../src/application/use-cases/unit-retry.js';
import { openRejectFile } from './reject-file.js';
import { createProgress } from '../../../../src/adapters/node/progress.js';
import { PgRunLedger } from '../../../../src/adapters/postgres/pg-run-ledger.js';
import { PgStoredBars } from '../../../../src/adapters/postgres/pg-stored-bars.js';
import { newYorkToUtcMs } from '../../../../src/kernel/new-york-time.js';
import { addDays } from '../../../../src/kernel/trading-calendar.js';
import { trackUnits, type UnitHooks } from '../../../../src/application/unit-hooks.js';
import { startLedgerRun, type LedgerRun } from './run-ledger.js';

interface Common {
  readonly ledgerRun: LedgerRun;
  /** Resuming: units of the run that are done (not redone). */
  readonly alreadyDone: ReadonlySet<string>;
  readonly progress: { readonly enabled: boolean; readonly intervalSeconds: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly dryRun: boolean;
  readonly mode: ConflictMode;
  readonly threads: number;
}

/** Whole-unit retries after a transient PostgreSQL failure: PG_MAX_RETRIES (default 3), PG_RETRY_BASE_MS (default 500). */
function unitRetry(env: Readonly<Record<string, string | undefined>>): UnitRetry {
  return {
    policy: retryPolicyFromEnv(env, { retries: 'PG_MAX_RETRIES', baseMs: 'PG_RETRY_BASE_MS' }, { retries: 3, baseMs: 500 }),
    sleep: timerSleep,
    random: Math.random,
  };
}

/**
 * Opens PostgreSQL (not in dry run), records the run in the ledger, runs `body`
 * with progress and ledger hooks, and records how the run ended.
 */
async function withPostgres(c: Common, body: (pg: PostgresHandle | undefined, hooks: UnitHooks) => Promise<RunSummary>): Promise<RunSummary> {
  const clock = new SystemClock();
  const progress = createProgress({ enabled: c.progress.enabled, intervalSeconds: c.progress.intervalSeconds, logger: c.logger });
  if (c.dryRun) return body(undefined, trackUnits({ progress, ledger: undefined, clock, logger: c.logger }));
  const pg = await openPostgres(c.env, { home: barfillHome(c.env, c.cwd), maxConnections: c.threads, logger: c.logger });
  try {
    const applied = await pg.migrate();
    if (applied.length > 0) c.logger.info('applied PostgreSQL migrations', { versions: applied });
    c.logger.info(`writing to ${pg.description}`);
    const ledger = new PgRunLedger((sql, params) => pg.query(sql, params));
    const { runId } = c.ledgerRun;
    const active = await startLedgerRun(ledger, c.ledgerRun, clock, c.logger);
    let summary: RunSummary;
    try {
      summary = await body(pg, trackUnits({ progress, ledger: { ledger, runId }, clock, logger: c.logger }));
    } catch (err) {
      // Every ending is recorded: a run that fails on its input or set-up is `failed`, never left `running`.
      await active.finish('failed');
      throw err;
    }
    if (c.alreadyDone.size > 0) summary = { ...summary, already_done: [...c.alreadyDone].sort() };
    await active.finish(runOutcome(summary));
    return { ...summary, run_id: runId };
  } finally {
    await pg.close();
  }
}

/** How a run ended, as the ledger records it: the exit code's view (an export failure or a rejected row is `failed`). */
function runOutcome(s: RunSummary): 'success' | 'failed' | 'interrupted' {
  if (s.interrupted) return 'interrupted';
  return s.failed > 0 || s.rejected > 0 || s.output_error !== undefined ? 'failed' : 'success';
}

export async function runBackfillBars(
  c: Common & { readonly commandName: string; readonly outputFile: string | undefined; readonly command: BackfillBarsCommand },
): Promise<RunSummary> {
  const retry = unitRetry(c.env);
  const { cache, committed } = await openFmpCache(c);
  const inner = await createFmpBarSource(c.env, { cwd: c.cwd, logger: c.logger, cache });
  const settings = await fmpPlanSettings(c.env, c.cwd);
  const tickers = c.command.tickers.filter((t) => !c.alreadyDone.has(t));
  const outPath = c.outputFile === undefined ? undefined : path.resolve(c.cwd, c.outputFile);
  const exporter: BarExport | undefined = outPath === undefined ? undefined : await CsvBarExport.create(outPath);
  try {
    const summary = await withPostgres(c, async (pg, hooks) => {
      // The plan (and, with FMP_DAILY_LIMIT, the budget left today from earlier runs) before any request.
      const day = new Date().toISOString().slice(0, 10);
      const usage = pg === undefined ? undefined : new PgApiUsage((sql, params) => pg.query(sql, params));
      const usedToday = usage === undefined ? 0 : await usage.usedOn('fmp', day);
      const plan = planFetch({
        cached: await cachedWindows(cache, tickers, c.command, settings.rowCap),
        tickers,
        fromDate: c.command.fromDate,
        toDate: c.command.toDate,
        intervalMinutes: c.command.intervalMinutes,
        requestsPerMinute: settings.requestsPerMinute,
        ...(settings.rowCap === undefined ? {} : { rowCap: settings.rowCap }),
        ...(settings.dailyLimit === undefined ? {} : { dailyLimit: settings.dailyLimit }),
        usedToday,
      });
      c.logger.info(describePlan(plan, settings.requestsPerMinute) + (usage === undefined && settings.dailyLimit !== undefined ? ' (dry run: requests of earlier runs today not read)' : ''));
      if (!plan.fitsDailyLimit) {
        c.logger.warn(`the plan needs more requests than FMP_DAILY_LIMIT leaves today: the run will stop before the limit; resume it tomorrow with --resume last`);
      }
      let source: BarSource = inner;
      let tally: Promise<void> = Promise.resolve();
      let pending = 0;
      const flushTally = (): void => {
        if (usage === undefined || pending === 0) return;
        const n = pending;
        pending = 0;
        tally = tally.then(() => usage.add('fmp', day, n)).catch((err: unknown) => {
          c.logger.warn(`could not record FMP request counts: ${errorMessage(err)}`);
        });
      };
      if (settings.dailyLimit !== undefined && usage !== undefined) {
        source = new QuotaGuardedBarSource(inner, {
          dailyLimit: settings.dailyLimit,
          usedToday,
          day,
          onCount: (n) => {
            pending += n;
            if (pending >= 20) flushTally();
          },
        });
      } else if (usage !== undefined) {
        // No limit: still count today's requests, for a limit set later.
        source = { fetch: (request, observer) => inner.fetch(request, { ...observer, onRequest: (info) => { pending += 1; if (pending >= 20) flushTally(); observer?.onRequest?.(info); } }) };
      }
      // Windows the vendor answered with no bars are recorded: `barfill gaps` reports them as known-empty.
      if (pg !== undefined) {
        const empty = new PgEmptyWindows((sql, params) => pg.query(sql, params));
        const observed = source;
        source = {
          fetch: (request, observer) =>
            observed.fetch(request, {
              ...observer,
              onEmptyWindow: (ticker, w) => {
                tally = tally
                  .then(() => empty.record('fmp', ticker, request.intervalMinutes, w))
                  .catch((err: unknown) => {
                    c.logger.warn(`could not record an empty window of ${ticker}: ${errorMessage(err)}`);
                  });
                observer?.onEmptyWindow?.(ticker, w);
              },
            }),
        };
      }
      try {
        // Resuming: the combined CSV holds the whole run, so the tickers done before are re-exported from the table.
        const runExporter =
          exporter !== undefined && pg !== undefined && c.alreadyDone.size > 0
            ? withDoneTickers(exporter, new PgStoredBars((sql, params) => pg.query(sql, params)), [...c.alreadyDone].sort(), c.command)
            : exporter;
        return await new BackfillBarsUseCase({
          // Once a ticker is committed its cached answers are removed; a dry run keeps them for the real run.
          hooks: pg === undefined ? hooks : afterDone(hooks, committed),
          source,
          writer: pg?.writer,
          exporter: runExporter,
          clock: new SystemClock(),
          logger: c.logger,
          concurrency: c.threads,
          mode: c.mode,
          signal: c.signal,
          commandName: c.commandName,
          retry,
        }).run({ ...c.command, tickers });
      } finally {
        flushTally();
        await tally;
      }
    });
    if (summary.output_file !== undefined && outPath !== undefined) {
      c.logger.info(`combined CSV written to ${outPath}`, { rows: summary.output_file.rows });
      return { ...summary, output_file: { path: outPath, rows: summary.output_file.rows } };
    }
    return summary;
  } catch (err) {
    await exporter?.abort();
    throw err;
  }
}

/**
 * The FMP answer cache under BARFILL_HOME, and what to call once a ticker is committed (its entries in the run's
 * range are removed). On resume, the entries of the tickers already done go too (a crash may have come between
 * their commit and the removal).
 */
async function openFmpCache(
  c: Common & { readonly command: BackfillBarsCommand },
): Promise<{ cache: FileWindowCache; committed: (ticker: string) => Promise<void> }> {
  const cache = await createFmpWindowCache(c.env, { cwd: c.cwd, home: barfillHome(c.env, c.cwd), logger: c.logger });
  const { intervalMinutes, fromDate, toDate } = c.command;
  const committed = (ticker: string): Promise<void> =>
    cache.removeTicker(ticker.trim().toUpperCase(), intervalMinutes, fromDate, toDate).catch((err: unknown) => {
      c.logger.warn(`[${ticker}] could not remove its cached FMP windows: ${errorMessage(err)}`);
    });
  if (!c.dryRun) for (const t of c.alreadyDone) await committed(t);
  return { cache, committed };
}

/** Per ticker, how many of the run's windows the cache already holds (they cost no request). */
async function cachedWindows(
  cache: FileWindowCache,
  tickers: readonly string[],
  cmd: BackfillBarsCommand,
  rowCap: number | undefined,
): Promise<Map<string, number>> {
  const windows = splitWindows(cmd.fromDate, cmd.toDate, cmd.intervalMinutes, rowCap);
  const cached = new Map<string, number>();
  for (const t of tickers) cached.set(t, await cache.countCached(t.trim().toUpperCase(), cmd.intervalMinutes, windows));
  return cached;
}

/** Hooks that also call `done` once a unit is finished and done (after the inner hooks recorded it). */
function afterDone(hooks: UnitHooks, done: (unit: string) => Promise<void>): UnitHooks {
  return {
    begin: (total) => {
      hooks.begin(total);
    },
    started: (unit) => {
      hooks.started(unit);
    },
    rows: (unit, rows) => {
      hooks.rows(unit, rows);
    },
    finished: async (u) => {
      await hooks.finished(u);
      if (u.done) await done(u.name);
    },
    end: () => {
      hooks.end();
    },
  };
}

/**
 * The export of a resumed run: before the file is finished, the bars the
 * tickers done earlier stored in `market_data` over the run's dates (New York
 * days) are appended, each ticker ascending, after the resumed part's tickers.
 */
function withDoneTickers(inner: BarExport, stored: PgStoredBars, done: readonly string[], cmd: BackfillBarsCommand): BarExport {
  const fromMs = newYorkToUtcMs(`${cmd.fromDate} 00:00:00`);
  const toMs = newYorkToUtcMs(`${addDays(cmd.toDate, 1)} 00:00:00`);
  return {
    begin: () => inner.begin(),
    abort: () => inner.abort(),
    finish: async () => {
      for (const ticker of done) {
        const unit = await inner.begin();
        for await (const batch of stored.read(ticker, cmd.intervalMinutes, fromMs, toMs)) await unit.write(batch);
        await unit.commit();
      }
      return inner.finish();
    },
  };
}

/** Every *.csv and *.csv.gz under dir (recursively), sorted. */
export async function listCsvFiles(dir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw new UsageError(`--csv-dir ${dir}: ${errorMessage(err)}`);
  }
  if (!info.isDirectory()) throw new UsageError(`--csv-dir ${dir}: not a directory`);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.csv(\.gz)?$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) throw new UsageError(`--csv-dir ${dir}: no *.csv or *.csv.gz files found`);
  return files;
}

export async function runInjectCsv(
  c: Common & { readonly csvDir: string; readonly rejectFile: string | undefined; readonly command: Omit<InjectBarFilesCommand, 'files'> },
): Promise<RunSummary> {
  const dir = path.resolve(c.cwd, c.csvDir);
  const files = await listCsvFiles(dir);
  const retry = unitRetry(c.env);
  const rejects: RejectSink & { abort?: () => Promise<void> } =
    c.rejectFile === undefined ? discardRejects : await openRejectFile(path.resolve(c.cwd, c.rejectFile));
  const reader = createCsvBarFileReader();
  let summary: RunSummary;
  try {
    summary = await withPostgres(c, (pg, hooks) =>
    new InjectBarFilesUseCase({
      hooks,
      reader,
      writer: pg?.writer,
      rejects,
      clock: new SystemClock(),
      logger: c.logger,
      concurrency: c.threads,
      mode: c.mode,
      signal: c.signal,
      displayName: (f) => path.relative(dir, f),
      retry,
    }).run({ ...c.command, files: files.filter((f) => !c.alreadyDone.has(path.relative(dir, f))) }),
    );
  } catch (err) {
    // No reject file (nor its temporary file) is left behind by a run that could not start.
    await rejects.abort?.().catch(() => undefined);
    throw err;
  }
  await rejects.close();
  if (c.rejectFile !== undefined && summary.rejected > 0) c.logger.info(`rejected rows written to ${c.rejectFile}`, { rows: summary.rejected });
  return summary;
}
