import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { sqlState, toSinkError } from './pg-errors.js';

/** One connection (a pooled client or PGlite) the migrator runs on. */
export interface SqlSession {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

export interface Migration {
  /** `0001` */
  readonly version: string;
  /** `0001_market_data` */
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const FILE = /^(\d{4})_([A-Za-z0-9_]+)\.sql$/;
/** An arbitrary constant: serializes concurrent `barfill` migrations on one server. */
const LOCK_KEY = 73_610_021_001;

/**
 * Finds `migrations/postgres` by walking up from this module: works from the
 * sources (`src/adapters/postgres`) and from the build (`dist/src/adapters/postgres`).
 */
export function defaultMigrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'migrations', 'postgres');
    if (existsSync(path.join(candidate, '0001_market_data.sql'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ConfigError('cannot find the PostgreSQL migrations (migrations/postgres/0001_market_data.sql) next to the barfill installation');
}

export function loadMigrations(dir: string): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new ConfigError(`cannot read the PostgreSQL migrations directory ${dir}`, { cause: err });
  }
  const out: Migration[] = [];
  for (const file of names.sort()) {
    const m = FILE.exec(file);
    if (!m) continue;
    const sql = readFileSync(path.join(dir, file), 'utf8');
    out.push({
      version: m[1] ?? '',
      name: file.slice(0, -'.sql'.length),
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const seen = new Set<string>();
  for (const mig of out) {
    if (seen.has(mig.version)) throw new ConfigError(`two PostgreSQL migrations share version ${mig.version} in ${dir}`);
    seen.add(mig.version);
  }
  return out;
}

/**
 * Applies the versioned migrations in order, each at most once, recording them in
 * `schema_migrations`. Idempotent; cheap (two small queries) when up to date; safe
 * against concurrent runs (an advisory transaction lock). Works on a PostgreSQL
 * server and on PGlite.
 */
export class PostgresMigrator {
  private readonly migrations: readonly Migration[];
  private readonly logger: Logger;

  constructor(options: { logger: Logger; dir?: string; migrations?: readonly Migration[] }) {
    this.logger = options.logger;
    this.migrations = options.migrations ?? loadMigrations(options.dir ?? defaultMigrationsDir());
  }

  /** Returns the names of the migrations it applied (empty when up to date). */
  async migrate(session: SqlSession): Promise<string[]> {
    const applied = await this.appliedVersions(session, false);
    if (applied !== undefined && this.migrations.every((m) => applied.has(m.version))) {
      this.warnAboutUnknown(applied);
      return [];
    }
    const done: string[] = [];
    await this.run(session, 'BEGIN', 'cannot start the migration transaction');
    try {
      await this.run(session, `SELECT pg_advisory_xact_lock(${LOCK_KEY})`, 'cannot lock the migrations');
      await this.run(
        session,
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    text        PRIMARY KEY,
           name       text        NOT NULL,
           checksum   text        NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
        'cannot create schema_migrations',
      );
      const now = (await this.appliedVersions(session, true)) ?? new Map<string, string>();
      for (const mig of this.migrations) {
        if (now.has(mig.version)) continue;
        this.logger.info(`applying PostgreSQL migration ${mig.name}`);
        try {
          await session.exec(mig.sql);
          await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            mig.version,
            mig.name,
            mig.checksum,
          ]);
        } catch (err) {
          const hint =
            sqlState(err) === '42P07'
              ? ' (a table of that name already exists but was not created by barfill; rename or drop it, or use another database)'
              : '';
          throw toSinkError(err, `PostgreSQL migration ${mig.name} failed${hint}`);
        }
        done.push(mig.name);
      }
      await this.run(session, 'COMMIT', 'cannot commit the migrations');
    } catch (err) {
      await session.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return done;
  }

  private async run(session: SqlSession, sql: string, what: string): Promise<void> {
    try {
      await session.exec(sql);
    } catch (err) {
      throw toSinkError(err, what);
    }
  }

  /** version → checksum, or undefined when `schema_migrations` does not exist yet. */
  private async appliedVersions(session: SqlSession, mustExist: boolean): Promise<Map<string, string> | undefined> {
    try {
      if (!mustExist) {
        const rows = await session.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
        if (rows[0]?.['present'] !== true) return undefined;
      }
      const rows = await session.query('SELECT version, checksum FROM schema_migrations');
      const map = new Map<string, string>();
      for (const r of rows) map.set(String(r['version']), String(r['checksum']));
      for (const mig of this.migrations) {
        const sum = map.get(mig.version);
        if (sum !== undefined && sum !== mig.checksum) {
          this.logger.warn(`PostgreSQL migration ${mig.name} was changed after it was applied; it is not re-applied`);
        }
      }
      return map;
    } catch (err) {
      throw toSinkError(err, 'cannot read schema_migrations');
    }
  }

  private warnAboutUnknown(applied: Map<string, string>): void {
    const known = new Set(this.migrations.map((m) => m.version));
    const unknown = [...applied.keys()].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      this.logger.warn(
        `the database has PostgreSQL migrations this barfill does not know (${unknown.join(', ')}): it was migrated by a newer barfill`,
      );
    }
  }
}
