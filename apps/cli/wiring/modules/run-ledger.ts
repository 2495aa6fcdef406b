/**
 * The run ledger at the composition root: run ids, `--resume` lookups, and
 * `barfill runs`. The ledger lives in the target database (PostgreSQL for the
 * equities commands, ClickHouse for backfill-1m).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { RunHeldError, UsageError, errorMessage } from '../../../../src/kernel/errors.js';
import type { Clock } from '../../../../src/kernel/clock.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import type { RunHolder, RunLedger, RunOutcome, RunRecord, UnitRecord } from '../../../../src/application/ports/run-ledger.js';
import { LEASE_HEARTBEAT_MS, LEASE_STALE_MS, leaseIsStale } from '../../../../src/application/run-lease.js';
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

/** A run this process holds: `finish` records how it ended, stops the heartbeat and gives the lease up. */
export interface ActiveRun {
  finish(outcome: Exclude<RunOutcome, 'running'>): Promise<void>;
}

/** This process, as a run's lease names it. */
export const thisProcess: RunHolder = { pid: process.pid, host: hostname() };

/** Whether a process of this host is alive (`kill 0`; EPERM: alive, another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Records a new run (a resumed one is recorded already), takes its lease
 * (refusing, with `RunHeldError`, a run another live process holds), starts
 * the heartbeat, and logs the run id.
 */
export async function startLedgerRun(ledger: RunLedger, run: LedgerRun, clock: Clock, logger: Logger): Promise<ActiveRun> {
  if (!run.resumed) {
    await ledger.startRun({ runId: run.runId, command: run.command, args: { argv: [...run.argv] }, startedAtMs: clock.now() });
  }
  const now = clock.now();
  const took = await ledger.takeLease(run.runId, thisProcess, now, (lease) =>
    leaseIsStale(lease, { nowMs: clock.now(), host: thisProcess.host, pidAlive }),
  );
  if (!took.taken) {
    const h = took.holder;
    throw new RunHeldError(
      `--resume ${run.runId}: the run is in progress (held by pid ${h.pid} on ${h.host}, last heartbeat ${Math.round((now - h.heartbeatAtMs) / 1000)}s ago); ` +
        `it can be resumed once that process has ended (from another host: once its lease is not renewed for ${LEASE_STALE_MS / 1000}s)`,
    );
  }
  logger.info(`run ${run.runId}${run.resumed ? ' (resumed)' : ''}`);
  const timer = setInterval(() => {
    ledger.heartbeat(run.runId, thisProcess, clock.now()).catch((err: unknown) => {
      logger.warn(`run ${run.runId}: could not renew its lease: ${errorMessage(err)}`);
    });
  }, LEASE_HEARTBEAT_MS);
  timer.unref();
  let finished = false;
  return {
    finish: async (outcome) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      await finishLedgerRun(ledger, run.runId, outcome, clock, logger);
      await ledger.releaseLease(run.runId, thisProcess).catch((err: unknown) => {
        logger.warn(`run ${run.runId}: could not release its lease: ${errorMessage(err)}`);
      });
    },
  };
}

/** Records how a run ended; failing to record it is logged, never fatal (the data is committed). */
async function finishLedgerRun(
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
