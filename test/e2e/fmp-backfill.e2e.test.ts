import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './cli.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';
import { startFakeFmp, type FakeFmp, type FakeFmpOptions } from '../../test-support/fake-fmp/server.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';

const KEY = 'test-key';

async function rows(t: PgTarget, sql: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['query', 'postgres', '--sql', sql], { env: t.env() });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The stored bars of a ticker as [t, o, h, l, c, v]. */
async function stored(t: PgTarget, ticker: string, interval: number): Promise<number[][]> {
  const r = await rows(
    t,
    `SELECT (extract(epoch FROM "timestamp") * 1000)::float8 AS t, open, high, low, close, volume FROM market_data WHERE ticker = '${ticker}' AND interval_minutes = ${interval} ORDER BY "timestamp"`,
  );
  return r.map((x) => [x['t'], x['open'], x['high'], x['low'], x['close'], x['volume']] as number[]);
}

function expected(ticker: string, interval: number, from: string, to: string): number[][] {
  const e = expectedBars(ticker, interval, from, to);
  return e.timestampMs.map((ts, i) => [ts, e.open[i]!, e.high[i]!, e.low[i]!, e.close[i]!, e.volume[i]!]);
}

function summary(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

function fmpEnv(t: PgTarget, fake: FakeFmp, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: KEY, FMP_RATE_LIMIT: '6000', ...extra });
}

for (const make of [async () => Promise.resolve(embeddedPg()), serverPg]) {
  describe('specific / concurrent end to end against the fake FMP server', () => {
    let t: PgTarget | undefined;
    let fake: FakeFmp;
    beforeAll(async () => {
      t = await make();
      fake = await startFakeFmp();
    });
    afterAll(async () => {
      await fake.close();
      await t?.drop();
    });

    it('loads bars across the March DST change exactly; ignore reruns count skips; fail fails and rolls back', async (ctx) => {
      if (t === undefined) return ctx.skip();
      // 7..12 March 2024 (DST starts Sunday 10 March): 1-minute bars.
      const r = await runCli(['specific', '--start', '070324', '--end', '120324', '--tickers', 'aapl', 'MSFT', '--summary-json', '-'], { env: fmpEnv(t, fake) });
      expect(r.code, r.stderr).toBe(0);
      const aapl = expected('AAPL', 1, '2024-03-07', '2024-03-12');
      const msft = expected('MSFT', 1, '2024-03-07', '2024-03-12');
      expect(aapl).toHaveLength(4 * 390);
      expect(r.stderr).toMatch(new RegExp(`\\[AAPL\\] Inserted in \\d+\\.\\d\\ds \\(ins=${aapl.length} skip=0\\)`));
      expect(r.stderr).toMatch(new RegExp(`\\[MSFT\\] Inserted in \\d+\\.\\d\\ds \\(ins=${msft.length} skip=0\\)`));
      expect(r.stderr).toMatch(new RegExp(`Summary: tickers=2 inserted=${aapl.length + msft.length} skipped=0 elapsed=\\d+:\\d\\d:\\d\\d`));
      expect(summary(r.stdout)).toMatchObject({ command: 'specific', units: 2, inserted: aapl.length + msft.length, skipped: 0, failed: 0 });
      expect(await stored(t, 'AAPL', 1)).toEqual(aapl);
      expect(await stored(t, 'MSFT', 1)).toEqual(msft);
      // 09:30 New York is 14:30 UTC before the change and 13:30 UTC after it.
      const opens = await rows(t, `SELECT to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS o FROM market_data WHERE ticker = 'AAPL' AND to_char("timestamp" AT TIME ZONE 'America/New_York', 'HH24:MI') = '09:30' ORDER BY 1`);
      expect(opens.map((o) => o['o'])).toEqual(['2024-03-07 14:30', '2024-03-08 14:30', '2024-03-11 13:30', '2024-03-12 13:30']);

      const again = await runCli(['concurrent', '--start', '070324', '--end', '130324', '--tickers', 'AAPL', 'MSFT', '--on-conflict', 'ignore', '--threads', '2', '--summary-json', '-'], { env: fmpEnv(t, fake) });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`\\[AAPL\\] Inserted in [\\d.]+s \\(ins=390 skip=${aapl.length}\\)`));
      expect(summary(again.stdout)).toMatchObject({ inserted: 780, skipped: aapl.length + msft.length, failed: 0 });

      const fail = await runCli(['specific', '--start', '130324', '--end', '140324', '--tickers', 'AAPL', '--summary-json', '-'], { env: fmpEnv(t, fake) });
      expect(fail.code).toBe(1);
      expect(fail.stderr).toMatch(/\[AAPL\] Failed: .*23505.*ticker=AAPL/);
      expect(fail.stderr).toMatch(/Summary: tickers=1 inserted=0 skipped=0 failed=1/);
      // 14 March was not stored before: the failed unit left nothing of it.
      const n = await rows(t, `SELECT count(*)::int AS n FROM market_data WHERE ticker = 'AAPL' AND "timestamp" >= '2024-03-14T00:00:00Z'`);
      expect(n[0]?.['n']).toBe(0);
    });

    it('dry run writes nothing but the combined CSV, which inject-csv loads into identical rows', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const out = path.join(tempDir('out'), 'combined.csv');
      const dry = await runCli(['concurrent', '--start', '281024', '--end', '081124', '--tickers', 'NVDA', 'AMD', 'ZZNONE', '--interval', '5', '--dry-run', '--output-filename', out, '--threads', '3'], { env: fmpEnv(t, fake) });
      expect(dry.code, dry.stderr).toBe(0);
      const nvda = expected('NVDA', 5, '2024-10-28', '2024-11-08');
      expect(dry.stderr).toMatch(new RegExp(`\\[NVDA\\] Dry run: ${nvda.length} bars \\(not written\\)`));
      expect(dry.stderr).toMatch(/\[ZZNONE\] No data/);
      const none = await rows(t, `SELECT count(*)::int AS n FROM market_data WHERE ticker IN ('NVDA', 'AMD')`);
      expect(none[0]?.['n']).toBe(0);

      const csv = readFileSync(out, 'utf8').trim().split('\n');
      expect(csv[0]).toBe('ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume');
      const amd = expected('AMD', 5, '2024-10-28', '2024-11-08');
      expect(csv).toHaveLength(1 + nvda.length + amd.length);
      const nvdaLines = csv.filter((l) => l.startsWith('NVDA,'));
      expect(nvdaLines[0]).toBe(`NVDA,NASDAQ,5,${new Date(nvda[0]![0]!).toISOString().replace('.000Z', 'Z')},${nvda[0]!.slice(1).join(',')}`);

      const load = await runCli(['inject-csv', '--csv-dir', path.dirname(out), '--summary-json', '-'], { env: t.env() });
      expect(load.code, load.stderr).toBe(0);
      expect(summary(load.stdout)).toMatchObject({ inserted: nvda.length + amd.length, rejected: 0 });
      expect(await stored(t, 'NVDA', 5)).toEqual(nvda);
      expect(await stored(t, 'AMD', 5)).toEqual(amd);
    });
  });
}

