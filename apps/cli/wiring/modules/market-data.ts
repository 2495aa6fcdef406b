/**
 * Wiring for backfill-1m: the seed's dependency graph.
 *   clock -> market config -> Parquet source -> ClickHouse (client, gateway, writer) -> use-case -> report.
 */
import path from 'node:path';
import { SystemClock } from '../../../../src/adapters/node/system-clock.js';
import { loadMarketConfig } from '../../../../src/adapters/config/market-config.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import { discardRejects, type RejectSink } from '../../../../src/application/ports/reject-sink.js';
import {
  Backfill1mCandlesUseCase,
  type Backfill1mCommand,
  type Backfill1mResult,
} from '../../../../src/application/use-cases/backfill-1m.js';
import { openClickHouse } from '../db/clickhouse.js';
import { createParquetCandleSource } from '../clients/parquet.js';
import { barfillHome } from '../home.js';
import { openRejectFile } from './reject-file.js';
import { startLedgerRun, type LedgerRun } from './run-ledger.js';
import type { CandleSource } from '../../../../src/application/ports/candle-source.js';
import { expandParquetPaths } from '../../../../src/adapters/parquet/paths.js';
import { ClickHouseRunLedger } from '../../../../src/adapters/clickhouse/clickhouse-run-ledger.js';
import { createProgress } from '../../../../src/adapters/node/progress.js';
import { trackUnits } from '../../../../src/application/unit-hooks.js';

export interface Backfill1mWiring {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly configPath: string;
  readonly parquetPaths: readonly string[];
  readonly rejectFile: string | undefined;
  readonly batchSize: number;
  /** DuckDB threads decoding Parquet. */
  readonly readThreads: number;
  readonly command: Backfill1mCommand;
  readonly ledgerRun: LedgerRun;
  /** Resuming: input files of the run that are done (not read again). */
  readonly alreadyDone: ReadonlySet<string>;
  readonly progress: { readonly enabled: boolean; readonly intervalSeconds: number };
}

/** A source with no files, for a resumed run with nothing left to read. */
const nothingLeft: CandleSource = {
  open: () => Promise.resolve({ files: [], skipped: [], batches: async function* () {}, close: () => Promise.resolve() }),
};

export async function runBackfill1m(w: Backfill1mWiring): Promise<Backfill1mResult> {
  const clock = new SystemClock();
  const markets = await loadMarketConfig(path.resolve(w.cwd, w.configPath));
  let paths = w.parquetPaths.map((p) => path.resolve(w.cwd, p));
  if (w.alreadyDone.size > 0) paths = (await expandParquetPaths(paths)).filter((f) => !w.alreadyDone.has(f));
  const source = paths.length === 0 ? nothingLeft : createParquetCandleSource({ paths, logger: w.logger, threads: w.readThreads });
  const rejects: RejectSink & { abort?: () => Promise<void> } =
    w.rejectFile === undefined ? discardRejects : await openRejectFile(path.resolve(w.cwd, w.rejectFile));
  let rejectsClosed = false;
  try {
    const ch = await openClickHouse(w.env, { home: barfillHome(w.env, w.cwd), logger: w.logger });
    try {
      const applied = await ch.migrate();
      if (applied.length > 0) w.logger.info('applied ClickHouse migrations', { versions: applied });
      if (ch.embedded) {
        w.logger.info(
          `writing to ${ch.description}; query it with: npx barfill query clickhouse --sql "SELECT count() FROM ${ch.database}.canonical_candles_1m FINAL"` +
            (w.env['BARFILL_HOME'] === undefined ? '' : ' (with the same BARFILL_HOME)'),
        );
      } else {
        w.logger.info(`writing to ${ch.description}`);
      }
      const writer = ch.createRawKlineWriter({ signal: w.signal, logger: w.logger });
      const ledger = new ClickHouseRunLedger(ch.gateway, ch.database);
      const { runId } = w.ledgerRun;
      const active = await startLedgerRun(ledger, w.ledgerRun, clock, w.logger);
      const progress = createProgress({ enabled: w.progress.enabled, intervalSeconds: w.progress.intervalSeconds, logger: w.logger });
      const useCase = new Backfill1mCandlesUseCase({
        hooks: trackUnits({ progress, ledger: { ledger, runId }, clock, logger: w.logger }),
        source,
        writer,
        clock,
        batchSize: w.batchSize,
        markets,
        rejects,
        logger: w.logger,
        signal: w.signal,
      });
      let ran: Awaited<ReturnType<typeof useCase.run>>;
      try {
        ran = await useCase.run(w.command);
      } catch (err) {
        // Every ending is recorded: a run that fails on its input or set-up is `failed`, never left `running`.
        await active.finish('failed');
        throw err;
      }
      await active.finish(ran.report.outcome);
      const report = { ...ran.report, run_id: runId, ...(w.alreadyDone.size > 0 ? { already_done: [...w.alreadyDone].sort() } : {}) };
      const result: Backfill1mResult = ran.failure === undefined ? { report } : { report, failure: ran.failure };
      await writer.close();
      rejectsClosed = true;
      await rejects.close();
      if (w.rejectFile !== undefined && result.report.rows_rejected > 0) {
        w.logger.info(`rejected rows written to ${w.rejectFile}`, { rows: result.report.rows_rejected });
      }
      return result;
    } finally {
      await ch.close();
    }
  } catch (err) {
    // No reject file (nor its temporary file) is left behind by a run that could not start or finish.
    if (!rejectsClosed) await rejects.abort?.().catch(() => undefined);
    throw err;
  }
}
