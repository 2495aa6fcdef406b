/** PostgreSQL targets for end-to-end runs: the embedded default (PGlite) and a fresh database on the real server. */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pgServerUrl, postgresAvailable, requireServer } from '../../test-support/servers.js';
import { cleanEnv, tempDir } from './cli.js';

export interface PgTarget {
  readonly name: string;
  /** Environment for the CLI. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /**
   * Runs a statement (a write too) straight on the store, for a test's set-up: `barfill query` only reads.
   * Not while a barfill process has the embedded store open.
   */
  exec(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

async function execOnServer(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function execEmbedded(home: string, sql: string): Promise<Record<string, unknown>[]> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(path.join(home, 'pglite'));
  try {
    return (await db.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await db.close();
  }
}

export function embeddedPg(): PgTarget {
  const home = tempDir('pglite');
  return {
    name: 'embedded PGlite',
    env: (extra = {}) => cleanEnv({ BARFILL_HOME: home, ...extra }),
    exec: (sql) => execEmbedded(home, sql),
    drop: () => Promise.resolve(),
  };
}

/** A fresh database on the server, or undefined when the server is absent and not required. */
export async function serverPg(): Promise<PgTarget | undefined> {
  if (!(await requireServer('PostgreSQL server', await postgresAvailable()))) return undefined;
  const db = `barfill_e2e_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgServerUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(pgServerUrl);
  url.pathname = `/${db}`;
  const home = tempDir('pgsrv');
  return {
    name: 'PostgreSQL server',
    env: (extra = {}) => cleanEnv({ DATABASE_URL: url.toString(), BARFILL_HOME: home, ...extra }),
    exec: (sql) => execOnServer(url.toString(), sql),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgServerUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}
