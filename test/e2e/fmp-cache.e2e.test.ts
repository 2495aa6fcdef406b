/**
 * Nothing fetched from FMP is thrown away: the built CLI against the fake FMP server, on the embedded PGlite and
 * on the PostgreSQL server. A window answered once is never requested again by a resume (after FMP_DAILY_LIMIT,
 * SIGINT), a corrupt cache entry is fetched again, the cache is empty once the tickers commit, and windows are
 * sized from the regular session (11 requests, not 26, for 129 weekdays of 1-minute bars).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars, type FakeDataOptions } from '../../test-support/fake-fmp/data.js';
import { splitWindows } from '../../src/adapters/fmp/windows.js';
import { holidays } from '../../src/kernel/trading-calendar.js';

/** The real API has no bars on exchange holidays: neither has the fake here. */
const CLOSED: FakeDataOptions = { closedDates: [...holidays(2024)] };

function cacheFiles(home: string): string[] {
  try {
    return readdirSync(path.join(home, 'cache', 'fmp'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.bin') || f.endsWith('.tmp'))
      .map((f) => path.join(home, 'cache', 'fmp', f))
      .sort();
  } catch {
    return [];
  }
}

/** FMP requests counted today (UTC) in the target's database. */
async function usedToday(t: PgTarget): Promise<number> {
  const m = await runCli(['migrate', 'postgres'], { env: t.env() });
  expect(m.code, m.stderr).toBe(0);
  const sql = `SELECT coalesce(sum(requests), 0)::int AS n FROM barfill_api_usage WHERE vendor = 'fmp' AND day = (now() AT TIME ZONE 'UTC')::date`;
  const r = await runCli(['query', 'postgres', '--sql', sql], { env: t.env() });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.trim()) as { n: number }).n;
}

/** `SYMBOL interval from..to` of every answered request, and those answered more than once. */
function requested(fake: FakeFmp, symbol: string): { all: string[]; twice: string[] } {
  const all = fake.stats.log.filter((l) => l.symbol === symbol && l.outcome === 200).map((l) => `${l.interval} ${l.from}..${l.to}`);
  return { all, twice: all.filter((k, i) => all.indexOf(k) !== i) };
}

/** The stored bars of a ticker equal, bar for bar and value for value, those a clean fetch yields. */
async function expectExactRows(t: PgTarget, env: NodeJS.ProcessEnv, ticker: string, from: string, to: string, opts: FakeDataOptions = CLOSED): Promise<void> {
  const sql = `SELECT (extract(epoch FROM "timestamp") * 1000)::float8 AS t, open, high, low, close, volume FROM market_data WHERE ticker = '${ticker}' AND interval_minutes = 1 ORDER BY "timestamp"`;
  const r = await runCli(['query', 'postgres', '--sql', sql], { env });
  expect(r.code, r.stderr).toBe(0);
  const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { t: number; open: number; high: number; low: number; close: number; volume: number });
  const e = expectedBars(ticker, 1, from, to, opts);
  expect(got.length, `${ticker} on ${t.name}`).toBe(e.timestampMs.length);
  expect(got.map((b) => b.t)).toEqual(e.timestampMs);
  expect(got.map((b) => [b.open, b.high, b.low, b.close, b.volume])).toEqual(e.open.map((o, i) => [o, e.high[i], e.low[i], e.close[i], e.volume[i]]));
}

