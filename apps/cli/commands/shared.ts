import { parseLogLevel, secretsFromEnv, StderrLogger } from '../../../src/adapters/node/stderr-logger.js';
import type { ParsedFlags } from '../main/args.js';
import type { CommandContext } from '../main/context.js';
import { barfillHome } from '../wiring/home.js';
import { TsvResultReader } from '../../../src/adapters/clickhouse/tsv-result.js';
import type { ResultChunk } from '../../../src/adapters/export/query-result.js';
import type { ClickHouseHandle } from '../wiring/db/clickhouse.js';
import type { PostgresHandle } from '../wiring/db/postgres.js';

/** The stderr logger of a command: `--log-level`, secrets from the environment redacted. */
export function commandLogger(ctx: CommandContext, flags: ParsedFlags, format: 'text' | 'json' = 'text'): StderrLogger {
  return new StderrLogger({
    level: parseLogLevel(flags.string('log-level') ?? 'INFO'),
    format,
    secrets: secretsFromEnv(ctx.env),
    write: ctx.stderr,
  });
}

/** What a command can do with an opened store. */
export interface OpenedEngine {
  readonly description: string;
  migrate(): Promise<string[]>;
  rows(sql: string): Promise<readonly Record<string, unknown>[]>;
  /** One query, read-only as the engine enforces it, streamed in chunks. */
  readOnly(sql: string): AsyncIterable<ResultChunk>;
}

/** A ClickHouse read-only query's text output as result chunks. */
async function* clickhouseChunks(text: AsyncIterable<string>): AsyncGenerator<ResultChunk> {
  const reader = new TsvResultReader();
  let yielded = false;
  for await (const part of text) {
    const rows = reader.push(part);
    if (reader.columns !== undefined && (rows.length > 0 || !yielded)) {
      yielded = true;
      yield { columns: reader.columns, rows };
    }
  }
  const last = reader.end();
  if (reader.columns !== undefined && (last.length > 0 || !yielded)) yield { columns: reader.columns, rows: last };
}

/**
 * Opens the configured ClickHouse or PostgreSQL (server or embedded), runs `body`, and closes it.
 * `create: false` (readers): a missing embedded store is an error, and nothing is created.
 */
export async function withEngine<T>(
  ctx: CommandContext,
  engine: string,
  logger: StderrLogger,
  options: { create: boolean },
  body: (db: OpenedEngine) => Promise<T>,
): Promise<T> {
  const home = barfillHome(ctx.env, ctx.cwd);
  const { create } = options;
  let handle: ClickHouseHandle | PostgresHandle;
  let db: OpenedEngine;
  if (engine === 'clickhouse') {
    const { openClickHouse } = await import('../wiring/db/clickhouse.js');
    const ch = await openClickHouse(ctx.env, { home, logger, create });
    handle = ch;
    db = {
      description: ch.description,
      migrate: () => ch.migrate(),
      rows: (sql) => ch.gateway.queryRows(sql),
      readOnly: (sql) => clickhouseChunks(ch.gateway.streamReadOnly(sql)),
    };
  } else {
    const { openPostgres } = await import('../wiring/db/postgres.js');
    const pg = await openPostgres(ctx.env, { home, maxConnections: 1, logger, create });
    handle = pg;
    db = { description: pg.description, migrate: () => pg.migrate(), rows: (sql) => pg.query(sql), readOnly: (sql) => pg.readOnlyQuery(sql) };
  }
  try {
    return await body(db);
  } finally {
    await handle.close();
  }
}
