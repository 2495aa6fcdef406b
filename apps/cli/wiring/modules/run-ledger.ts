/**
 * The run ledger at the composition root: run ids, `--resume` lookups, and
 * `barfill runs`. The ledger lives in the target database (PostgreSQL for the
 * equities commands, ClickHouse for backfill-1m).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError, errorMessage } from '../../../../src/kernel/errors.js';
import type { Clock } from '../../../../src/kernel/clock.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import type { RunLedger, RunOutcome, RunRecord, UnitRecord } from '../../../../src/application/ports/run-ledger.js';
import { PgRunLedger } from '../../../../src/adapters/postgres/pg-run-ledger.js';
import { ClickHouseRunLedger } from '../../../../src/adapters/clickhouse/clickhouse-run-ledger.js';
import { barfillHome } from '../home.js';

type Env = Readonly<Record<string, string | undefined>>;
export type LedgerEngine = 'postgres' | 'clickhouse';

/** The ledger record of this run: a new run, or the run being resumed. */
export interface LedgerRun {
  readonly runId: string;
  readonly resumed: boolean;
  readonly command: string;
  readonly argv: readonly string[];
}

/** Records a new run (a resumed one is recorded already) and logs its id. */
export async function startLedgerRun(ledger: RunLedger, run: LedgerRun, clock: Clock, logger: Logger): Promise<void> {
  if (!run.resumed) {
    await ledger.startRun({ runId: run.runId, command: run.command, args: { argv: [...run.argv] }, startedAtMs: clock.now() });
  }
  logger.info(`run ${run.runId}${run.resumed ? ' (resumed)' : ''}`);
}

/** Records how a run ended; failing to record it is logged, never fatal (the data is committed). */
export async function finishLedgerRun(
  ledger: RunLedger,
  runId: string,
  outcome: Exclude<RunOutcome, 'running'>,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  await ledger.finishRun(runId, outcome, clock.now()).catch((err: unknown) => {
    logger.warn(`run ${runId}: could not record its outcome: ${errorMessage(err)}`);
  });
}

/** `20261121-064512-a3f9`: sortable, unique enough, easy to type. */
export function newRunId(nowMs: number): string {
  const d = new Date(nowMs).toISOString();
  return `${d.slice(0, 10).replaceAll('-', '')}-${d.slice(11, 19).replaceAll(':', '')}-${randomBytes(2).toString('hex')}`;
}

/** Opens the engine, migrates it, and runs `body` with its ledger; `create: false` (`runs`): never creates an embedded store. */
export async function withLedger<T>(
  engine: LedgerEngine,
  env: Env,
  cwd: string,
  logger: Logger,
  body: (ledger: RunLedger) => Promise<T>,
  create = true,
): Promise<T> {
  const home = barfillHome(env, cwd);
  if (engine === 'postgres') {
    const { openPostgres } = await import('../db/postgres.js');
    const pg = await openPostgres(env, { home, maxConnections: 1, logger, create });
    try {
      await pg.migrate();
      return await body(new PgRunLedger((sql, params) => pg.query(sql, params)));
    } finally {
      await pg.close();
    }
  }
  const { openClickHouse } = await import('../db/clickhouse.js');
  const ch = await openClickHouse(env, { home, logger, create });
  try {
    await ch.migrate();
    return await body(new ClickHouseRunLedger(ch.gateway, ch.database));
  } finally {
    await ch.close();
  }
}

export interface ResumePoint {
  readonly run: RunRecord;
  /** The original command line (after the command name). */
  readonly argv: readonly string[];
  readonly done: ReadonlySet<string>;
  readonly units: readonly UnitRecord[];
}

/** The run to resume: `last` (the newest run of this command) or a run id. */
export async function findResumePoint(ledger: RunLedger, command: string, which: string): Promise<ResumePoint> {
  const run = which === 'last' ? (await ledger.listRuns(1, command))[0] : await ledger.getRun(which);
  if (run === undefined) {
    throw new UsageError(which === 'last' ? `--resume last: no earlier ${command} run is recorded` : `--resume ${which}: no such run`);
  }
  if (run.command !== command) throw new UsageError(`--resume ${run.runId}: that run is a ${run.command}, not a ${command}`);
  const argv = run.args['argv'];
  if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === 'string')) {
    throw new UsageError(`--resume ${run.runId}: the run has no recorded arguments`);
  }
  const units = await ledger.units(run.runId);
  return { run, argv, units, done: new Set(units.filter((u) => u.state === 'done').map((u) => u.unit)) };
}

/** Whether an engine has anything to list (a configured server, or an embedded store that exists). */
export function engineConfigured(engine: LedgerEngine, env: Env, cwd: string): boolean {
  const home = barfillHome(env, cwd);
  if (engine === 'clickhouse') return (env['CH_HOST'] ?? '') !== '' || existsSync(path.join(home, 'clickhouse'));
  const server = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'].some((k) => (env[k] ?? '') !== '');
  return server || existsSync(path.join(home, 'pglite'));
}

/** Operational flags a resumed run may change; everything else comes from the recorded run. */
export const RESUME_OVERRIDABLE = ['threads', 'log-level', 'no-progress', 'progress-interval', 'summary-json', 'batch-size', 'read-threads', 'report-format'] as const;

/** The recorded argv with the operational flags of the current command line applied. */
export function resumeArgv(recorded: readonly string[], current: readonly string[]): string[] {
  const out: string[] = [];
  const isOverridable = (a: string): boolean => RESUME_OVERRIDABLE.some((f) => a === `--${f}` || a.startsWith(`--${f}=`));
  const currentHas = (a: string): boolean => current.some((c) => c.split('=')[0] === a.split('=')[0]);
  for (let i = 0; i < recorded.length; i++) {
    const a = recorded[i] ?? '';
    if (isOverridable(a) && currentHas(a)) {
      // drop it, and its value when separate
      if (!a.includes('=') && a !== '--no-progress' && i + 1 < recorded.length && !(recorded[i + 1] ?? '').startsWith('--')) i += 1;
      continue;
    }
    out.push(a);
  }
  for (let i = 0; i < current.length; i++) {
    const a = current[i] ?? '';
    if (a === '--resume' || a.startsWith('--resume=')) {
      if (a === '--resume') i += 1;
      continue;
    }
    if (!isOverridable(a)) {
      throw new UsageError(`--resume: ${a.split('=')[0] ?? a} cannot be changed when resuming (only ${RESUME_OVERRIDABLE.map((f) => `--${f}`).join(', ')})`);
    }
    out.push(a);
    if (!a.includes('=') && a !== '--no-progress' && i + 1 < current.length) {
      out.push(current[i + 1] ?? '');
      i += 1;
    }
  }
  return out;
}
