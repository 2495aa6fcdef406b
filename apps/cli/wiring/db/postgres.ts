import { mkdirSync, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import path from 'node:path';
import pg from 'pg';
import type { PGlite as PGliteDb } from '@electric-sql/pglite';
import type { BarWriter } from '../../../../src/application/ports/bar-writer.js';
import { ConfigError } from '../../../../src/kernel/errors.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import { PgBarWriter } from '../../../../src/adapters/postgres/pg-bar-writer.js';
import { redact, toSinkError } from '../../../../src/adapters/postgres/pg-errors.js';
import { PostgresMigrator } from '../../../../src/adapters/postgres/postgres-migrator.js';
import type { SqlSession } from '../../../../src/adapters/postgres/postgres-migrator.js';
import { readOnlyQuery, type TextRowsConnection } from '../../../../src/adapters/postgres/pg-read-query.js';
import type { ResultChunk } from '../../../../src/adapters/export/query-result.js';
import { lockEmbeddedStore } from '../store-locks.js';
import { requireExistingStore } from '../home.js';

export interface PostgresHandle {
  /** True for embedded PGlite (no server configured). */
  readonly embedded: boolean;
  /** `host:port/db` (never a password) or `embedded PostgreSQL (PGlite) at /abs/path`. */
  readonly description: string;
  /** Applies pending migrations; returns their names (empty and cheap when up to date). */
  migrate(): Promise<string[]>;
  readonly writer: BarWriter;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs one query read-only (`BEGIN READ ONLY`), streamed through a cursor (for `barfill query`; no unit may be open). */
  readOnlyQuery(sql: string): AsyncIterable<ResultChunk>;
  close(): Promise<void>;
}

/** Every value as the server's text: `pgTextValue` gives it its JSON type, the same way for both engines. */
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

async function* serverReadOnlyQuery(pool: pg.Pool, sql: string, context: string, secrets: readonly string[]): AsyncGenerator<ResultChunk> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw toSinkError(err, `cannot connect to ${context}`, secrets);
  }
  const conn: TextRowsConnection = {
    query: async (text) => {
      const r = await client.query<(string | null)[]>({ text, rowMode: 'array', types: RAW_TEXT });
      return { fields: r.fields, rows: r.rows };
    },
  };
  try {
    yield* readOnlyQuery(conn, sql);
  } catch (err) {
    throw toSinkError(err, `query on ${context} failed`, secrets);
  } finally {
    client.release();
  }
}

/** PGlite's parsers, replaced by the text itself for every built-in type (OIDs below 16384). */
let pgliteRawText: Record<number, (text: string) => string> | undefined;

function pgliteTextParsers(): Record<number, (text: string) => string> {
  if (pgliteRawText === undefined) {
    const identity = (text: string): string => text;
    pgliteRawText = Object.fromEntries(Array.from({ length: 16384 }, (_, oid) => [oid, identity]));
  }
  return pgliteRawText;
}

