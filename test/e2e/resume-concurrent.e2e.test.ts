/**
 * `concurrent --resume` after a SIGKILL at a point where at least one ticker is certainly done: with `--threads 2`
 * the third ticker starts only once one of the first two is committed and recorded, so the kill comes when the
 * fake FMP server sees the third ticker's first request. Built CLI, embedded PGlite and the PostgreSQL server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars, type FakeDataOptions } from '../../test-support/fake-fmp/data.js';
import { splitWindows } from '../../src/adapters/fmp/windows.js';
import { holidays } from '../../src/kernel/trading-calendar.js';

const TICKERS = ['CA', 'CB', 'CC', 'CD', 'CE', 'CF'];
const FROM = '2024-03-04';
const TO = '2024-03-29';
const CLOSED: FakeDataOptions = { closedDates: [...holidays(2024)] };

interface LedgerRun {
  runId: string;
  outcome: string;
  units: { unit: string; state: string }[];
}

async function lastRun(env: NodeJS.ProcessEnv): Promise<LedgerRun> {
  const r = await runCli(['runs', '--engine', 'postgres', '--format', 'json', '--last', '1'], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { runs: LedgerRun[] }).runs[0]!;
}

/** `symbol from..to` of every request the fake received. */
function keys(fake: FakeFmp): string[] {
  return fake.stats.log.map((l) => `${l.symbol} ${l.from}..${l.to}`);
}

for (const make of [async () => Promise.resolve(embeddedPg()), serverPg]) {
  describe('concurrent: SIGKILL after a ticker is done, then --resume', () => {
    let t: PgTarget | undefined;
    let fake: FakeFmp;
    beforeAll(async () => {
      t = await make();
      fake = await startFakeFmp({ ...CLOSED, latencyMs: 300 });
    });
    afterAll(async () => {
      await fake.close();
      await t?.drop();
    });

    it('the done ticker is not redone, answers received are not fetched again, the rows are exact', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const windows = splitWindows(FROM, TO, 1);
      expect(windows).toHaveLength(2);
      const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
      let pid = 0;
      const killed = runCli(['concurrent', '--start', '040324', '--end', '290324', '--threads', '2', '--tickers', ...TICKERS, '--no-progress'], {
        env,
        onSpawn: (p) => (pid = p),
      });
      for (let i = 0; i < 6000 && (fake.stats.bySymbol[TICKERS[2]!] ?? 0) === 0; i++) await new Promise((res) => setTimeout(res, 20));
      expect(fake.stats.bySymbol[TICKERS[2]!]).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');
      expect((await killed).signal).toBe('SIGKILL');
      const before = keys(fake);

      const run = await lastRun(env);
      expect(run.outcome).toBe('running');
      const done = run.units.filter((u) => u.state === 'done').map((u) => u.unit);
      expect(done.length).toBeGreaterThanOrEqual(1);
      expect(done.every((u) => u === TICKERS[0] || u === TICKERS[1])).toBe(true);

      fake.setOptions({ latencyMs: 0 });
      const resumed = await runCli(['concurrent', '--resume', 'last', '--summary-json', '-', '--no-progress'], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      const summary = JSON.parse(resumed.stdout) as { run_id: string; already_done: string[]; units: number; failed: number };
      expect(summary.run_id).toBe(run.runId);
      expect(summary.already_done.sort()).toEqual([...done].sort());
      expect(summary.units).toBe(TICKERS.length - done.length);
      expect(summary.failed).toBe(0);

      const after = keys(fake).slice(before.length);
      // Done tickers are not fetched again; of the others, only an answer in flight at the kill (one per worker).
      for (const tk of done) expect(after.filter((k) => k.startsWith(`${tk} `)), tk).toEqual([]);
      expect(after.filter((k) => before.includes(k)).length).toBeLessThanOrEqual(2);
      expect([...before, ...after].filter((k, i, all) => all.indexOf(k) === i)).toHaveLength(TICKERS.length * windows.length);

      for (const tk of TICKERS) {
        const e = expectedBars(tk, 1, FROM, TO, CLOSED);
        const q = await runCli(['query', 'postgres', '--sql', `SELECT count(*)::int AS n, count(DISTINCT "timestamp")::int AS u, sum(close)::float8 AS c FROM market_data WHERE ticker = '${tk}'`], { env });
        const got = JSON.parse(q.stdout.trim()) as { n: number; u: number; c: number };
        expect([got.n, got.u], tk).toEqual([e.timestampMs.length, e.timestampMs.length]);
        expect(got.c).toBeCloseTo(e.close.reduce((a, b) => a + b, 0), 6);
      }
      const finished = await lastRun(env);
      expect(finished.runId).toBe(run.runId);
      expect(finished.outcome).toBe('success');
      expect(finished.units.filter((u) => u.state === 'done')).toHaveLength(TICKERS.length);
    });
  });
}
