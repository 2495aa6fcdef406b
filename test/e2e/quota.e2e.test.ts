import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { embeddedPg } from './pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';
import { splitWindows } from '../../src/adapters/fmp/windows.js';

describe('quota planning: --dry-run plan and FMP_DAILY_LIMIT across runs', () => {
  let fake: FakeFmp;
  beforeAll(async () => {
    fake = await startFakeFmp();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('a dry run prints the plan before fetching', async () => {
    const t = embeddedPg();
    const windows = splitWindows('2024-03-04', '2024-03-29', 1).length;
    const r = await runCli(['specific', '--start', '040324', '--end', '290324', '--tickers', 'AAPL', 'MSFT', '--dry-run'], {
      env: t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '300', FMP_DAILY_LIMIT: '250' }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`plan: 2 tickers x ${windows} windows = ${2 * windows} requests, about ${((2 * windows) / 300).toFixed(1)} min at 300/min; FMP_DAILY_LIMIT 250: fits`);
    expect(r.stderr.indexOf('plan:')).toBeLessThan(r.stderr.indexOf('[AAPL]'));
  });

  it('a run that would pass the daily limit stops before it, and --resume completes the job', async () => {
    const t = embeddedPg();
    const tickers = ['AAPL', 'MSFT', 'NVDA', 'AMD'];
    const windows = splitWindows('2024-03-04', '2024-03-22', 1).length;
    expect(windows).toBeGreaterThan(1);
    const before = fake.stats.requests;
    const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000', FMP_DAILY_LIMIT: '5' });
    const first = await runCli(['concurrent', '--start', '040324', '--end', '220324', '--threads', '2', '--tickers', ...tickers, '--summary-json', '-'], { env });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/FMP_DAILY_LIMIT reached: 5 of 5 requests made on \d{4}-\d\d-\d\d \(UTC\)/);
    expect(fake.stats.requests - before).toBe(5);
    // The same day, the budget is spent: nothing is requested.
    const spent = await runCli(['concurrent', '--resume', 'last'], { env });
    expect(spent.code).toBe(1);
    expect(fake.stats.requests - before).toBe(5);
    // Another day (a fresh budget): the run resumes and completes.
    const next = await runCli(['concurrent', '--resume', 'last', '--summary-json', '-'], { env: { ...env, FMP_DAILY_LIMIT: '1000' } });
    expect(next.code, next.stderr).toBe(0);
    for (const tk of tickers) {
      const want = expectedBars(tk, 1, '2024-03-04', '2024-03-22').timestampMs.length;
      const q = await runCli(['query', 'postgres', '--sql', `SELECT count(*)::int AS n, count(DISTINCT "timestamp")::int AS u FROM market_data WHERE ticker = '${tk}'`], { env });
      expect(JSON.parse(q.stdout.trim()), tk).toEqual({ n: want, u: want });
    }
  });
});
