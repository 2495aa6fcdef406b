/** ClickHouse targets for end-to-end runs: the embedded default (chDB) and a fresh database on the real server. */
import { randomBytes } from 'node:crypto';
import { chServerUrl, clickhouseAvailable, requireServer } from '../../test-support/servers.js';
import { cleanEnv, runCli, tempDir } from './cli.js';

export interface ChTarget {
  readonly name: string;
  readonly database: string;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Rows of a query, through the CLI's own `query` command. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

function target(name: string, database: string, env: (extra?: Record<string, string>) => NodeJS.ProcessEnv, drop: () => Promise<void>): ChTarget {
  return {
    name,
    database,
    env,
    drop,
    async rows(sql) {
      const r = await runCli(['query', 'clickhouse', '--sql', sql], { env: env() });
      if (r.code !== 0) throw new Error(`query failed (${r.code}): ${r.stderr}`);
      return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

export function embeddedCh(): ChTarget {
  const home = tempDir('chdb');
  return target('embedded chDB', 'market_data', (extra = {}) => cleanEnv({ BARFILL_HOME: home, ...extra }), () => Promise.resolve());
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
    async () => {
      await fetch(new URL(`/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${db}`)}`, chServerUrl), { method: 'POST' });
    },
  );
}
