/**
 * One writer per embedded store: two barfill processes on one BARFILL_HOME.
 *
 * The first process is frozen (SIGSTOP) as soon as it logs that it writes to the
 * store, that is while it holds the store's lock and is part-way through its
 * work: the second process then meets a held lock whatever the machine's speed.
 * SIGCONT lets the first finish; SIGKILL leaves a stale lock behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, type CliResult } from './cli.js';
import { embeddedPg } from './pg-target.js';
import { embeddedCh } from './ch-target.js';
import { summaryOf, writeCsvFiles } from '../faults/support.js';
import { writeBinanceSpotParquet } from '../../test-support/parquet-fixtures.js';

interface Frozen {
  readonly pid: number;
  /** The run's result, once it ends. */
  readonly done: Promise<CliResult>;
  readonly stderr: () => string;
}

const running: Frozen[] = [];
afterEach(() => {
  // A test that failed half-way must not leave a frozen process behind.
  for (const f of running.splice(0)) {
    try {
      process.kill(f.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts the CLI and freezes it once its stderr shows `marker` (it then holds the lock, mid-run). */
async function startFrozen(args: string[], env: NodeJS.ProcessEnv, marker: string): Promise<Frozen> {
  let pid = 0;
  let text = '';
  let stopped = false;
  let frozen: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (frozen = resolve));
  const done = runCli(args, {
    env,
    timeoutMs: 170_000,
    onSpawn: (p) => (pid = p),
    onStderr: (soFar) => {
      text = soFar;
      if (!stopped && soFar.includes(marker) && pid !== 0) {
        stopped = true;
        process.kill(pid, 'SIGSTOP');
        frozen();
      }
    },
  });
  const f = { pid, done, stderr: () => text };
  running.push(f);
  const ended = await Promise.race([reached.then(() => false), done.then(() => true)]);
  if (ended) throw new Error(`the first run ended before it was frozen:\n${text}`);
  return { ...f, pid };
}

function resume(f: Frozen): Promise<CliResult> {
  process.kill(f.pid, 'SIGCONT');
  return f.done;
}

async function waitForText(read: () => string, text: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (read().includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for '${text}' in:\n${read()}`);
}

const lastLine = (stderr: string): string => stderr.trim().split('\n').at(-1) ?? '';

async function pgRows(env: NodeJS.ProcessEnv, sql: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['query', 'postgres', '--sql', sql], { env });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('embedded PostgreSQL (PGlite): one process at a time per BARFILL_HOME', () => {
  const FILES = 4;
  const ROWS = 15_000;
  const TOTAL = FILES * ROWS;
  const csvDir = path.join(tempDir('lock-csv'), 'in');
  writeCsvFiles(csvDir, FILES, ROWS);
  const inject = (...extra: string[]): string[] => ['inject-csv', '--csv-dir', csvDir, '--threads', '2', '--no-progress', '--summary-json', '-', ...extra];
  const MARKER = 'writing to embedded PostgreSQL';
  const counts = async (env: NodeJS.ProcessEnv): Promise<{ n: number; keys: number }> => {
    const [r] = await pgRows(env, `SELECT count(*)::int AS n, count(DISTINCT (ticker, interval_minutes, "timestamp"))::int AS keys FROM market_data`);
    return { n: Number(r?.['n']), keys: Number(r?.['keys']) };
  };

  it('a second writer, and a reader, fail at once naming the holder; nothing of theirs is written; the first run is exact', async () => {
    const env = embeddedPg().env();
    const home = env['BARFILL_HOME'] ?? '';
    const first = await startFrozen(inject(), env, MARKER);
    const held = JSON.parse(readFileSync(path.join(home, 'pglite.lock'), 'utf8')) as Record<string, unknown>;
    expect(held).toMatchObject({ pid: first.pid, command: 'inject-csv' });

    const second = await runCli(inject('--on-conflict', 'ignore'), { env });
    expect(second.code, second.stderr).toBe(1);
    expect(lastLine(second.stderr)).toMatch(
      new RegExp(`^barfill: embedded PostgreSQL \\(PGlite\\) at .*pglite is in use: held by pid ${first.pid} \\(inject-csv on .+, since .+\\); one process at a time: set BARFILL_LOCK_TIMEOUT=<seconds> to wait for it$`),
    );
    expect(second.stderr).not.toContain('waiting for');
    expect(second.stderr).not.toContain('Inserted');
    expect(second.stdout).toBe('');

    const reader = await runCli(['query', 'postgres', '--sql', 'SELECT 1'], { env });
    expect(reader.code, reader.stderr).toBe(1);
    expect(lastLine(reader.stderr)).toContain(`is in use: held by pid ${first.pid} (inject-csv`);

    // A dry run does not open the store: it takes no lock.
    const dry = await runCli(['inject-csv', '--csv-dir', csvDir, '--dry-run', '--no-progress', '--summary-json', '-'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(summaryOf(dry.stdout)).toMatchObject({ failed: 0 });

    const impatient = await runCli(inject('--on-conflict', 'ignore'), { env: { ...env, BARFILL_LOCK_TIMEOUT: '1' } });
    expect(impatient.code, impatient.stderr).toBe(1);
    expect(impatient.stderr).toMatch(new RegExp(`waiting for embedded PostgreSQL \\(PGlite\\) at .*, held by pid ${first.pid} \\(inject-csv`));
    expect(lastLine(impatient.stderr)).toMatch(new RegExp(`^barfill: gave up after 1 s \\(BARFILL_LOCK_TIMEOUT\\) waiting for embedded PostgreSQL \\(PGlite\\) at .*: held by pid ${first.pid} `));

    const done = await resume(first);
    expect(done.code, done.stderr).toBe(0);
    expect(summaryOf(done.stdout)).toMatchObject({ inserted: TOTAL, skipped: 0, failed: 0 });
    expect(existsSync(path.join(home, 'pglite.lock'))).toBe(false);
    expect(await counts(env)).toEqual({ n: TOTAL, keys: TOTAL });
    // The losers recorded no run: only the first is in the ledger.
    const runs = await runCli(['runs', '--engine', 'postgres', '--format', 'json'], { env });
    expect((JSON.parse(runs.stdout) as { runs: unknown[] }).runs).toHaveLength(1);

    const again = await runCli(inject('--on-conflict', 'ignore'), { env });
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again.stdout)).toMatchObject({ inserted: 0, skipped: TOTAL, failed: 0 });
    expect(await counts(env)).toEqual({ n: TOTAL, keys: TOTAL });
  });

  it('BARFILL_LOCK_TIMEOUT=30: the second waits, saying for whom, then runs with exact counts (ignore: ins=0, skip=all)', async () => {
    const env = embeddedPg().env();
    const first = await startFrozen(inject(), env, MARKER);
    let text = '';
    const second = runCli(inject('--on-conflict', 'ignore'), { env: { ...env, BARFILL_LOCK_TIMEOUT: '30' }, onStderr: (s) => (text = s) });
    await waitForText(() => text, `held by pid ${first.pid} (inject-csv`);
    expect(text).toMatch(/WARNING waiting for embedded PostgreSQL \(PGlite\) at .*: up to 30 s \(BARFILL_LOCK_TIMEOUT\)/);
    const a = await resume(first);
    expect(a.code, a.stderr).toBe(0);
    expect(summaryOf(a.stdout)).toMatchObject({ inserted: TOTAL, skipped: 0 });
    const b = await second;
    expect(b.code, b.stderr).toBe(0);
    expect(summaryOf(b.stdout)).toMatchObject({ inserted: 0, skipped: TOTAL, failed: 0 });
    expect(b.stderr.match(/waiting for/g)).toHaveLength(1);
    expect(await counts(env)).toEqual({ n: TOTAL, keys: TOTAL });
  });

  it('the lock of a SIGKILLed holder is stale: the next run takes it over, with a warning, and ends exact', async () => {
    const env = embeddedPg().env();
    const home = env['BARFILL_HOME'] ?? '';
    const first = await startFrozen(inject(), env, MARKER);
    process.kill(first.pid, 'SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(existsSync(path.join(home, 'pglite.lock'))).toBe(true);

    const next = await runCli(inject('--on-conflict', 'ignore'), { env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`WARNING embedded PostgreSQL \\(PGlite\\) at .*: taking over the stale lock of pid ${first.pid} \\(inject-csv, since .+\\), which no longer runs`));
    expect(existsSync(path.join(home, 'pglite.lock'))).toBe(false);
    expect(await counts(env)).toEqual({ n: TOTAL, keys: TOTAL });
  });
});

describe('embedded ClickHouse (chDB): one process at a time per BARFILL_HOME', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const MINUTES = 60_000;
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  const parquet = path.join(tempDir('lock-pq'), 'btc.parquet');
  const backfill = (): string[] => [
    'backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(T0), '--end', iso(T0 + MINUTES * 60_000),
    '--parquet', parquet, '--batch-size', '1000', '--no-progress', '--report-format', 'json',
  ];
  const MARKER = 'writing to embedded ClickHouse';
  const reportOf = (stderr: string): Record<string, unknown> => {
    const line = stderr.split('\n').find((l) => l.includes('"backfill-1m report"')) ?? '{}';
    return (JSON.parse(line) as { report?: Record<string, unknown> }).report ?? {};
  };
  const canonical = async (env: NodeJS.ProcessEnv): Promise<number> => {
    const r = await runCli(['query', 'clickhouse', '--sql', 'SELECT count() AS n FROM market_data.canonical_candles_1m FINAL'], { env });
    expect(r.code, r.stderr).toBe(0);
    return Number((JSON.parse(r.stdout) as { n: unknown }).n);
  };

  it('a second backfill-1m and a query fail at once; with BARFILL_LOCK_TIMEOUT a third waits and then writes; rows exact', async () => {
    await writeBinanceSpotParquet(parquet, { symbol: 'BTCUSDT', startMs: T0, minutes: MINUTES, rowGroupSize: 20_000 });
    const env = embeddedCh().env();
    const home = env['BARFILL_HOME'] ?? '';
    const first = await startFrozen(backfill(), env, MARKER);
    expect(JSON.parse(readFileSync(path.join(home, 'clickhouse.lock'), 'utf8'))).toMatchObject({ pid: first.pid, command: 'backfill-1m' });

    const second = await runCli(backfill(), { env });
    expect(second.code, second.stderr).toBe(1);
    expect(lastLine(second.stderr)).toMatch(new RegExp(`embedded ClickHouse \\(chDB\\) at .*clickhouse is in use: held by pid ${first.pid} \\(backfill-1m on .+\\); one process at a time: set BARFILL_LOCK_TIMEOUT=<seconds> to wait for it`));
    expect(second.stderr).not.toContain('backfill-1m report');

    const reader = await runCli(['query', 'clickhouse', '--sql', 'SELECT 1 AS one'], { env });
    expect(reader.code, reader.stderr).toBe(1);
    expect(lastLine(reader.stderr)).toContain(`is in use: held by pid ${first.pid} (backfill-1m`);

    const runs = await runCli(['runs', '--engine', 'clickhouse'], { env });
    expect(runs.code, runs.stderr).toBe(1);
    expect(lastLine(runs.stderr)).toContain(`is in use: held by pid ${first.pid} (backfill-1m`);

    let text = '';
    const third = runCli(backfill(), { env: { ...env, BARFILL_LOCK_TIMEOUT: '120' }, onStderr: (s) => (text = s), timeoutMs: 170_000 });
    await waitForText(() => text, `held by pid ${first.pid} (backfill-1m`);
    expect(text).toContain('waiting for embedded ClickHouse (chDB) at');
    const a = await resume(first);
    expect(a.code, a.stderr).toBe(0);
    expect(reportOf(a.stderr)).toMatchObject({ outcome: 'success', rows_written: MINUTES });
    const c = await third;
    expect(c.code, c.stderr).toBe(0);
    expect(reportOf(c.stderr)).toMatchObject({ outcome: 'success', rows_written: MINUTES });
    expect(existsSync(path.join(home, 'clickhouse.lock'))).toBe(false);
    expect(await canonical(env)).toBe(MINUTES);
    const listed = await runCli(['runs', '--engine', 'clickhouse', '--format', 'json'], { env });
    expect((JSON.parse(listed.stdout) as { runs: { outcome: string }[] }).runs.map((r) => r.outcome)).toEqual(['success', 'success']);
  });

  it('the lock of a SIGKILLed backfill-1m is taken over by the next run, which ends exact', async () => {
    const env = embeddedCh().env();
    const home = env['BARFILL_HOME'] ?? '';
    const first = await startFrozen(backfill(), env, MARKER);
    process.kill(first.pid, 'SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(existsSync(path.join(home, 'clickhouse.lock'))).toBe(true);
    const next = await runCli(backfill(), { env, timeoutMs: 170_000 });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`taking over the stale lock of pid ${first.pid} (backfill-1m, since `);
    expect(existsSync(path.join(home, 'clickhouse.lock'))).toBe(false);
    expect(await canonical(env)).toBe(MINUTES);
  });
});
