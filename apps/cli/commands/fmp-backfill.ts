import { positiveInt, type CommandSpec, type ParsedFlags } from '../main/args.js';
import type { CommandContext, CommandModule } from '../main/context.js';
import { parseDateRange } from '../../../src/kernel/calendar-date.js';
import { dateFlags, equitiesNotes, exchangeOf, helpFlag, intervalOf, runFlags, sharedFlags, tickerFlags, tickersOf } from './equities-flags.js';
import { equitiesRunBase, setUpRun } from './run-setup.js';
import { finishRun } from './equities-run.js';

const outputFlag = {
  name: 'output-filename',
  kind: 'string',
  value: 'FILE',
  description: 'Also write one combined CSV of every successful ticker (written atomically; also in dry run).',
} as const;

const fmpNotes = [
  'FMP: FMP_API_KEY (or .env in the working directory), FMP_BASE_URL (default https://financialmodelingprep.com), FMP_RATE_LIMIT (requests/minute, default 300).',
  ...equitiesNotes,
];

/** `specific` and `concurrent` share one implementation; they differ in concurrency only. */
function fmpCommand(name: 'specific' | 'concurrent'): CommandModule {
  const spec: CommandSpec = {
    name,
    summary:
      name === 'specific'
        ? 'Backfill a date range of equities bars from FMP for tickers, one ticker at a time.'
        : 'Backfill equities bars from FMP for many tickers in parallel (--threads workers).',
    usage: `barfill ${name} --start DDMMYY --end DDMMYY [--tickers T1 T2 ...] [flags]`,
    flags: [
      ...dateFlags,
      ...tickerFlags,
      ...sharedFlags,
      outputFlag,
      ...runFlags,
      ...(name === 'concurrent'
        ? [{ name: 'threads', kind: 'string', value: 'INT', default: '6', description: 'Tickers in parallel; also the PostgreSQL connection pool size.' } as const]
        : []),
      helpFlag,
    ],
    notes: fmpNotes,
  };
  return {
    spec,
    async run(ctx: CommandContext, commandLine: ParsedFlags) {
      const setup = await setUpRun(ctx, spec, commandLine, 'postgres');
      const { flags, logger } = setup;
      const { from, to } = parseDateRange(flags.string('start') ?? '', flags.string('end') ?? '');
      const intervalMinutes = intervalOf(flags);
      const exchange = exchangeOf(flags);
      const threads = name === 'concurrent' ? positiveInt('threads', flags.string('threads'), 256) : 1;
      const tickers = await tickersOf(flags, ctx.cwd);
      const { runBackfillBars } = await import('../wiring/modules/equities.js');
      const summary = await runBackfillBars({
        ...equitiesRunBase(ctx, setup, threads),
        commandName: name,
        outputFile: flags.string('output-filename'),
        command: { tickers, exchange, intervalMinutes, fromDate: from, toDate: to },
      });
      return finishRun(ctx, flags, logger, summary, 'tickers');
    },
  };
}

export const specificCommand = fmpCommand('specific');
export const concurrentCommand = fmpCommand('concurrent');