async function* embeddedReadOnlyQuery(db: PGliteDb, sql: string, description: string): AsyncGenerator<ResultChunk> {
  const identity = (text: string): string => text;
  // Every type's text until the columns are known, then just theirs (PGlite copies the map on every query).
  let parsers = pgliteTextParsers();
  const conn: TextRowsConnection = {
    query: async (text) => {
      const r = await db.query<(string | null)[]>(text, [], { rowMode: 'array', parsers });
      if (r.fields.length > 0) parsers = Object.fromEntries(r.fields.map((f) => [f.dataTypeID, identity]));
      return { fields: r.fields, rows: r.rows };
    },
  };
  try {
    yield* readOnlyQuery(conn, sql);
  } catch (err) {
    throw toSinkError(err, `query on ${description} failed`);
  }
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** Where the PostgreSQL server is, as read from the environment. */
export interface PostgresServerSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly sslmode: SslMode;
  readonly sslrootcert: string | undefined;
  /** `host:port/db`, no password. */
  readonly description: string;
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function parseSslMode(value: string, from: string): SslMode {
  const v = value.trim().toLowerCase();
  const mode = SSL_MODES.find((m) => m === v);
  if (mode === undefined) {
    throw new ConfigError(`${from}: expected one of ${SSL_MODES.join(', ')}; got '${value.slice(0, 30)}'`);
  }
  return mode;
}

function parsePort(value: string, from: string): number {
  const n = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new ConfigError(`${from}: expected a TCP port (1-65535); got '${value.slice(0, 20)}'`);
  return n;
}

/**
 * Reads `DATABASE_URL` or the standard `PG*` variables. Returns undefined when
 * none of DATABASE_URL, PGHOST, PGDATABASE, PGUSER, PGPORT is set: then barfill
 * uses embedded PGlite. URL parts win over the `PG*` variables.
 */
export function postgresServerSettings(env: Readonly<Record<string, string | undefined>>): PostgresServerSettings | undefined {
  const url = nonEmpty(env['DATABASE_URL']);
  const anyPg = ['PGHOST', 'PGDATABASE', 'PGUSER', 'PGPORT'].some((k) => nonEmpty(env[k]) !== undefined);
  if (url === undefined && !anyPg) return undefined;

  let host = nonEmpty(env['PGHOST']);
  let port = nonEmpty(env['PGPORT']) === undefined ? undefined : parsePort(env['PGPORT'] ?? '', 'PGPORT');
  let user = nonEmpty(env['PGUSER']);
  let password = nonEmpty(env['PGPASSWORD']);
  let database = nonEmpty(env['PGDATABASE']);
  let sslmode = nonEmpty(env['PGSSLMODE']) === undefined ? undefined : parseSslMode(env['PGSSLMODE'] ?? '', 'PGSSLMODE');
  let sslrootcert = nonEmpty(env['PGSSLROOTCERT']);

  if (url !== undefined) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL: not a URL; expected postgres://user:password@host:5432/database');
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      throw new ConfigError(`DATABASE_URL: expected a postgres:// or postgresql:// URL; got scheme '${u.protocol}'`);
    }
    const dec = (s: string): string => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    if (u.hostname !== '') host = dec(u.hostname).replace(/^\[|\]$/g, '');
    if (u.port !== '') port = parsePort(u.port, 'DATABASE_URL port');
    if (u.username !== '') user = dec(u.username);
    if (u.password !== '') password = dec(u.password);
    const db = dec(u.pathname.replace(/^\//, ''));
    if (db !== '') database = db;
    const q = u.searchParams;
    const qHost = nonEmpty(q.get('host') ?? undefined);
    if (qHost !== undefined) host = qHost;
    const qPort = nonEmpty(q.get('port') ?? undefined);
    if (qPort !== undefined) port = parsePort(qPort, 'DATABASE_URL port');
    const qMode = nonEmpty(q.get('sslmode') ?? undefined);
    if (qMode !== undefined) sslmode = parseSslMode(qMode, 'DATABASE_URL sslmode');
    const qRoot = nonEmpty(q.get('sslrootcert') ?? undefined);
    if (qRoot !== undefined) sslrootcert = qRoot;
  }

  const h = host ?? 'localhost';
  const p = port ?? 5432;
  const usr = user ?? nonEmpty(env['USER']) ?? 'postgres';
  const dbName = database ?? usr;
  return {
    host: h,
    port: p,
    user: usr,
    password,
    database: dbName,
    sslmode: sslmode ?? 'disable',
    sslrootcert,
    description: `${h.includes(':') ? `[${h}]` : h}:${p}/${dbName}`,
  };
}

function tlsOptions(s: PostgresServerSettings, logger: Logger): false | ConnectionOptions {
  switch (s.sslmode) {
    case 'disable':
      return false;
    case 'allow':
    case 'prefer':
      logger.warn(`sslmode=${s.sslmode}: barfill does not negotiate TLS opportunistically; connecting without TLS`);
      return false;
    case 'require':
      logger.warn(
        'sslmode=require: the connection is encrypted but the server certificate is NOT verified; use verify-full to verify it',
      );
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full': {
      const opts: ConnectionOptions = { rejectUnauthorized: true };
      if (s.sslrootcert !== undefined) {
        try {
          opts.ca = readFileSync(s.sslrootcert, 'utf8');
        } catch (err) {
          throw new ConfigError(`cannot read the TLS root certificate ${s.sslrootcert} (PGSSLROOTCERT / sslrootcert)`, {
            cause: err,
          });
        }
      }
      if (s.sslmode === 'verify-ca') opts.checkServerIdentity = () => undefined;
      return opts;
    }
  }
}

function poolSession(client: pg.PoolClient): SqlSession {
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async (sql, params) => (await client.query(sql, params === undefined ? undefined : [...params])).rows as Record<string, unknown>[],
  };
}

/**
 * Opens the PostgreSQL sink: a server from `DATABASE_URL`/`PG*`, else embedded
 * PGlite at `${home}/pglite`. The server pool holds at most `maxConnections`
 * connections (`--threads`). Migrations run only through `migrate()`.
 * `create: false` (readers): an embedded store that does not exist is a
 * StoreNotFoundError, and nothing is created.
 */
