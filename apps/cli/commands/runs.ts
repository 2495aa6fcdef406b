import { helpFlag, positiveInt, type CommandSpec } from '../main/args.js';
import type { CommandModule } from '../main/context.js';
import type { RunRecord, UnitRecord } from '../../../src/application/ports/run-ledger.js';
import { commandLogger } from './shared.js';
import { StoreNotFoundError } from '../../../src/kernel/errors.js';
import { barfillHome } from '../wiring/home.js';

const spec: CommandSpec = {
  name: 'runs',
  summary: 'List recorded runs and their units of work (from the run ledger in PostgreSQL and ClickHouse).',
  usage: 'barfill runs [--last N] [--format text|json] [--engine all|postgres|clickhouse]',
  flags: [
    { name: 'last', kind: 'string', value: 'N', default: '10', description: 'How many runs per engine, newest first.' },
    { name: 'format', kind: 'string', value: '<text|json>', default: 'text', choices: ['text', 'json'], description: 'Output on stdout (json: one document).' },
    { name: 'engine', kind: 'string', value: 'ENGINE', default: 'all', choices: ['all', 'postgres', 'clickhouse'], description: 'Which ledger: PostgreSQL (specific, concurrent, inject-csv) or ClickHouse (backfill-1m); all = every configured one.' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'WARNING', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
    helpFlag,
  ],
  notes: ['An engine counts as configured when its server is set (CH_HOST; DATABASE_URL or PG*) or its embedded store exists under BARFILL_HOME.'],
};

/** `runs` found neither a server nor an embedded store: it says where it looked, and creates nothing. */
function noStore(home: string): StoreNotFoundError {
  return new StoreNotFoundError(
    `no embedded store under ${home} (no ${home}/pglite, no ${home}/clickhouse) and no server configured (created nothing); ` +
      'set BARFILL_HOME to the directory holding your stores, or CH_HOST / DATABASE_URL (or PGHOST ...) to use a server',
    home,
  );
}

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function renderRun(engine: string, run: RunRecord, units: readonly UnitRecord[]): string {
  const done = units.filter((u) => u.state === 'done').length;
  const lines = [
    `${run.runId}  ${run.command}  ${run.outcome}  started ${iso(run.startedAtMs)}  finished ${iso(run.finishedAtMs)}  units ${units.length} (done ${done}, failed ${units.length - done})  [${engine}]`,
    `  args: ${Array.isArray(run.args['argv']) ? (run.args['argv'] as unknown[]).map(String).join(' ') : JSON.stringify(run.args)}`,
  ];
  for (const u of units) {
    lines.push(
      `  ${u.state.padEnd(6)} ${u.unit}  read=${u.rowsRead} written=${u.rowsWritten} skipped=${u.rowsSkipped} rejected=${u.rowsRejected}${u.error !== undefined ? `  error: ${u.error}` : ''}`,
    );
  }
  return lines.join('\n');
}

export const runsCommand: CommandModule = {
  spec,
  async run(ctx, flags) {
    const logger = commandLogger(ctx, flags);
    const last = positiveInt('last', flags.string('last'), 10_000);
    const { engineConfigured, withLedger } = await import('../wiring/modules/run-ledger.js');
    const choice = flags.string('engine') ?? 'all';
    const engines = (['postgres', 'clickhouse'] as const).filter((e) => (choice === 'all' ? engineConfigured(e, ctx.env, ctx.cwd) : e === choice));
    if (engines.length === 0) throw noStore(barfillHome(ctx.env, ctx.cwd));
    const out: { engine: string; run: RunRecord; units: UnitRecord[] }[] = [];
    for (const engine of engines) {
      const found = await withLedger(engine, ctx.env, ctx.cwd, logger, async (ledger) => {
        const runs = await ledger.listRuns(last);
        return Promise.all(runs.map(async (run) => ({ engine, run, units: await ledger.units(run.runId) })));
      }, false);
      out.push(...found);
    }
    out.sort((a, b) => b.run.startedAtMs - a.run.startedAtMs);
    if (flags.string('format') === 'json') {
      ctx.stdout(`${JSON.stringify({ runs: out.map((r) => ({ engine: r.engine, ...r.run, units: r.units })) })}\n`);
    } else if (out.length === 0) {
      ctx.stdout('no runs recorded\n');
    } else {
      ctx.stdout(`${out.map((r) => renderRun(r.engine, r.run, r.units)).join('\n')}\n`);
    }
    return 0;
  },
};
