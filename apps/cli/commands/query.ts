import { helpFlag, type CommandSpec } from '../main/args.js';
import type { CommandModule } from '../main/context.js';
import { commandLogger, withEngine } from './shared.js';

const spec: CommandSpec = {
  name: 'query',
  summary: 'Run one read query against the configured ClickHouse or PostgreSQL (embedded or server) and print the rows as JSON lines.',
  usage: 'barfill query <clickhouse|postgres> --sql "SELECT ..."',
  positionals: [{ name: 'engine', description: 'Which database to query.', choices: ['clickhouse', 'postgres'] }],
  flags: [
    { name: 'sql', kind: 'string', value: '"SQL"', required: true, description: 'The query (use it for reads: the embedded stores have no other client).' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'WARNING', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
    helpFlag,
  ],
  notes: ['The same environment as migrate: CH_* for ClickHouse, DATABASE_URL/PG* for PostgreSQL, BARFILL_HOME for the embedded stores.'],
};

export const queryCommand: CommandModule = {
  spec,
  async run(ctx, flags) {
    const logger = commandLogger(ctx, flags);
    const rows = await withEngine(ctx, flags.positional(0), logger, (db) => db.rows(flags.string('sql') ?? ''));
    for (const r of rows) ctx.stdout(`${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
    return 0;
  },
};
