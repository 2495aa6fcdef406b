/**
 * Load: `concurrent` with 500 tickers and --threads 32 against the fake FMP
 * server and the PostgreSQL server. Connections never exceed the pool, the
 * process's sockets and memory stay bounded, every bar lands once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { runCli } from '../e2e/cli.js';
import { serverPg, type PgTarget } from '../e2e/pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';
import { pgServerUrl } from '../../test-support/servers.js';

const N = 500;
const THREADS = 32;
const TICKERS = Array.from({ length: N }, (_, i) => `L${String(i).padStart(3, '0')}`);

function procStats(pid: number): { rssMb: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    return { rssMb: rss, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

describe('load: 500 tickers, --threads 32, PostgreSQL server', () => {
  let t: PgTarget | undefined;
  let fake: FakeFmp;
  beforeAll(async () => {
    t = await serverPg();
    fake = await startFakeFmp({ latencyMs: 20 });
  });
  afterAll(async () => {
    await fake.close();
    await t?.drop();
  });

  it('stays within the pool, keeps sockets and memory bounded, and lands every bar once', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '100000' });
    const dbName = new URL(env['DATABASE_URL'] ?? '').pathname.slice(1);
    const admin = new pg.Client({ connectionString: pgServerUrl });
    await admin.connect();
    let pid = 0;
    let done = false;
    let maxConnections = 0;
    let maxRss = 0;
    let maxFds = 0;
    const run = runCli(['concurrent', '--start', '040324', '--end', '080324', '--interval', '30', '--threads', String(THREADS), '--no-progress', '--tickers', ...TICKERS, '--summary-json', '-'], {
      env,
      timeoutMs: 170_000,
      onSpawn: (p) => (pid = p),
    }).finally(() => (done = true));
    while (!done) {
      const r = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [dbName]);
      maxConnections = Math.max(maxConnections, Number(r.rows[0]?.n ?? 0));
      const s = procStats(pid);
      if (s !== undefined) {
        maxRss = Math.max(maxRss, s.rssMb);
        maxFds = Math.max(maxFds, s.fds);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    await admin.end();
    const r = await run;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const per = expectedBars('L000', 30, '2024-03-04', '2024-03-08').timestampMs.length;
    expect(JSON.parse(r.stdout)).toMatchObject({ units: N, inserted: N * per, skipped: 0, failed: 0 });
    expect(maxConnections).toBeGreaterThan(1);
    expect(maxConnections).toBeLessThanOrEqual(THREADS);
    expect(fake.stats.maxInFlight).toBeLessThanOrEqual(THREADS);
    // Bounded, not growing with the 500 tickers: the pool, the HTTP sockets, the runtime's own.
    expect(maxFds).toBeLessThan(THREADS * 2 + 64);
    expect(maxRss).toBeLessThan(400);
    const check = await runCli(['query', 'postgres', '--sql', 'SELECT count(*)::int AS n, count(DISTINCT (ticker, "timestamp"))::int AS u, count(DISTINCT ticker)::int AS t FROM market_data'], { env });
    expect(JSON.parse(check.stdout.trim())).toEqual({ n: N * per, u: N * per, t: N });
  });
});
