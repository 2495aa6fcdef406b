/** ClickHouse targets for end-to-end runs: the embedded default (chDB) and a fresh database on the real server. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { chServerUrl, clickhouseAvailable, requireServer } from '../../test-support/servers.js';
import { cleanEnv, repoRoot, runCli, tempDir } from './cli.js';

export interface ChTarget {
  readonly name: string;
  readonly database: string;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Rows of a query, through the CLI's own `query` command. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Runs a statement (OPTIMIZE, a write) straight on the store, for a test's set-up: `barfill query` only reads.
   * Not while a barfill process has the embedded store open.
   */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

function target(
  name: string,
  database: string,
  env: (extra?: Record<string, string>) => NodeJS.ProcessEnv,
  exec: (sql: string) => Promise<void>,
  drop: () => Promise<void>,
): ChTarget {
  return {
    name,
    database,
    env,
    exec,
    drop,
    async rows(sql) {
      const r = await runCli(['query', 'clickhouse', '--sql', sql], { env: env() });
      if (r.code !== 0) throw new Error(`query failed (${r.code}): ${r.stderr}`);
      return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

/** chDB binds one data directory per process: a statement on an embedded store runs in a child process. */
function execChdb(store: string, sql: string): Promise<void> {
  const script = "const { Session } = require('chdb'); const s = new Session(process.argv[1]); try { s.query(process.argv[2]); } finally { s.close(); }";
  const r = spawnSync(process.execPath, ['-e', script, store, sql], { cwd: repoRoot, encoding: 'utf8' });
  return r.status === 0 ? Promise.resolve() : Promise.reject(new Error(`chDB statement failed (${String(r.status)}): ${r.stderr}`));
}

async function execServer(sql: string): Promise<void> {
  const res = await fetch(new URL('/', chServerUrl), { method: 'POST', body: sql });
  if (!res.ok) throw new Error(`ClickHouse statement failed (${res.status}): ${await res.text()}`);
}

export function embeddedCh(): ChTarget {
  const home = tempDir('chdb');
  return target(
    'embedded chDB',
    'market_data',
    (extra = {}) => cleanEnv({ BARFILL_HOME: home, ...extra }),
    (sql) => execChdb(path.join(home, 'clickhouse'), sql),
    () => Promise.resolve(),
  );
}

export async function serverCh(): Promise<ChTarget | undefined> {
  if (!(await requireServer('ClickHouse server', await clickhouseAvailable()))) return undefined;
  const db = `barfill_e2e_${randomBytes(4).toString('hex')}`;
  const u = new URL(chServerUrl);
  const home = tempDir('chsrv');
  return target(
    'ClickHouse server',
    db,
    (extra = {}) => cleanEnv({ CH_HOST: u.hostname, CH_PORT: u.port || '8123', CH_DATABASE: db, BARFILL_HOME: home, ...extra }),
    execServer,
    async () => {
      await fetch(new URL(`/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${db}`)}`, chServerUrl), { method: 'POST' });
    },
  );
}
