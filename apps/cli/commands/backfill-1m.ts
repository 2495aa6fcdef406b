import type { CommandModule } from '../main/context.js';
import { helpFlag, positiveInt, type CommandSpec } from '../main/args.js';
import { runFlags } from './equities-flags.js';
import { setUpRun } from './run-setup.js';
import { InstrumentId } from '../../../src/kernel/instrument-id.js';
import { TimeRange } from '../../../src/kernel/time-range.js';
import type { Backfill1mReport } from '../../../src/application/use-cases/backfill-1m.js';

const spec: CommandSpec = {
  name: 'backfill-1m',
  summary: 'Backfill 1-minute crypto candles from Parquet into ClickHouse raw tables (the canonical table follows through materialized views).',
  usage:
    'barfill backfill-1m --market-id <1..4> --symbol <SYM> --start <ISO-UTC> --end <ISO-UTC> --parquet <path> [--parquet <path> ...] [flags]',
  flags: [
    { name: 'market-id', kind: 'string', value: '<1..4>', required: true, choices: ['1', '2', '3', '4'], description: 'Market: 1 Binance spot, 2 Binance USD-M futures, 3 Bybit spot, 4 Bybit linear.' },
    { name: 'symbol', kind: 'string', value: '<SYM>', required: true, description: 'Exchange symbol, e.g. BTCUSDT (upper-cased).' },
    { name: 'start', kind: 'string', value: '<ISO-UTC>', required: true, description: 'Range start, inclusive; timezone-aware ISO 8601 (Z or an offset).' },
    { name: 'end', kind: 'string', value: '<ISO-UTC>', required: true, description: 'Range end, exclusive; timezone-aware ISO 8601. The range is [start, end).' },
    { name: 'parquet', kind: 'repeat', value: '<path>', required: true, description: 'A .parquet file or a directory (read recursively for *.parquet).' },
    { name: 'config', kind: 'string', value: '<path>', default: 'configs/dev/market_data.yaml', description: 'Market mapping (market id -> venue, market type) for the canonical instrument key. Without --config and without that file in the working directory, the copy shipped with barfill.' },
    { name: 'batch-size', kind: 'string', value: '<int>', default: '10000', description: 'Rows per insert.' },
    { name: 'read-threads', kind: 'string', value: '<int>', default: '1', description: 'Threads decoding Parquet; each holds one row group in memory (more help only when the database is faster than decoding).' },
    { name: 'report-format', kind: 'string', value: '<text|json>', default: 'text', choices: ['text', 'json'], description: 'Format of the log, including the run report (json: one object per line).' },
    { name: 'reject-file', kind: 'string', value: '<path>', description: 'Write rejected rows (file, row, reason, values) to this CSV.' },
    ...runFlags,
    { name: 'log-level', kind: 'string', value: '<LEVEL>', default: 'INFO', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
    helpFlag,
  ],
  notes: [
    'ClickHouse is configured from the environment only: CH_HOST, CH_PORT, CH_USER, CH_PASSWORD, CH_DATABASE, CH_SECURE, CH_VERIFY.',
    'Without CH_HOST the embedded engine (chDB) is used, with its data under BARFILL_HOME (default $XDG_DATA_HOME/barfill, else ~/.local/share/barfill).',
    'Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error, 130/143 interrupted.',
  ],
};

export const backfill1mCommand: CommandModule = {
  spec,
  async run(ctx, commandLine) {
    const format = commandLine.string('report-format') === 'json' ? 'json' : 'text';
    const setup = await setUpRun(ctx, spec, commandLine, 'clickhouse', format);
    const { flags, logger } = setup;
    const instrument = InstrumentId.of(Number(flags.string('market-id')), flags.string('symbol') ?? '');
    const range = TimeRange.parse(flags.string('start') ?? '', flags.string('end') ?? '');
    const batchSize = positiveInt('batch-size', flags.string('batch-size'), 10_000_000);
    const readThreads = positiveInt('read-threads', flags.string('read-threads'), 64);
    const { runBackfill1m } = await import('../wiring/modules/market-data.js');
    const { marketConfigPath } = await import('../wiring/package-files.js');
    const { report, failure } = await runBackfill1m({
      env: ctx.env,
      cwd: ctx.cwd,
      logger,
      signal: ctx.signal,
      configPath: marketConfigPath(flags.has('config') ? flags.string('config') : undefined, ctx.cwd, logger),
      parquetPaths: flags.list('parquet'),
      rejectFile: flags.string('reject-file'),
      batchSize,
      readThreads,
      command: { instrument, range },
      ledgerRun: setup.ledgerRun,
      alreadyDone: setup.alreadyDone,
      progress: setup.progress,
    });
    if (format === 'json') logger.info('backfill-1m report', { report });
    else logger.info(`backfill-1m report\n${renderReport(report)}`);
    if (failure !== undefined) throw failure;
    return 0;
  },
};

export function renderReport(r: Backfill1mReport): string {
  const rejected = Object.entries(r.rejected_by_reason)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  const lines = [
    ...(r.run_id === undefined ? [] : [`  run:             ${r.run_id}${r.already_done !== undefined ? ` (resumed; ${r.already_done.length} file(s) already done)` : ''}`]),
    `  instrument:      ${r.instrument_id} (${r.instrument_key})`,
    `  time range:      [${r.time_range.start}, ${r.time_range.end})`,
    `  started/finished: ${r.started_at} / ${r.finished_at}`,
    `  outcome:         ${r.outcome}${r.error !== undefined ? `: ${r.error}` : ''}`,
    `  candles read:    ${r.candles_read}`,
    `  rows written:    ${r.rows_written} in ${r.batches_written} batch${r.batches_written === 1 ? "" : "es"} (${r.rows_per_second} rows/s, ${r.elapsed_ms} ms)`,
    `  rows rejected:   ${r.rows_rejected}${rejected !== '' ? ` (${rejected})` : ''}`,
    `  input files:     ${r.input_files.length}`,
    ...r.input_files.map(
      (f) => `    ${f.path}: layout=${f.layout} time=${f.time_column} (${f.time_type === 'timestamp' ? `TIMESTAMP ${f.time_unit}` : `epoch ${f.time_unit}`}) rows=${f.rows} written=${f.rows_written}`,
    ),
    ...(r.skipped_files.length === 0 ? [] : [`  skipped files:   ${r.skipped_files.length}`, ...r.skipped_files.map((f) => `    ${f.path}: ${f.reason}`)]),
  ];
  return lines.join('\n');
}
