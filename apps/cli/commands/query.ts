import { countStatements } from '../../../src/adapters/sql/single-statement.js';
import { RESULT_FORMATS, ResultPrinter, type ResultFormat } from '../../../src/adapters/export/result-formats.js';
import { UsageError } from '../../../src/kernel/errors.js';
import { helpFlag, type CommandSpec } from '../main/args.js';
import type { CommandModule } from '../main/context.js';
import { commandLogger, withEngine } from './shared.js';

const spec: CommandSpec = {
  name: 'query',
  summary: 'Run one read-only query against the configured ClickHouse or PostgreSQL (embedded or server) and stream the rows to stdout.',
  usage: 'barfill query <clickhouse|postgres> --sql "SELECT ..." [--format jsonl|csv|tsv]',
  positionals: [{ name: 'engine', description: 'Which database to query.', choices: ['clickhouse', 'postgres'] }],
  flags: [
    { name: 'sql', kind: 'string', value: '"SQL"', required: true, description: 'One query. The engine runs it read-only (ClickHouse readonly=2, PostgreSQL BEGIN READ ONLY): a write is refused.' },
    { name: 'format', kind: 'string', value: 'FORMAT', default: 'jsonl', choices: [...RESULT_FORMATS], description: 'jsonl: a JSON object per row; csv or tsv: a header line, then a line per row.' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'WARNING', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
    helpFlag,
  ],
  notes: [
    'The same environment as migrate: CH_* for ClickHouse, DATABASE_URL/PG* for PostgreSQL, BARFILL_HOME for the embedded stores.',
    'Rows are printed as they arrive, in constant memory. JSON types are the same on both engines of a store: integers as numbers up to 2^53, larger ones and decimals as strings.',
  ],
};

export const queryCommand: CommandModule = {
  spec,
  async run(ctx, flags) {
    const engine = flags.positional(0);
    const sql = flags.string('sql') ?? '';
    const statements = countStatements(sql, engine === 'clickhouse' ? 'clickhouse' : 'postgres');
    if (statements !== 1) throw new UsageError(`--sql: expected one statement, found ${statements}; run each statement with its own barfill query`);
    const printer = new ResultPrinter((flags.string('format') ?? 'jsonl') as ResultFormat);
    const logger = commandLogger(ctx, flags);
    await withEngine(ctx, engine, logger, { create: false }, async (db) => {
      for await (const chunk of db.readOnly(sql)) {
        if (ctx.stdoutClosed.aborted) break;
        ctx.stdout(printer.print(chunk.columns, chunk.rows));
      }
    });
    return 0;
  },
};
