import { helpFlag, type CommandSpec } from '../main/args.js';
import type { CommandModule } from '../main/context.js';
import { commandLogger, withEngine } from './shared.js';

const spec: CommandSpec = {
  name: 'migrate',
  summary: 'Apply the versioned schema migrations (idempotent; applied versions are recorded in the database).',
  usage: 'barfill migrate <clickhouse|postgres> [--log-level LEVEL]',
  positionals: [{ name: 'engine', description: 'Which database to migrate.', choices: ['clickhouse', 'postgres'] }],
  flags: [
    { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'INFO', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
    helpFlag,
  ],
  notes: [
    'clickhouse: CH_HOST, CH_PORT, CH_USER, CH_PASSWORD, CH_DATABASE (default market_data), CH_SECURE, CH_VERIFY; without CH_HOST the embedded chDB store under BARFILL_HOME.',
    'postgres: DATABASE_URL or PG* variables; none set: the embedded PGlite store under BARFILL_HOME.',
  ],
};

export const migrateCommand: CommandModule = {
  spec,
  async run(ctx, flags) {
    const logger = commandLogger(ctx, flags);
    await withEngine(ctx, flags.positional(0), logger, { create: true }, async (db) => {
      const applied = await db.migrate();
      logger.info(`${db.description}: ${applied.length === 0 ? 'schema up to date' : `applied ${applied.join(', ')}`}`);
    });
    return 0;
  },
};
