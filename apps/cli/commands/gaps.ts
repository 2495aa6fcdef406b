import { helpFlag, type CommandSpec } from '../main/args.js';
import type { CommandModule } from '../main/context.js';
import { UsageError } from '../../../src/kernel/errors.js';
import { InstrumentId } from '../../../src/kernel/instrument-id.js';
import { TimeRange } from '../../../src/kernel/time-range.js';
import { parseDateRange } from '../../../src/kernel/calendar-date.js';
import { exchangeOf, tickersOf, intervalOf } from './equities-flags.js';
import type { CommandContext } from '../main/context.js';
import type { StderrLogger } from '../../../src/adapters/node/stderr-logger.js';
import type { BarInterval } from '../../../src/application/bar-batch.js';
import { commandLogger } from './shared.js';
import type { SeriesGaps } from '../wiring/modules/gaps.js';

const spec: CommandSpec = {
  name: 'gaps',
  summary: 'Report missing bars as ranges, with counts and completeness: crypto (ClickHouse, 24/7) or equities (PostgreSQL, NYSE regular session).',
  usage:
    'barfill gaps --market-id M --symbol S --start <ISO-UTC> --end <ISO-UTC>   |   barfill gaps --tickers T1 ... --interval N --start DDMMYY --end DDMMYY',
  flags: [
    { name: 'market-id', kind: 'string', value: '<1..4>', choices: ['1', '2', '3', '4'], description: 'Crypto: the market (with --symbol); reads canonical_candles_1m.' },
    { name: 'symbol', kind: 'string', value: '<SYM>', description: 'Crypto: the symbol.' },
    { name: 'config', kind: 'string', value: '<path>', default: 'configs/dev/market_data.yaml', description: 'Crypto: the market mapping (for the instrument key); without --config and without that file here, the copy shipped with barfill.' },
    { name: 'tickers', kind: 'list', value: 'T1 T2 ...', description: 'Equities: tickers (default: tickers.json); reads market_data.' },
    { name: 'tickers-file', kind: 'string', value: '<path>', description: 'Equities: a JSON list of tickers instead of ./tickers.json.' },
    { name: 'interval', kind: 'string', value: 'N', default: '1', choices: ['1', '5', '15', '30', '60'], description: 'Equities: bar interval in minutes.' },
    { name: 'start', kind: 'string', value: '<ISO-UTC|DDMMYY>', required: true, description: 'Crypto: ISO start (inclusive); equities: first day DDMMYY (inclusive).' },
    { name: 'end', kind: 'string', value: '<ISO-UTC|DDMMYY>', required: true, description: 'Crypto: ISO end (exclusive); equities: last day DDMMYY (inclusive).' },
    { name: 'fill', kind: 'boolean', description: 'Equities: refetch from FMP the days holding unknown gaps (--on-conflict ignore, recorded as specific runs), then report again.' },
    { name: 'exchange', kind: 'string', value: 'EXCH', default: 'NASDAQ', description: 'Equities with --fill: the exchange stored with refetched bars.' },
    { name: 'format', kind: 'string', value: '<text|json>', default: 'text', choices: ['text', 'json'], description: 'Report format on stdout (json: one document).' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'WARNING', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
    helpFlag,
  ],
  notes: [
    'Crypto markets trade 24/7: every minute is expected. Equities: NYSE/NASDAQ regular session 09:30-16:00 New York on trading days',
    '(weekends, exchange holidays and 13:00 early closes from the built-in calendar are not gaps).',
    'Missing bars inside windows FMP answered with no bars (recorded by earlier runs) are reported apart, as known-empty.',
    'Exit code 0 whether or not gaps are found; read the report (with --fill: 1 when a refetch failed).',
  ],
};

function render(g: SeriesGaps): string {
  const lines = [
    `${g.series} [${g.start}, ${g.end}${g.end.includes('T') ? ')' : ']'}: expected=${g.expected} present=${g.present} missing=${g.missing} ` +
      `completeness=${(g.completeness * 100).toFixed(2)}%${g.missing_known_empty > 0 ? ` known_empty=${g.missing_known_empty}` : ''}` +
      (g.unexpected > 0 ? ` unexpected=${g.unexpected}` : ''),
  ];
  const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  for (const r of g.gaps) lines.push(`  missing ${at(r.startMs)} .. ${at(r.endMs)} (${r.bars} bars)`);
  for (const r of g.known_empty) lines.push(`  known empty (vendor had no bars) ${at(r.startMs)} .. ${at(r.endMs)} (${r.bars} bars)`);
  return lines.join('\n');
}

/** Refetches the days holding unknown gaps, ticker by ticker; returns how many refetch runs failed. */
async function fill(ctx: CommandContext, logger: StderrLogger, reports: readonly SeriesGaps[], interval: BarInterval, exchange: string): Promise<number> {
  const { fillRanges, ddmmyy } = await import('../wiring/modules/gaps.js');
  const { runBackfillBars } = await import('../wiring/modules/equities.js');
  const { newRunId } = await import('../wiring/modules/run-ledger.js');
  let failed = 0;
  for (const r of reports) {
    if (r.ticker === undefined || r.gaps.length === 0) continue;
    for (const range of fillRanges(r.gaps)) {
      const argv = ['--start', ddmmyy(range.fromDate), '--end', ddmmyy(range.toDate), '--tickers', r.ticker, '--interval', String(interval), '--exchange', exchange, '--on-conflict', 'ignore'];
      logger.info(`filling ${r.ticker} ${range.fromDate}..${range.toDate} from FMP`);
      const summary = await runBackfillBars({
        env: ctx.env,
        cwd: ctx.cwd,
        logger,
        signal: ctx.signal,
        dryRun: false,
        mode: 'ignore',
        threads: 1,
        commandName: 'specific',
        outputFile: undefined,
        ledgerRun: { runId: newRunId(Date.now()), resumed: false, command: 'specific', argv },
        alreadyDone: new Set(),
        progress: { enabled: false, intervalSeconds: 10 },
        command: { tickers: [r.ticker], exchange, intervalMinutes: interval, fromDate: range.fromDate, toDate: range.toDate },
      });
      if (summary.failed > 0) failed += 1;
    }
  }
  return failed;
}

export const gapsCommand: CommandModule = {
  spec,
  async run(ctx, flags) {
    const logger = commandLogger(ctx, flags);
    const { cryptoGaps, equityGaps } = await import('../wiring/modules/gaps.js');
    let reports: SeriesGaps[];
    let exit = 0;
    if (flags.has('market-id')) {
      if (flags.has('tickers') || flags.has('tickers-file')) throw new UsageError('gaps: give either --market-id/--symbol (crypto) or --tickers (equities), not both');
      if (!flags.has('symbol')) throw new UsageError('gaps: --market-id needs --symbol');
      if (flags.has('fill')) throw new UsageError('gaps: --fill refetches from FMP, for equities (--tickers) only; reload crypto gaps with backfill-1m');
      const instrument = InstrumentId.of(Number(flags.string('market-id')), flags.string('symbol') ?? '');
      const range = TimeRange.parse(flags.string('start') ?? '', flags.string('end') ?? '');
      const { loadMarketConfig } = await import('../../../src/adapters/config/market-config.js');
      const { marketConfigPath } = await import('../wiring/package-files.js');
      const markets = await loadMarketConfig(marketConfigPath(flags.has('config') ? flags.string('config') : undefined, ctx.cwd, logger));
      const key = markets.instrumentKey(instrument);
      if (key === undefined) throw new UsageError(`--market-id ${instrument.marketId} is not in the market config`);
      reports = [await cryptoGaps({ env: ctx.env, cwd: ctx.cwd, logger, create: false }, key, range.startMs, range.endMs)];
    } else {
      const { from, to } = parseDateRange(flags.string('start') ?? '', flags.string('end') ?? '');
      const tickers = await tickersOf(flags, ctx.cwd);
      const interval = intervalOf(flags);
      // Reading never creates a store; --fill writes, so it may.
      const where = { env: ctx.env, cwd: ctx.cwd, logger, create: flags.has('fill') };
      reports = await equityGaps(where, tickers, interval, from, to);
      if (flags.has('fill')) {
        const failed = await fill(ctx, logger, reports, interval, exchangeOf(flags));
        reports = await equityGaps(where, tickers, interval, from, to);
        if (failed > 0) exit = 1;
      }
    }
    if (flags.string('format') === 'json') {
      const ranges = (gs: readonly { startMs: number; endMs: number; bars: number }[]) =>
        gs.map((g) => ({ start: new Date(g.startMs).toISOString(), end: new Date(g.endMs).toISOString(), bars: g.bars }));
      ctx.stdout(`${JSON.stringify({ series: reports.map((r) => ({ ...r, gaps: ranges(r.gaps), known_empty: ranges(r.known_empty) })) })}\n`);
    } else {
      ctx.stdout(`${reports.map(render).join('\n')}\n`);
    }
    return exit;
  },
};