describe('FMP faults end to end (embedded PostgreSQL)', () => {
  let fake: FakeFmp | undefined;
  afterAll(async () => {
    await fake?.close();
  });
  async function withFake(opts: FakeFmpOptions): Promise<FakeFmp> {
    await fake?.close();
    fake = await startFakeFmp(opts);
    return fake;
  }

  it('a 429 storm and 5xx/HTML/reset/truncated bodies are recovered: every bar lands once', async () => {
    const t = embeddedPg();
    const f = await withFake({
      // 4 answers per second, while the client is allowed 3000/min: a storm of 429s.
      rateLimitPerMinute: 4,
      rateLimitWindowMs: 1000,
      faults: [
        { fault: { kind: 'status', status: 503, html: true }, probability: 0.15 },
        // Spread over the tickers so that no ticker meets more faults in a row than its retry budget (5).
        { fault: { kind: 'status', status: 500 }, count: 2, symbols: ['AAPL'] },
        { fault: { kind: 'status', status: 502 }, count: 1, symbols: ['MSFT'] },
        { fault: { kind: 'reset' }, count: 1, symbols: ['GOOG'] },
        { fault: { kind: 'truncated-json' }, count: 1, symbols: ['AMZN'] },
        { fault: { kind: 'object-body' }, count: 1, symbols: ['MSFT'] },
      ],
      outOfOrder: true,
      duplicateBars: 3,
    });
    const tickers = ['AAPL', 'MSFT', 'GOOG', 'AMZN'];
    const r = await runCli(['concurrent', '--start', '040324', '--end', '220324', '--tickers', ...tickers, '--interval', '1', '--threads', '4', '--summary-json', '-'], {
      // Faults land on whichever request comes next, so one window may meet several in a row: a budget of 10
      // retries (still bounded) keeps the outcome independent of timing.
      env: t.env({ FMP_BASE_URL: f.url, FMP_API_KEY: KEY, FMP_RATE_LIMIT: '3000', FMP_MAX_RETRIES: '10' }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(f.stats.rateLimited).toBeGreaterThan(0);
    expect((f.stats.statuses[503] ?? 0) + (f.stats.statuses[500] ?? 0)).toBeGreaterThan(0);
    for (const tk of tickers) expect(await stored(t, tk, 1)).toEqual(expected(tk, 1, '2024-03-04', '2024-03-22'));
  });

  it('an answer truncated by a vendor cap lower than assumed is detected and refetched: no bar lost', async () => {
    const t = embeddedPg();
    // The client sizes 1-minute windows for a 5,000-row cap (5 weekdays, 1,950 regular bars); the server keeps 1,000.
    const f = await withFake({ rowCap: 1000 });
    const r = await runCli(['specific', '--start', '040324', '--end', '150324', '--tickers', 'TSLA'], {
      env: t.env({ FMP_BASE_URL: f.url, FMP_API_KEY: KEY, FMP_RATE_LIMIT: '6000' }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(f.stats.truncated).toBeGreaterThan(0);
    expect(await stored(t, 'TSLA', 1)).toEqual(expected('TSLA', 1, '2024-03-04', '2024-03-15'));
  });

  it('an invalid key fails the run at once, exit 1, and the key is never printed', async () => {
    const t = embeddedPg();
    const f = await withFake({});
    const secret = 'wrong-key-9f8e7d';
    const r = await runCli(['specific', '--start', '040324', '--end', '080324', '--tickers', 'AAPL', 'MSFT', 'NVDA', '--log-level', 'DEBUG', '--summary-json', '-'], {
      env: t.env({ FMP_BASE_URL: f.url, FMP_API_KEY: secret }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[AAPL\] Failed: .*Invalid API KEY/);
    expect(r.stderr).toMatch(/\[MSFT\] Not started/);
    expect(f.stats.requests).toBe(1);
    expect(r.stderr + r.stdout).not.toContain(secret);
    expect(summary(r.stdout)).toMatchObject({ failed: 3, inserted: 0 });
  });

  it('concurrency is bounded by --threads', async () => {
    const t = embeddedPg();
    const f = await withFake({ latencyMs: 150 });
    const tickers = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    const r = await runCli(['concurrent', '--start', '040324', '--end', '050324', '--tickers', ...tickers, '--threads', '3', '--interval', '60', '--dry-run'], {
      env: t.env({ FMP_BASE_URL: f.url, FMP_API_KEY: KEY, FMP_RATE_LIMIT: '100000' }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(f.stats.maxInFlight).toBe(3);
    expect(f.stats.requests).toBe(tickers.length);
  });

  it('tickers come from tickers.json in the working directory; a plan-gated ticker fails alone (exit 1)', async () => {
    const t = embeddedPg();
    const f = await withFake({ gatedSymbols: ['PREM'] });
    const cwd = tempDir('tickers');
    writeFileSync(path.join(cwd, 'tickers.json'), JSON.stringify(['aapl', 'PREM', 'msft']));
    const r = await runCli(['specific', '--start', '040324', '--end', '050324', '--interval', '30', '--summary-json', '-'], {
      env: t.env({ FMP_BASE_URL: f.url, FMP_API_KEY: KEY, FMP_RATE_LIMIT: '6000' }),
      cwd,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[PREM\] Failed: .*402/);
    expect(f.stats.bySymbol['PREM']).toBe(1);
    const s = summary(r.stdout);
    expect(s).toMatchObject({ units: 3, failed: 1 });
    expect((s['results'] as { name: string; outcome: string }[]).map((x) => [x.name, x.outcome])).toEqual([
      ['AAPL', 'inserted'],
      ['PREM', 'failed'],
      ['MSFT', 'inserted'],
    ]);
    expect(await stored(t, 'MSFT', 30)).toEqual(expected('MSFT', 30, '2024-03-04', '2024-03-05'));
  });

  it('a missing key is a configuration error naming FMP_API_KEY (exit 2)', async () => {
    const t = embeddedPg();
    const r = await runCli(['specific', '--start', '040324', '--end', '050324', '--tickers', 'AAPL'], { env: t.env(), cwd: tempDir('nokey') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FMP_API_KEY is not set/);
  });
});
