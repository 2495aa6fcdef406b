import { parseFlags, positiveInt, type CommandSpec, type ParsedFlags } from '../main/args.js';
import type { CommandContext } from '../main/context.js';
import type { StderrLogger } from '../../../src/adapters/node/stderr-logger.js';
import { UsageError } from '../../../src/kernel/errors.js';
import type { LedgerEngine, LedgerRun } from '../wiring/modules/run-ledger.js';
import { commandLogger } from './shared.js';
import { conflictModeOf } from './equities-flags.js';
import { recordedArgv } from './recorded-argv.js';

export interface RunSetup {
  /** The flags the run uses: the command line's, or, when resuming, the recorded run's with overrides applied. */
  readonly flags: ParsedFlags;
  readonly logger: StderrLogger;
  readonly ledgerRun: LedgerRun;
  readonly alreadyDone: ReadonlySet<string>;
  readonly progress: { enabled: boolean; intervalSeconds: number };
}

/** Resolves --resume (reading the run ledger), the run id, and the progress settings. */
export async function setUpRun(
  ctx: CommandContext,
  spec: CommandSpec,
  flags: ParsedFlags,
  engine: LedgerEngine,
  format: 'text' | 'json' = 'text',
): Promise<RunSetup> {
  const { newRunId, withLedger, findResumePoint, resumeArgv } = await import('../wiring/modules/run-ledger.js');
  let effective = flags;
  let logger = commandLogger(ctx, flags, format);
  let ledgerRun: LedgerRun = { runId: newRunId(Date.now()), resumed: false, command: spec.name, argv: recordedArgv(ctx.argv, ctx.cwd) };
  let alreadyDone: ReadonlySet<string> = new Set();
  const which = flags.string('resume');
  if (which !== undefined) {
    const point = await withLedger(engine, ctx.env, ctx.cwd, logger, (ledger) => findResumePoint(ledger, spec.name, which));
    effective = parseFlags(spec, resumeArgv(point.argv, ctx.argv));
    if (effective.has('dry-run')) throw new UsageError(`--resume ${point.run.runId}: a dry run has nothing to resume`);
    logger = commandLogger(ctx, effective, format);
    ledgerRun = { runId: point.run.runId, resumed: true, command: spec.name, argv: point.argv };
    alreadyDone = point.done;
    const failed = point.units.filter((u) => u.state !== 'done').map((u) => u.unit);
    logger.info(
      `resuming run ${point.run.runId} (${point.run.outcome}): ${point.done.size} unit(s) done and skipped` +
        (point.done.size > 0 ? ` (${[...point.done].slice(0, 20).join(', ')}${point.done.size > 20 ? ', ...' : ''})` : '') +
        (failed.length > 0 ? `; redoing ${failed.length} that failed (${failed.slice(0, 20).join(', ')})` : '') +
        '; and any never started',
    );
  }
  return {
    flags: effective,
    logger,
    ledgerRun,
    alreadyDone,
    progress: {
      enabled: !effective.has('no-progress'),
      intervalSeconds: positiveInt('progress-interval', effective.string('progress-interval') ?? '10', 86_400),
    },
  };
}

/** What every equities run gets from its context and setup (the wiring's common part). */
export function equitiesRunBase(ctx: CommandContext, setup: RunSetup, threads: number) {
  const { flags, logger } = setup;
  return {
    env: ctx.env,
    cwd: ctx.cwd,
    logger,
    signal: ctx.signal,
    dryRun: flags.has('dry-run'),
    mode: conflictModeOf(flags),
    threads,
    ledgerRun: setup.ledgerRun,
    alreadyDone: setup.alreadyDone,
    progress: setup.progress,
  };
}
