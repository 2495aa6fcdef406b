/**
 * barfill: the one composition root. Parses the command name, lazily loads
 * the command module, installs signal handling, and maps every error to an
 * exit code at a single boundary.
 */
import { InterruptedError } from '../../../src/kernel/errors.js';
import { redact, secretsFromEnv } from '../../../src/adapters/node/stderr-logger.js';
import { parseFlags, renderHelp } from './args.js';
import type { CommandContext, CommandModule } from './context.js';
import { EXIT_USAGE, describeError, exitCodeFor } from './error-boundary.js';
import { configureStoreLocks, releaseStoreLocks } from '../wiring/store-locks.js';
import { removeTemporaryFilesSync } from '../../../src/adapters/csv/atomic-file.js';
import { barfillHome } from '../wiring/home.js';
import { shippedFile } from '../wiring/package-files.js';

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandModule> }>> = {
  'backfill-1m': {
    summary: 'Backfill 1-minute crypto candles from Parquet into ClickHouse raw tables.',
    load: async () => (await import('../commands/backfill-1m.js')).backfill1mCommand,
  },
  specific: {
    summary: 'Backfill equities bars from Financial Modeling Prep for tickers, one at a time, into PostgreSQL.',
    load: async () => (await import('../commands/specific.js')).specificCommand,
  },
  concurrent: {
    summary: 'Backfill equities bars from Financial Modeling Prep for many tickers in parallel, into PostgreSQL.',
    load: async () => (await import('../commands/concurrent.js')).concurrentCommand,
  },
  'inject-csv': {
    summary: 'Load CSV bar files (*.csv, *.csv.gz) from a directory into PostgreSQL.',
    load: async () => (await import('../commands/inject-csv.js')).injectCsvCommand,
  },
  runs: {
    summary: 'List recorded runs and their units of work (the run ledger); resume one with --resume.',
    load: async () => (await import('../commands/runs.js')).runsCommand,
  },
  gaps: {
    summary: 'Report missing bars (ranges, counts, completeness) for crypto (ClickHouse) or equities (PostgreSQL).',
    load: async () => (await import('../commands/gaps.js')).gapsCommand,
  },
  query: {
    summary: 'Run a read query against the configured ClickHouse or PostgreSQL and print rows as JSON lines.',
    load: async () => (await import('../commands/query.js')).queryCommand,
  },
  migrate: {
    summary: 'Apply the schema migrations: `barfill migrate clickhouse` or `barfill migrate postgres`.',
    load: async () => (await import('../commands/migrate.js')).migrateCommand,
  },
};

/**
 * A signal aborted when stdout's reader goes away (EPIPE), as `cat` would end:
 * quietly. The listener stays for the life of the process, since a write's
 * error can arrive after the command has returned.
 */
function watchStdout(): AbortSignal {
  const closed = new AbortController();
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed.abort();
  });
  return closed.signal;
}

function topHelp(env: Readonly<Record<string, string | undefined>>): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'barfill: backfill historical market-data bars (OHLCV) into ClickHouse and PostgreSQL.',
    '',
    'Usage: barfill <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    "Run 'barfill <command> --help' for a command's flags and their defaults.",
    `Embedded stores: BARFILL_HOME (now ${barfillHome(env, process.cwd())}). Samples shipped with barfill: ${shippedFile('examples')}`,
    'Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error, 130/143 interrupted (SIGINT/SIGTERM).',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const secrets = secretsFromEnv(env);
  const stderr = (text: string): void => {
    process.stderr.write(redact(text, secrets));
  };
  const stdoutClosed = watchStdout();
  const stdout = (text: string): void => {
    if (!stdoutClosed.aborted) process.stdout.write(text);
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    stdout(topHelp(env));
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version') {
    stdout('barfill 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    stderr(`barfill: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT_USAGE;
  }

  const controller = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => (): void => {
    if (controller.signal.aborted) {
      // A second signal: stop now, leaving no temporary file behind (uncommitted transactions roll back).
      removeTemporaryFilesSync();
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    stderr(`barfill: ${signal} received: finishing the batch in flight, then stopping (send again to stop at once)\n`);
    controller.abort(new InterruptedError(signal));
  };
  const sigint = onSignal('SIGINT');
  const sigterm = onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  configureStoreLocks(name, controller.signal);

  // A stack trace only when the command was parsed and asked for DEBUG; a usage error is one line.
  let withStack = false;
  try {
    const command = await entry.load();
    const flags = parseFlags(command.spec, rest);
    withStack = flags.string('log-level') === 'DEBUG';
    if (flags.has('help')) {
      stdout(renderHelp(command.spec));
      return 0;
    }
    const ctx: CommandContext = { env, cwd: process.cwd(), argv: rest, stdout, stdoutClosed, stderr, signal: controller.signal };
    return await command.run(ctx, flags);
  } catch (err) {
    stderr(`${describeError(err, withStack)}\n`);
    return exitCodeFor(err);
  } finally {
    // The embedded stores' locks are held for the whole command (closed stores included); released here.
    await releaseStoreLocks();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}
