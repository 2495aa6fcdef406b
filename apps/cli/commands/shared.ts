import { parseLogLevel, secretsFromEnv, StderrLogger } from '../../../src/adapters/node/stderr-logger.js';
import type { ParsedFlags } from '../main/args.js';
import type { CommandContext } from '../main/context.js';
import { barfillHome } from '../wiring/home.js';
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

/** Opens the configured ClickHouse or PostgreSQL (server or embedded), runs `body`, and closes it. */
export async function withEngine<T>(
  ctx: CommandContext,
  engine: string,
  logger: StderrLogger,
  body: (db: { description: string; migrate(): Promise<string[]>; rows(sql: string): Promise<readonly Record<string, unknown>[]> }) => Promise<T>,
): Promise<T> {
  const home = barfillHome(ctx.env, ctx.cwd);
  let handle: ClickHouseHandle | PostgresHandle;
  let rows: (sql: string) => Promise<readonly Record<string, unknown>[]>;
  if (engine === 'clickhouse') {
    const { openClickHouse } = await import('../wiring/db/clickhouse.js');
    const ch = await openClickHouse(ctx.env, { home, logger });
    handle = ch;
    rows = (sql) => ch.gateway.queryRows(sql);
  } else {
    const { openPostgres } = await import('../wiring/db/postgres.js');
    const pg = await openPostgres(ctx.env, { home, maxConnections: 1, logger });
    handle = pg;
    rows = (sql) => pg.query(sql);
  }
  try {
    return await body({ description: handle.description, migrate: () => handle.migrate(), rows });
  } finally {
    await handle.close();
  }
}
