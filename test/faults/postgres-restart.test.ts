/**
 * PostgreSQL restarted (fast mode: every session terminated) in the middle of
 * `concurrent` and of `inject-csv --threads 2`: each unit is one transaction,
 * so none is half-written; a unit that failed on the lost connection is
 * retried from the start (its transaction did not commit); the pool drops the
 * dead connections. A rerun with --on-conflict ignore then counts every row as
 * skipped: nothing lost, nothing doubled.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli, tempDir } from '../e2e/cli.js';
import { serverPg, type PgTarget } from '../e2e/pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';
import { ensurePostgresRunning, pgScalar, restartPostgres, sleep, summaryOf, writeCsvFiles } from './support.js';

const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'NFLX', 'AMD', 'INTC', 'ORCL', 'IBM'];

describe('PostgreSQL restarted mid-run', () => {
  let t: PgTarget | undefined;
  let fake: FakeFmp;
  beforeAll(async () => {
    t = await serverPg();
    fake = await startFakeFmp({ latencyMs: 250 });
  });
  afterEach(async () => {
    await ensurePostgresRunning();
  });
  afterAll(async () => {
    await fake.close();
    await t?.drop();
  });

  it('concurrent: units in flight are rolled back and retried; a rerun with ignore skips exactly the expected bars', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const target = t;
    const env = target.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '60000', PG_MAX_RETRIES: '8', PG_RETRY_BASE_MS: '300' });
    const args = ['concurrent', '--start', '010224', '--end', '290224', '--threads', '4', '--tickers', ...TICKERS, '--summary-json', '-'];
    const want = new Map(TICKERS.map((k) => [k, expectedBars(k, 1, '2024-02-01', '2024-02-29').timestampMs.length]));
    const total = [...want.values()].reduce((a, b) => a + b, 0);

    fake.resetStats();
    const running = runCli(args, { env, timeoutMs: 170_000 });
    // Restart once the first tickers hold open transactions: each fetches 02-01..02-19 (12 trading days, plus the
    // fake's bars on Presidents' Day: cut at 5,000 rows), then 02-01 again, writes that batch and asks for
    // 02-20..02-29; requests 9..12 are that third round, sent while the first batches are in open transactions.
    while (fake.stats.requests < 10) await sleep(20);
    await restartPostgres(target);
    const first = await running;
    const s1 = summaryOf(first.stdout);
    // The restart hit units in flight: they were retried from the start.
    expect(first.stderr).toMatch(/Attempt 1 of 9 failed \(rolled back\); retrying in \d+ ms: .*(terminat|Connection|admin_shutdown|57P01)/);
    expect(first.code, first.stderr).toBe(0);
    for (const r of s1.results) expect([r.name, r.outcome, r.inserted]).toEqual([r.name, 'inserted', want.get(r.name)]);
    expect(await pgScalar(target, 'SELECT count(*) AS v FROM market_data')).toBe(total);
    expect(await pgScalar(target, 'SELECT count(*) AS v FROM (SELECT 1 FROM market_data GROUP BY ticker, interval_minutes, "timestamp" HAVING count(*) > 1) d')).toBe(0);

    const again = await runCli([...args, '--on-conflict', 'ignore'], { env, timeoutMs: 170_000 });
    expect(again.code, again.stderr).toBe(0);
    const s2 = summaryOf(again.stdout);
    expect([s2.inserted, s2.skipped]).toEqual([0, total]);
    for (const r of s2.results) expect([r.name, r.inserted + r.skipped]).toEqual([r.name, want.get(r.name)]);
  });

  it('inject-csv --threads 2: files in flight are rolled back and retried; a rerun with ignore skips every row', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const target = t;
    const dir = path.join(tempDir('pg-restart-csv'), 'in');
    const files = 30;
    const { rows } = writeCsvFiles(dir, files, 20_000);
    const env = target.env({ PG_MAX_RETRIES: '8', PG_RETRY_BASE_MS: '300' });
    const args = ['inject-csv', '--csv-dir', dir, '--threads', '2', '--summary-json', '-'];
    const before = (await pgScalar(target, 'SELECT count(*) AS v FROM market_data')) ?? 0;

    const running = runCli(args, { env, timeoutMs: 170_000 });
    let done = false;
    void running.finally(() => {
      done = true;
    });
    // Restart once the first file has committed, while the next ones are in flight.
    while (!done && ((await pgScalar(target, 'SELECT count(*) AS v FROM market_data')) ?? 0) - before < rows) await sleep(10);
    expect(done).toBe(false);
    await restartPostgres(target);
    const first = await running;
    expect(first.stderr).toMatch(/Attempt 1 of 9 failed \(rolled back\); retrying in \d+ ms/);
    expect(first.code, first.stderr).toBe(0);
    const s1 = summaryOf(first.stdout);
    expect([s1.units, s1.inserted, s1.failed]).toEqual([files, files * rows, 0]);
    expect((await pgScalar(target, 'SELECT count(*) AS v FROM market_data')) ?? 0).toBe(before + files * rows);
    // Every file is whole: exactly `rows` bars per ticker.
    expect(await pgScalar(target, `SELECT count(*) AS v FROM (SELECT ticker FROM market_data WHERE ticker LIKE 'F%' GROUP BY ticker HAVING count(*) <> ${rows}) d`)).toBe(0);

    const again = await runCli([...args, '--on-conflict', 'ignore'], { env, timeoutMs: 170_000 });
    expect(again.code, again.stderr).toBe(0);
    const s2 = summaryOf(again.stdout);
    expect([s2.inserted, s2.skipped]).toEqual([0, files * rows]);
    for (const r of s2.results) expect([r.name, r.inserted, r.skipped]).toEqual([r.name, 0, rows]);
  });
});
