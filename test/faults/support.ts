/** Helpers shared by the fault tests: direct PostgreSQL counts, a PostgreSQL restart, CSV and summary helpers. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { PgTarget } from '../e2e/pg-target.js';

const run = promisify(execFile);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One SQL scalar on the target's database (through a direct connection, not the CLI); undefined while the server is down. */
export async function pgScalar(t: PgTarget, sql: string): Promise<number | undefined> {
  const url = t.env()['DATABASE_URL'];
  if (url === undefined) throw new Error('not a server target');
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const r = await c.query<{ v: string | number }>(sql);
    return Number(r.rows[0]?.v);
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Restarts the shared PostgreSQL 15 cluster (fast mode: sessions are terminated) and waits until it accepts connections. */
export async function restartPostgres(t: PgTarget): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart']);
  for (let i = 0; i < 200; i++) {
    if ((await pgScalar(t, 'SELECT 1 AS v')) === 1) return;
    await sleep(100);
  }
  throw new Error('PostgreSQL did not come back');
}

/** Makes sure the shared cluster is running (a test that failed half-way must not leave it down). */
export async function ensurePostgresRunning(): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'start']).catch(() => undefined);
}

/** Writes `files` CSV files of `rows` 1-minute bars each, one ticker per file (F000, F001, ...). */
export function writeCsvFiles(dir: string, files: number, rows: number): { names: string[]; rows: number } {
  mkdirSync(dir, { recursive: true });
  const t0 = Date.UTC(2024, 0, 2, 14, 30);
  const names: string[] = [];
  for (let f = 0; f < files; f++) {
    const ticker = `F${String(f).padStart(3, '0')}`;
    const lines = ['ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume'];
    for (let i = 0; i < rows; i++) {
      const p = 100 + ((f * 7 + i) % 50) / 10;
      lines.push(`${ticker},NASDAQ,1,${new Date(t0 + i * 60_000).toISOString()},${p},${p + 1},${p - 1},${p + 0.5},${1000 + i}`);
    }
    const name = `${ticker}.csv`;
    writeFileSync(path.join(dir, name), `${lines.join('\n')}\n`);
    names.push(name);
  }
  return { names, rows };
}

export interface SummaryResult {
  readonly name: string;
  readonly outcome: string;
  readonly bars: number;
  readonly inserted: number;
  readonly skipped: number;
  readonly error?: string;
}

export interface Summary {
  readonly units: number;
  readonly inserted: number;
  readonly skipped: number;
  readonly failed: number;
  readonly interrupted: boolean;
  readonly results: readonly SummaryResult[];
}

export function summaryOf(stdout: string): Summary {
  const lines = stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got: ${stdout}`);
  return JSON.parse(lines[0] ?? '') as Summary;
}

/** Lines that look like a stack trace. */
export const hasStack = (text: string): boolean => /^\s+at .+:\d+:\d+\)?$/m.test(text);
