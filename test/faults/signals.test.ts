/**
 * SIGINT and SIGTERM in the middle of each command, sent to the built CLI
 * (runCli onSpawn + process.kill): no new work is taken, the unit or batch in
 * flight commits or rolls back, the partial report / summary is logged (and
 * --summary-json written), the exit code is 130 / 143, and what the report says
 * was committed is exactly what the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../e2e/cli.js';
import { serverCh, type ChTarget } from '../e2e/ch-target.js';
import { serverPg, type PgTarget } from '../e2e/pg-target.js';
import { chServerUrl } from '../../test-support/servers.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';
import { writeBinanceSpotParquet, type FixtureResult } from '../../test-support/parquet-fixtures.js';
import { pgScalar, sleep, writeCsvFiles, type Summary } from './support.js';

const T0 = Date.UTC(2023, 0, 1);
const MINUTES = 300_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'NFLX', 'AMD', 'INTC'];

async function chCount(sql: string): Promise<number> {
  const res = await fetch(`${chServerUrl}/?query=${encodeURIComponent(sql)}`, { method: 'POST' });
  return res.ok ? Number((await res.text()).trim()) : 0;
}

describe('backfill-1m interrupted (ClickHouse server)', () => {
  let t: ChTarget | undefined;
  let fixture: FixtureResult;
  beforeAll(async () => {
    t = await serverCh();
    fixture = await writeBinanceSpotParquet(path.join(tempDir('sig-pq'), 'big.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: MINUTES, rowGroupSize: 20_000 });
  });
  afterAll(async () => {
    await t?.drop();
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal}: exit ${code}, the in-flight batch settles, batches_written equals what the raw table holds`, async (ctx) => {
      if (t === undefined) return ctx.skip();
      const db = t.database;
      const table = `${db}.raw_binance_klines_1m`;
      await chCount(`TRUNCATE TABLE IF EXISTS ${table}`);
      let pid = 0;
      let done = false;
      const running = runCli(
        ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(T0), '--end', iso(T0 + MINUTES * 60_000), '--parquet', fixture.path, '--batch-size', '5000', '--report-format', 'json'],
        { env: t.env(), timeoutMs: 170_000, onSpawn: (p) => (pid = p) },
      ).finally(() => {
        done = true;
      });
      while (!done && (await chCount(`SELECT count() FROM ${table}`)) < 20_000) await sleep(10);
      expect(done).toBe(false);
      process.kill(pid, signal);
      const r = await running;
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`${signal} received`);
      const line = r.stderr.split('\n').find((l) => l.includes('"backfill-1m report"')) ?? '{}';
      const report = (JSON.parse(line) as { report: Record<string, unknown> }).report;
      expect(report['outcome']).toBe('interrupted');
      const rows = Number(report['rows_written']);
      expect(rows).toBe(Number(report['batches_written']) * 5000);
      expect(rows).toBeGreaterThan(0);
      expect(rows).toBeLessThan(MINUTES);
      // Exactly what the report says: no batch half-written, none written after the report.
      expect(await chCount(`SELECT count() FROM ${table}`)).toBe(rows);
      expect(await chCount(`SELECT uniqExact(open_time) FROM ${table}`)).toBe(rows);
      // The partly written file counts its committed rows, in the report and in the run ledger.
      expect((report['input_files'] as { rows_written: number }[]).map((f) => f.rows_written)).toEqual([rows]);
      const listed = await runCli(['runs', '--engine', 'clickhouse', '--format', 'json', '--last', '1'], { env: t.env() });
      expect(listed.code, listed.stderr).toBe(0);
      const units = (JSON.parse(listed.stdout) as { runs: { units: { state: string; rowsWritten: number }[] }[] }).runs[0]?.units ?? [];
      expect(units.map((u) => [u.state, u.rowsWritten])).toEqual([['failed', rows]]);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(`barfill: interrupted by ${signal}`);
    });
  }
});

describe('equities commands interrupted (PostgreSQL server)', () => {
  let t: PgTarget | undefined;
  let fake: FakeFmp;
  beforeAll(async () => {
    t = await serverPg();
    fake = await startFakeFmp({ latencyMs: 250 });
  });
  afterAll(async () => {
    await fake.close();
    await t?.drop();
  });

  /** Every ticker (or file) is whole or absent, and the summary says which. */
  async function checkUnits(target: PgTarget, s: Summary, expectedOf: (name: string) => number, tickerOf: (name: string) => string): Promise<void> {
    for (const r of s.results) {
      const stored = await pgScalar(target, `SELECT count(*) AS v FROM market_data WHERE ticker = '${tickerOf(r.name)}'`);
      if (r.outcome === 'inserted') expect([r.name, stored, r.inserted]).toEqual([r.name, expectedOf(r.name), expectedOf(r.name)]);
      else expect([r.name, r.outcome, stored]).toEqual([r.name, r.outcome, 0]);
    }
    expect(s.interrupted).toBe(true);
    expect(s.results.some((r) => r.outcome === 'interrupted')).toBe(true);
    expect(s.results.some((r) => r.outcome === 'inserted')).toBe(true);
  }

  for (const [command, signal, code] of [['concurrent', 'SIGTERM', 143], ['specific', 'SIGINT', 130], ['concurrent', 'SIGINT', 130], ['specific', 'SIGTERM', 143]] as const) {
    it(`${command} + ${signal}: exit ${code}, units in flight rolled back and reported, summary and --summary-json written`, async (ctx) => {
      if (t === undefined) return ctx.skip();
      const target = t;
      await pgScalar(target, 'DELETE FROM market_data RETURNING 0 AS v');
      const out = path.join(tempDir('sig-sum'), 'summary.json');
      const csv = path.join(path.dirname(out), 'combined.csv');
      const env = target.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '60000' });
      // MSFT's requests hang: it is certainly in flight when the signal lands.
      fake.setOptions({ faults: [{ fault: { kind: 'hang', ms: 60_000 }, symbols: ['MSFT'], count: 1000 }] });
      fake.resetStats();
      let pid = 0;
      const running = runCli(
        [command, '--start', '010224', '--end', '290224', '--tickers', ...TICKERS, '--summary-json', out, '--output-filename', csv, ...(command === 'concurrent' ? ['--threads', '3'] : [])],
        { env, timeoutMs: 170_000, onSpawn: (p) => (pid = p) },
      );
      // Once a ticker has committed, while others are in flight (stop waiting if the run ended on its own).
      let ended = false;
      void running.finally(() => (ended = true));
      while (!ended && (((await pgScalar(target, 'SELECT count(DISTINCT ticker) AS v FROM market_data')) ?? 0) < 1 || (fake.stats.bySymbol['MSFT'] ?? 0) < 1)) await sleep(10);
      expect(ended, 'the run ended before the signal could be sent').toBe(false);
      process.kill(pid, signal);
      const r = await running;
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(/Summary: tickers=10 inserted=\d+ skipped=0 failed=\d+ elapsed=/);
      expect(r.stderr).toContain(`[MSFT] Interrupted: interrupted by ${signal}: rolled back, nothing of it was written`);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(`barfill: interrupted by ${signal}`);
      const s = JSON.parse(readFileSync(out, 'utf8')) as Summary;
      const want = (name: string): number => expectedBars(name, 1, '2024-02-01', '2024-02-29').timestampMs.length;
      await checkUnits(target, s, want, (n) => n);
      // The combined CSV of an interrupted run is not published, and no temporary file is left.
      expect(() => readFileSync(csv)).toThrow();
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(path.dirname(out)).sort()).toEqual(['summary.json']);
    });
  }

  it('inject-csv + SIGINT: files in flight rolled back and reported, exit 130', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const target = t;
    await pgScalar(target, 'DELETE FROM market_data RETURNING 0 AS v');
    const dir = path.join(tempDir('sig-csv'), 'in');
    const { rows } = writeCsvFiles(dir, 30, 20_000);
    let pid = 0;
    let done = false;
    const running = runCli(['inject-csv', '--csv-dir', dir, '--threads', '2', '--summary-json', '-'], { env: target.env(), timeoutMs: 170_000, onSpawn: (p) => (pid = p) }).finally(() => {
      done = true;
    });
    while (!done && ((await pgScalar(target, 'SELECT count(*) AS v FROM market_data')) ?? 0) < rows) await sleep(10);
    expect(done).toBe(false);
    process.kill(pid, 'SIGINT');
    const r = await running;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Summary: files=30 inserted=\d+ skipped=0 failed=\d+ elapsed=/);
    const s = JSON.parse(r.stdout.trim()) as Summary;
    await checkUnits(target, s, () => rows, (n) => n.replace(/\.csv$/, ''));
    expect(s.inserted).toBe((await pgScalar(target, 'SELECT count(*) AS v FROM market_data')) ?? -1);
  });
});
