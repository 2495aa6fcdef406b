/** The engines the benchmark talks to: paths, the ClickHouse server, PostgreSQL. */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked, runMeasured } from './proc.js';

/** The repository root (dist/bench/env.js → ../..). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'dist', 'apps', 'cli', 'main', 'bin.js');
export const CHDB_TOOL = path.join(REPO, 'dist', 'bench', 'chdb-tool.js');
export const PGLITE_TOOL = path.join(REPO, 'dist', 'bench', 'pglite-tool.js');

/** The ClickHouse server: BARFILL_BENCH_CH_URL (CI passes its own), else http://127.0.0.1:8123. */
export const CH_URL = process.env['BARFILL_BENCH_CH_URL'] ?? 'http://127.0.0.1:8123';
export const CH_HOST = new URL(CH_URL).hostname;
export const CH_PORT = new URL(CH_URL).port || '8123';

export async function chPing(): Promise<boolean> {
  try {
    const res = await fetch(`${CH_URL}/ping`, { signal: AbortSignal.timeout(2000) });
    return (await res.text()).startsWith('Ok.');
  } catch {
    return false;
  }
}

/** Runs one statement on the ClickHouse server (POST, so DDL is allowed); returns the body. */
export async function chQuery(sql: string): Promise<string> {
  const res = await fetch(`${CH_URL}/`, { method: 'POST', body: sql, signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse server: ${sql.slice(0, 80)}: HTTP ${res.status}: ${text.trim()}`);
  return text;
}

export interface ServerHandle {
  /** Whether this process started it (and must stop it). */
  readonly started: boolean;
  readonly dir: string | undefined;
  stop(): Promise<void>;
}

/** Uses the server answering at CH_URL, or starts one with .ci/clickhouse-server.sh (stopped by `stop`). */
export async function ensureClickHouseServer(logDir: string): Promise<ServerHandle | undefined> {
  if (await chPing()) return { started: false, dir: undefined, stop: () => Promise.resolve() };
  const script = path.join(REPO, '.ci', 'clickhouse-server.sh');
  if (!existsSync('/usr/sbin/clickhouse-server') && process.env['CH_SERVER_BIN'] === undefined) return undefined;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'barfill-bench-chserver-'));
  const r = await runMeasured({ label: 'clickhouse-server-start', command: 'bash', args: [script, 'start', dir], logDir });
  if (r.exitCode !== 0 || !(await chPing())) {
    process.stderr.write(`could not start clickhouse-server: ${r.stderr.trim()}\n`);
    await runMeasured({ label: 'clickhouse-server-stop', command: 'bash', args: [script, 'stop', dir], logDir });
    return undefined;
  }
  return {
    started: true,
    dir,
    stop: async () => {
      await runMeasured({ label: 'clickhouse-server-stop', command: 'bash', args: [script, 'stop', dir], logDir });
    },
  };
}

/** The PostgreSQL admin URL: BARFILL_BENCH_PG_URL, else postgres@127.0.0.1:5432/postgres. */
export function pgAdminUrl(): string {
  const env = process.env['BARFILL_BENCH_PG_URL'];
  return env !== undefined && env !== '' ? env : 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function pgUrlFor(database: string): string {
  const u = new URL(pgAdminUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

/** psql -X -v ON_ERROR_STOP=1 -qAt -d URL -c SQL; returns stdout. */
export async function psql(url: string, sql: string, logDir: string): Promise<string> {
  const r = await runChecked({
    label: 'psql',
    command: 'psql',
    args: ['-X', '-v', 'ON_ERROR_STOP=1', '-qAt', '-d', url, '-c', sql],
    logDir,
  });
  return r.stdout.trim();
}

export async function pgAvailable(logDir: string): Promise<boolean> {
  try {
    return (await psql(pgAdminUrl(), 'SELECT 1', logDir)) === '1';
  } catch {
    return false;
  }
}

export function freshName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