for (const make of [async () => Promise.resolve(embeddedPg()), serverPg]) {
  describe('FMP answers are kept until the ticker commits', () => {
    let t: PgTarget | undefined;
    let fake: FakeFmp;
    beforeAll(async () => {
      t = await make();
      fake = await startFakeFmp(CLOSED);
    });
    afterAll(async () => {
      await fake.close();
      await t?.drop();
    });
    beforeEach(() => {
      fake.setOptions({ latencyMs: 0 });
    });

    const envOf = (target: PgTarget, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
      target.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000', ...extra });
    const homeOf = (target: PgTarget): string => target.env()['BARFILL_HOME'] ?? '';

    it('a ticker stopped at FMP_DAILY_LIMIT resumes without a window fetched twice, and the cache empties on commit', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const windows = splitWindows('2024-03-04', '2024-04-30', 1);
      expect(windows).toHaveLength(4);
      const first = await runCli(['specific', '--start', '040324', '--end', '300424', '--tickers', 'LIM', '--no-progress'], { env: envOf(t, { FMP_DAILY_LIMIT: '2' }) });
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(/FMP_DAILY_LIMIT reached: 2 of 2 requests/);
      expect(requested(fake, 'LIM').all).toHaveLength(2);
      expect(cacheFiles(homeOf(t))).toHaveLength(2); // both answers kept, though the ticker rolled back

      // "Tomorrow" (a raised limit): the two kept windows cost nothing, the two others one request each.
      const next = await runCli(['specific', '--resume', 'last', '--no-progress'], { env: envOf(t, { FMP_DAILY_LIMIT: '4' }) });
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toContain('plan: 1 tickers x 4 windows = 4 windows, 2 in the cache: 2 requests');
      expect(next.stderr).toMatch(/FMP_DAILY_LIMIT 4: fits \(2 used today, 4 after this run\)/);
      const r = requested(fake, 'LIM');
      expect(r.twice).toEqual([]);
      expect(r.all.sort()).toEqual(windows.map((w) => `1min ${w.fromDate}..${w.toDate}`).sort());
      await expectExactRows(t, envOf(t), 'LIM', '2024-03-04', '2024-04-30');
      expect(cacheFiles(homeOf(t))).toEqual([]);
    });

    it('SIGINT mid-ticker, then --resume: no window fetched twice, exactly the rows of a clean run', async (ctx) => {
      if (t === undefined) return ctx.skip();
      fake.setOptions({ latencyMs: 300 });
      let pid = 0;
      const run = runCli(['specific', '--start', '040324', '--end', '300424', '--tickers', 'SIG', '--no-progress'], {
        env: envOf(t),
        onSpawn: (p) => (pid = p),
      });
      // The second window's request is in flight (or answered): the ticker is certainly not done.
      for (let i = 0; i < 6000 && (fake.stats.bySymbol['SIG'] ?? 0) < 2; i++) await new Promise((res) => setTimeout(res, 20));
      process.kill(pid, 'SIGINT');
      const stopped = await run;
      expect(stopped.code, stopped.stderr).toBe(130);
      const paid = requested(fake, 'SIG').all.length;
      expect(paid).toBeGreaterThanOrEqual(2);
      expect(paid).toBeLessThan(4);
      expect(cacheFiles(homeOf(t))).toHaveLength(paid); // every answer received, the one in flight included

      fake.setOptions({ latencyMs: 0 });
      const resumed = await runCli(['specific', '--resume', 'last', '--no-progress'], { env: envOf(t) });
      expect(resumed.code, resumed.stderr).toBe(0);
      const r = requested(fake, 'SIG');
      expect(r.twice).toEqual([]);
      expect(r.all).toHaveLength(4);
      await expectExactRows(t, envOf(t), 'SIG', '2024-03-04', '2024-04-30');
      expect(cacheFiles(homeOf(t))).toEqual([]);
    });

    it('a corrupt or cut cache entry is fetched again, never trusted', async (ctx) => {
      if (t === undefined) return ctx.skip();
      // A ticker stopped after two windows (FMP_DAILY_LIMIT counts today's earlier requests) leaves two entries;
      // one gets a flipped byte, the other is cut.
      const limit = String((await usedToday(t)) + 2);
      const stopped = await runCli(['specific', '--start', '040324', '--end', '300424', '--tickers', 'BAE', '--no-progress'], { env: envOf(t, { FMP_DAILY_LIMIT: limit }) });
      expect(stopped.code).toBe(1);
      const files = cacheFiles(homeOf(t));
      expect(files).toHaveLength(2);
      const [a, b] = files as [string, string];
      const bytes = readFileSync(a);
      bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
      writeFileSync(a, bytes);
      truncateSync(b, Math.floor(readFileSync(b).length / 2));

      const resumed = await runCli(['specific', '--resume', 'last', '--no-progress'], { env: envOf(t, { FMP_DAILY_LIMIT: '100000' }) });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain('an entry whose checksum does not match');
      expect(resumed.stderr).toContain('a truncated entry');
      const r = requested(fake, 'BAE');
      expect(r.all).toHaveLength(6); // 2 + the 2 corrupt ones again + 2 never fetched
      expect(r.twice.sort()).toEqual(r.all.slice(0, 2).sort());
      await expectExactRows(t, envOf(t), 'BAE', '2024-03-04', '2024-04-30');
      expect(cacheFiles(homeOf(t))).toEqual([]);
    });

    it('129 weekdays of 1-minute bars take 11 requests (26 with 16-hour days); a dry run keeps them for the real run', async (ctx) => {
      if (t === undefined) return ctx.skip();
      // 2024-01-02 .. 2024-06-28: 129 weekdays, 124 trading days; 12 trading days (4,680 bars) per request.
      const dry = await runCli(['specific', '--start', '020124', '--end', '280624', '--tickers', 'HALF', '--dry-run', '--no-progress'], { env: envOf(t) });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).toContain('plan: 1 tickers x 11 windows = 11 requests');
      expect(requested(fake, 'HALF').all).toHaveLength(11);
      expect(cacheFiles(homeOf(t))).toHaveLength(11);
      const real = await runCli(['specific', '--start', '020124', '--end', '280624', '--tickers', 'HALF', '--no-progress'], { env: envOf(t) });
      expect(real.code, real.stderr).toBe(0);
      expect(requested(fake, 'HALF').all).toHaveLength(11); // no request: all from the cache
      await expectExactRows(t, envOf(t), 'HALF', '2024-01-02', '2024-06-28');
      expect(cacheFiles(homeOf(t))).toEqual([]);
    });
  });
}

describe('extended-hours answers overflow the regular-session windows', () => {
  let fake: FakeFmp;
  const opts: FakeDataOptions = { ...CLOSED, extendedHours: true };
  beforeAll(async () => {
    fake = await startFakeFmp(opts);
  });
  afterAll(async () => {
    await fake.close();
  });

  it('are split and refetched without a bar lost or a request repeated (embedded PGlite)', async () => {
    const t = embeddedPg();
    const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
    const r = await runCli(['specific', '--start', '040324', '--end', '300424', '--tickers', 'EXT', '--no-progress'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.stats.truncated).toBeGreaterThan(0);
    expect(requested(fake, 'EXT').twice).toEqual([]);
    await expectExactRows(t, env, 'EXT', '2024-03-04', '2024-04-30', opts);
  });
});
