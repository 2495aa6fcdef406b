import { positiveInt, type CommandSpec } from '../main/args.js';
import type { CommandModule } from '../main/context.js';
import { equitiesNotes, exchangeOf, helpFlag, intervalOf, runFlags, sharedFlags } from './equities-flags.js';
import { equitiesRunBase, setUpRun } from './run-setup.js';
import { finishRun } from './equities-run.js';

const spec: CommandSpec = {
  name: 'inject-csv',
  summary: 'Load CSV bar files (*.csv, *.csv.gz) from a directory into PostgreSQL, each file in its own transaction.',
  usage: 'barfill inject-csv --csv-dir DIR [--threads N] [flags]',
  flags: [
    { name: 'csv-dir', kind: 'string', value: 'DIR', required: true, description: 'Directory with *.csv / *.csv.gz files (read recursively).' },
    { name: 'threads', kind: 'string', value: 'INT', default: '5', description: 'Files loaded in parallel; also the PostgreSQL connection pool size.' },
    { name: 'reject-file', kind: 'string', value: '<path>', description: 'Write rejected rows (file, line, reason, raw line) to this CSV.' },
    ...sharedFlags.map((f) =>
      f.name === 'exchange'
        ? { ...f, description: 'Exchange for files without an exchange column.' }
        : f.name === 'interval'
          ? { ...f, description: 'Interval (minutes) for files without an interval_minutes column.' }
          : f,
    ),
    ...runFlags,
    helpFlag,
  ],
  notes: [
    'Columns are matched by header name: ticker, timestamp, open, high, low, close, volume; exchange and interval_minutes are optional.',
    'timestamp: ISO 8601 with Z or an offset, or epoch seconds/milliseconds. A malformed row is rejected (file, line, reason); the file\'s valid rows still load.',
    ...equitiesNotes,
  ],
};

export const injectCsvCommand: CommandModule = {
  spec,
  async run(ctx, commandLine) {
    const setup = await setUpRun(ctx, spec, commandLine, 'postgres');
    const { flags, logger } = setup;
    const threads = positiveInt('threads', flags.string('threads'), 256);
    const { runInjectCsv } = await import('../wiring/modules/equities.js');
    const summary = await runInjectCsv({
      ...equitiesRunBase(ctx, setup, threads),
      csvDir: flags.string('csv-dir') ?? '',
      rejectFile: flags.string('reject-file'),
      command: { defaultExchange: exchangeOf(flags), defaultIntervalMinutes: intervalOf(flags) },
    });
    return finishRun(ctx, flags, logger, summary, 'files');
  },
};
