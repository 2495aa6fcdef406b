import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../kernel/errors.js';
import type { ClickHouseGateway } from './clickhouse-gateway.js';
import { sqlString, substituteDatabase, validateDatabaseName } from './clickhouse-sql.js';

/** One versioned migration file, `NNNN_name.sql`. */
export interface ClickHouseMigration {
  /** The four-digit prefix, e.g. `0001`. */
  readonly version: string;
  readonly name: string;
  readonly file: string;
  /** The file's SQL with the `{db}` placeholder still in it. */
  readonly sql: string;
  /** sha256 of the file's SQL, recorded when applied. */
  readonly checksum: string;
}

const FILE_NAME = /^(\d{4})_([A-Za-z0-9_]+)\.sql$/;

/**
 * `migrations/clickhouse` of the package: found by walking up from this module
 * (works from `src/` under vitest/tsx and from `dist/src/` after a build).
 */
export function defaultClickHouseMigrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'migrations', 'clickhouse');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ConfigError(`cannot find the ClickHouse migrations (migrations/clickhouse) above ${path.dirname(fileURLToPath(import.meta.url))}`);
}

/** Reads and orders the migration files of `dir`; a ConfigError for a bad name or a duplicate version. */
export function loadClickHouseMigrations(dir: string = defaultClickHouseMigrationsDir()): ClickHouseMigration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.sql'));
  } catch (err) {
    throw new ConfigError(`cannot read the ClickHouse migrations directory ${dir}`, { cause: err });
  }
  const out: ClickHouseMigration[] = [];
  const seen = new Map<string, string>();
  for (const file of names.sort()) {
    const m = FILE_NAME.exec(file);
    if (!m || m[1] === undefined || m[2] === undefined) {
      throw new ConfigError(`${path.join(dir, file)}: a migration file must be named NNNN_name.sql`);
    }
    const prior = seen.get(m[1]);
    if (prior !== undefined) throw new ConfigError(`${path.join(dir, file)}: version ${m[1]} is also used by ${prior}`);
    seen.set(m[1], file);
    const sql = readFileSync(path.join(dir, file), 'utf8');
    out.push({ version: m[1], name: m[2], file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/**
 * Splits a migration into statements: `--` comment lines are dropped and a `;`
 * at the end of a line ends a statement. (Migrations must not put `;` at a line
 * end inside a string literal.)
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split(/\r?\n/)) {
    if (line.trim().startsWith('--')) continue;
    const trimmed = line.trimEnd();
    if (trimmed.endsWith(';')) {
      current.push(trimmed.slice(0, -1));
      const st = current.join('\n').trim();
      if (st.length > 0) statements.push(st);
      current = [];
    } else {
      current.push(line);
    }
  }
  const rest = current.join('\n').trim();
  if (rest.length > 0) statements.push(rest);
  return statements;
}

export interface ClickHouseMigratorOptions {
  /** Migrations to apply; defaults to the files of `migrations/clickhouse`. */
  readonly migrations?: readonly ClickHouseMigration[];
}

/**
 * Applies the versioned migrations in order and records each in
 * `{db}.schema_migrations` (version, name, checksum, applied_at). Idempotent:
 * applied versions are skipped, and each statement is itself idempotent
 * (IF NOT EXISTS), so a run interrupted mid-migration can simply be repeated.
 * A recorded version whose file has changed is a ConfigError.
 * Not safe against two processes migrating the same database at the same moment.
 */
export class ClickHouseMigrator {
  private readonly gateway: ClickHouseGateway;
  private readonly database: string;
  private readonly migrations: readonly ClickHouseMigration[] | undefined;

  constructor(gateway: ClickHouseGateway, database: string, options: ClickHouseMigratorOptions = {}) {
    this.gateway = gateway;
    this.database = validateDatabaseName(database);
    this.migrations = options.migrations;
  }

  /** Applies what is pending; returns the versions applied by this call (empty when up to date). */
  async migrate(): Promise<string[]> {
    const migrations = this.migrations ?? loadClickHouseMigrations();
    const db = this.database;
    await this.gateway.command(`CREATE DATABASE IF NOT EXISTS ${db}`);
    await this.gateway.command(
      `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version String, name String, checksum String, applied_at DateTime('UTC')) ENGINE = MergeTree ORDER BY version`,
    );
    const applied = await this.applied();
    const done: string[] = [];
    for (const m of migrations) {
      const recorded = applied.get(m.version);
      if (recorded !== undefined) {
        if (recorded !== m.checksum) {
          throw new ConfigError(
            `ClickHouse migration ${m.file} was changed after it was applied to database ${db} (checksum differs); add a new migration instead of editing an applied one`,
          );
        }
        continue;
      }
      for (const statement of splitSqlStatements(substituteDatabase(m.sql, db))) {
        await this.gateway.command(statement);
      }
      await this.gateway.command(
        `INSERT INTO ${db}.schema_migrations (version, name, checksum, applied_at) SELECT ${sqlString(m.version)}, ${sqlString(m.name)}, ${sqlString(m.checksum)}, now()`,
      );
      done.push(m.version);
    }
    return done;
  }

  /** Applied versions in order. */
  async appliedVersions(): Promise<string[]> {
    return [...(await this.applied()).keys()].sort();
  }

  private async applied(): Promise<Map<string, string>> {
    const rows = await this.gateway.queryRows(`SELECT version, checksum FROM ${this.database}.schema_migrations ORDER BY version`);
    const out = new Map<string, string>();
    for (const r of rows) out.set(String(r['version']), String(r['checksum']));
    return out;
  }
}