export async function openPostgres(
  env: Readonly<Record<string, string | undefined>>,
  options: { home: string; maxConnections: number; logger: Logger; create?: boolean },
): Promise<PostgresHandle> {
  const settings = postgresServerSettings(env);
  if (settings === undefined) return openEmbedded(env, options.home, options.logger, options.create !== false);
  const { logger } = options;
  const secrets = settings.password === undefined ? [] : [settings.password];
  const config: pg.PoolConfig = {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    database: settings.database,
    max: Math.max(1, Math.floor(options.maxConnections)),
    ssl: tlsOptions(settings, logger),
    application_name: 'barfill',
    // Timestamps in messages (duplicate keys) and ad-hoc queries read as UTC: a startup option, no extra round trip.
    options: '-c TimeZone=UTC',
    connectionTimeoutMillis: 30_000,
    keepAlive: true,
  };
  if (settings.password !== undefined) config.password = settings.password;
  const pool = new pg.Pool(config);
  pool.on('error', (err) => {
    logger.warn(`an idle PostgreSQL connection to ${settings.description} failed`, {
      reason: redact(err.message, secrets),
    });
  });
  const context = `PostgreSQL at ${settings.description}`;
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw toSinkError(err, `cannot connect to ${context}`, secrets);
  }
  const migrator = new PostgresMigrator({ logger });
  const writer = new PgBarWriter({ pool, logger, description: settings.description, secrets });
  let closed = false;
  return {
    embedded: false,
    description: settings.description,
    async migrate() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toSinkError(err, `cannot connect to ${context}`, secrets);
      }
      try {
        const applied = await migrator.migrate(poolSession(client));
        client.release();
        return applied;
      } catch (err) {
        client.release(err instanceof Error ? err : true);
        throw toSinkError(err, `cannot migrate ${context}`, secrets);
      }
    },
    writer,
    async query(sql, params) {
      try {
        return (await pool.query(sql, params)).rows as Record<string, unknown>[];
      } catch (err) {
        throw toSinkError(err, `query on ${context} failed`, secrets);
      }
    },
    readOnlyQuery: (sql) => serverReadOnlyQuery(pool, sql, context, secrets),
    async close() {
      if (closed) return;
      closed = true;
      await writer.close();
    },
  };
}

async function openEmbedded(env: Readonly<Record<string, string | undefined>>, home: string, logger: Logger, create: boolean): Promise<PostgresHandle> {
  const dataDir = path.resolve(home, 'pglite');
  const description = `embedded PostgreSQL (PGlite) at ${dataDir}`;
  if (!create) requireExistingStore(dataDir, 'embedded PostgreSQL store (PGlite)', 'DATABASE_URL (or PGHOST ...)');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new ConfigError(`cannot create the embedded PostgreSQL directory ${dataDir}`, { cause: err });
  }
  // PGlite is one process's database: one process at a time, for the whole command (../store-locks.ts).
  await lockEmbeddedStore(dataDir, description, env, logger);
  const [{ PGlite }, { PgliteBarWriter }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('../../../../src/adapters/postgres/pglite-bar-writer.js'),
  ]);
  let db: PGliteDb;
  try {
    db = await PGlite.create(dataDir);
    await db.exec("SET TIME ZONE 'UTC'");
  } catch (err) {
    throw toSinkError(err, `cannot open ${description}`);
  }
  logger.debug(`using ${description}`);
  const migrator = new PostgresMigrator({ logger });
  const writer = new PgliteBarWriter({ db, logger, description });
  let closed = false;
  return {
    embedded: true,
    description,
    migrate: () =>
      writer.exclusive((d) =>
        migrator.migrate({
          exec: async (sql) => {
            await d.exec(sql);
          },
          query: async (sql, params) => (await d.query<Record<string, unknown>>(sql, params === undefined ? undefined : [...params])).rows,
        }),
      ),
    writer,
    query: (sql, params) =>
      writer.exclusive(async (d) => {
        try {
          return (await d.query<Record<string, unknown>>(sql, params)).rows;
        } catch (err) {
          throw toSinkError(err, `query on ${description} failed`);
        }
      }),
    readOnlyQuery: (sql) => embeddedReadOnlyQuery(db, sql, description),
    async close() {
      if (closed) return;
      closed = true;
      await writer.close();
    },
  };
}
