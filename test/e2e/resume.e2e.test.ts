import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { runCli, tempDir } from './cli.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';

const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMD', 'INTC', 'META', 'GOOG', 'AMZN'];

async function rows(t: PgTarget, sql: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['query', 'postgres', '--sql', sql], { env: t.env() });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const [engine, make] of [['embedded', async () => Promise.resolve(embeddedPg())], ['server', serverPg]] as const) {
  describe(`run ledger: SIGKILL part-way, then --resume (${engine})`, () => {
    let t: PgTarget | undefined;
    let fake: FakeFmp;
    beforeAll(async () => {
      t = await make();
      fake = await startFakeFmp({ latencyMs: 400 });
    });
    afterAll(async () => {
      await fake.close();
      await t?.drop();
    });

    it('concurrent: a killed run resumed ends with exactly the rows of a clean run', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
      const args = ['concurrent', '--start', '040324', '--end', '080324', '--interval', '5', '--threads', '2', '--tickers', ...TICKERS];
      let pid = 0;
      const killed = runCli(args, { env, onSpawn: (p) => (pid = p) });
      // Kill it once a few tickers have been fetched (some committed, some in flight, some not started).
      await waitFor(() => fake.stats.requests >= 4, 'four requests');
      process.kill(pid, 'SIGKILL');
      const k = await killed;
      expect(k.signal).toBe('SIGKILL');

      const listed = await runCli(['runs', '--engine', 'postgres', '--format', 'json'], { env });
      expect(listed.code, listed.stderr).toBe(0);
      const before = (JSON.parse(listed.stdout) as { runs: { runId: string; outcome: string; units: { unit: string; state: string }[] }[] }).runs[0]!;
      expect(before.outcome).toBe('running');
      const doneBefore = before.units.filter((u) => u.state === 'done').map((u) => u.unit);
      expect(doneBefore.length).toBeLessThan(TICKERS.length);

      const resumed = await runCli(['concurrent', '--resume', 'last', '--summary-json', '-', '--no-progress'], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`resuming run ${before.runId}`);
      const summary = JSON.parse(resumed.stdout) as { run_id: string; already_done: string[]; units: number; failed: number };
      expect(summary.run_id).toBe(before.runId);
      expect(summary.already_done.sort()).toEqual([...doneBefore].sort());
      expect(summary.units).toBe(TICKERS.length - doneBefore.length);
      expect(summary.failed).toBe(0);

      for (const tk of TICKERS) {
        const e = expectedBars(tk, 5, '2024-03-04', '2024-03-08');
        const got = await rows(t, `SELECT count(*)::int AS n, count(DISTINCT "timestamp")::int AS u, sum(close)::float8 AS c FROM market_data WHERE ticker = '${tk}' AND interval_minutes = 5`);
        expect([got[0]?.['n'], got[0]?.['u']], tk).toEqual([e.timestampMs.length, e.timestampMs.length]);
        expect(got[0]?.['c'] as number).toBeCloseTo(e.close.reduce((a, b) => a + b, 0), 6);
      }
      const after = await runCli(['runs', '--engine', 'postgres', '--format', 'json', '--last', '1'], { env });
      const run = (JSON.parse(after.stdout) as { runs: { runId: string; outcome: string; units: { state: string }[] }[] }).runs[0]!;
      expect(run.runId).toBe(before.runId);
      expect(run.outcome).toBe('success');
      expect(run.units).toHaveLength(TICKERS.length);
      expect(run.units.every((u) => u.state === 'done')).toBe(true);
      // Nothing left to do: resuming again redoes nothing.
      const again = await runCli(['concurrent', '--resume', before.runId, '--summary-json', '-'], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ units: 0, inserted: 0 });
    });

    it('inject-csv: a killed run resumed loads every file exactly once; --resume rejects changed data flags', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = tempDir('resume-csv');
      const files = 12;
      for (let f = 0; f < files; f++) {
        const lines = ['ticker,timestamp,open,high,low,close,volume'];
        for (let i = 0; i < 20_000; i++) lines.push(`RES${f},${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString()},10,11,9,10.5,${i}`);
        writeFileSync(path.join(dir, `f${String(f).padStart(2, '0')}.csv`), `${lines.join('\n')}\n`);
      }
      let pid = 0;
      let log = '';
      // The embedded store is single-process: watch the CLI's own log, not the database, for two loaded files.
      const killed = runCli(['inject-csv', '--csv-dir', dir, '--threads', '1', '--no-progress'], {
        env: t.env(),
        onSpawn: (p) => (pid = p),
        onStderr: (s) => (log = s),
      });
      // Killed as soon as the second file's commit is logged: before the old code recorded it in the ledger.
      await waitFor(() => (log.match(/Inserted in/g) ?? []).length >= 2, 'two files loaded');
      process.kill(pid, 'SIGKILL');
      await killed;
      // Atomic: every file recorded done has its rows, and every file whose rows are stored is recorded done.
      const done = await rows(
        t,
        `SELECT unit FROM barfill_run_units WHERE state = 'done' AND run_id = (SELECT run_id FROM barfill_runs WHERE command = 'inject-csv' ORDER BY started_at DESC LIMIT 1) ORDER BY unit`,
      );
      const stored = await rows(t, `SELECT DISTINCT ticker FROM market_data WHERE ticker LIKE 'RES%' ORDER BY ticker`);
      expect(done.map((d) => String(d['unit']).replace(/^f0?(\d+)\.csv$/, 'RES$1'))).toEqual(stored.map((r) => String(r['ticker'])));
      const bad = await runCli(['inject-csv', '--resume', 'last', '--interval', '5'], { env: t.env() });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--interval cannot be changed when resuming/);
      const resumed = await runCli(['inject-csv', '--resume', 'last', '--summary-json', '-'], { env: t.env() });
      expect(resumed.code, resumed.stderr).toBe(0);
      const s = JSON.parse(resumed.stdout) as { already_done: string[]; units: number; on_conflict: string; failed: number };
      expect(s.already_done.length + s.units).toBe(files);
      // The run's conflict mode is kept: fail stays fail, and no file fails on resume.
      expect(s.on_conflict).toBe('fail');
      expect(s.failed).toBe(0);
      const n = await rows(t, `SELECT count(*)::int AS n, count(DISTINCT (ticker, "timestamp"))::int AS u FROM market_data WHERE ticker LIKE 'RES%'`);
      expect([n[0]?.['n'], n[0]?.['u']]).toEqual([files * 20_000, files * 20_000]);
    });

    it('inject-csv --resume keeps --on-conflict fail: a file that failed on a conflict fails again, the stored bar stays', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const header = 'ticker,timestamp,open,high,low,close,volume';
      const seed = tempDir('conflict-seed');
      writeFileSync(path.join(seed, 'seed.csv'), `${header}\nCFY,2021-01-04T15:00:00Z,1,1,1,1,1\n`);
      expect((await runCli(['inject-csv', '--csv-dir', seed], { env: t.env() })).code).toBe(0);
      const dir = tempDir('conflict');
      writeFileSync(path.join(dir, 'a.csv'), `${header}\nCFX,2021-01-04T15:00:00Z,1,1,1,1,1\n`);
      writeFileSync(path.join(dir, 'b.csv'), `${header}\nCFY,2021-01-04T15:01:00Z,2,2,2,2,2\nCFY,2021-01-04T15:00:00Z,2,2,2,2,2\n`);
      const first = await runCli(['inject-csv', '--csv-dir', dir, '--on-conflict', 'fail'], { env: t.env() });
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr).toMatch(/\[b\.csv\] Failed: .*23505/);

      const resumed = await runCli(['inject-csv', '--resume', 'last', '--summary-json', '-'], { env: t.env() });
      expect(resumed.code, resumed.stderr).toBe(1);
      const s = JSON.parse(resumed.stdout) as { on_conflict: string; already_done: string[]; failed: number; results: { name: string; outcome: string; error?: string }[] };
      expect(s.on_conflict).toBe('fail');
      expect(s.already_done).toEqual(['a.csv']);
      expect(s.results).toMatchObject([{ name: 'b.csv', outcome: 'failed' }]);
      expect(s.results[0]?.error).toMatch(/23505/);
      expect(await rows(t, `SELECT "timestamp", close FROM market_data WHERE ticker = 'CFY' ORDER BY 1`)).toEqual([
        { timestamp: '2021-01-04T15:00:00.000Z', close: 1 },
      ]);
      const listed = await runCli(['runs', '--engine', 'postgres', '--format', 'json', '--last', '1'], { env: t.env() });
      const run = (JSON.parse(listed.stdout) as { runs: { outcome: string; units: { unit: string; state: string }[] }[] }).runs[0]!;
      expect(run.outcome).toBe('failed');
      expect(run.units.map((u) => [u.unit, u.state])).toEqual([['a.csv', 'done'], ['b.csv', 'failed']]);
    });

    it('--resume of a run another live process holds exits 2; a stale lease (this host: pid gone; another host: no heartbeat for 30 s) is taken over', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const target = t;
      const dir = tempDir('lease');
      writeFileSync(path.join(dir, 'a.csv'), 'ticker,timestamp,open,high,low,close,volume\nLSE,2021-01-04T15:00:00Z,1,1,1,1,1\n');
      writeFileSync(path.join(dir, 'b.csv'), 'ticker,timestamp,open,high,low,close,volume\nLSF,2021-01-04T15:00:00Z,1,1,1,1,1\n');
      const first = await runCli(['inject-csv', '--csv-dir', dir], { env: t.env() });
      expect(first.code, first.stderr).toBe(0);
      const runId = String((await rows(t, `SELECT run_id FROM barfill_runs ORDER BY started_at DESC LIMIT 1`))[0]?.['run_id']);
      const ofRun = `run_id = '${runId}'`;
      // The run ended: its lease was given up. Make it look in progress, held by a live process of this host (this test).
      expect(await rows(t, `SELECT run_id FROM barfill_run_leases WHERE ${ofRun}`)).toEqual([]);
      const hold = async (pid: number, host: string, ageSeconds: number): Promise<void> => {
        await target.exec(`DELETE FROM barfill_run_units WHERE ${ofRun} AND unit = 'b.csv'`);
        await target.exec(`DELETE FROM market_data WHERE ticker = 'LSF'`);
        await target.exec(`UPDATE barfill_runs SET outcome = 'running', finished_at = NULL WHERE ${ofRun}`);
        await target.exec(`INSERT INTO barfill_run_leases VALUES ('${runId}', ${pid}, '${host}', now() - interval '${ageSeconds} seconds')
                       ON CONFLICT (run_id) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, heartbeat_at = EXCLUDED.heartbeat_at`);
      };
      await hold(process.pid, hostname(), 0);
      const refused = await runCli(['inject-csv', '--resume', 'last'], { env: t.env() });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`--resume ${runId}: the run is in progress (held by pid ${process.pid} on ${hostname()}`);
      // Nothing redone, nothing overwritten: the original's record stands.
      expect(await rows(t, `SELECT outcome FROM barfill_runs WHERE ${ofRun}`)).toEqual([{ outcome: 'running' }]);
      expect(await rows(t, `SELECT unit FROM barfill_run_units WHERE ${ofRun}`)).toEqual([{ unit: 'a.csv' }]);
      // This host, a live pid, no heartbeat for a minute: still in progress (the pid decides on its own host).
      await hold(process.pid, hostname(), 60);
      expect((await runCli(['inject-csv', '--resume', 'last'], { env: t.env() })).code).toBe(2);
      // Another host's lease, renewed 5 s ago: live too.
      await hold(1, 'another-host', 5);
      expect((await runCli(['inject-csv', '--resume', 'last'], { env: t.env() })).code).toBe(2);

      // Same host, pid gone: taken over.
      const gone = 2_147_483_646; // above any pid_max: no such process
      await hold(gone, hostname(), 0);
      const resumed = await runCli(['inject-csv', '--resume', 'last'], { env: t.env() });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`resuming run ${runId}`);
      expect(await rows(t, `SELECT outcome FROM barfill_runs WHERE ${ofRun}`)).toEqual([{ outcome: 'success' }]);
      expect(await rows(t, `SELECT run_id FROM barfill_run_leases WHERE ${ofRun}`)).toEqual([]);
      // Another host, no heartbeat for 60 s: stale, taken over.
      await hold(1, 'another-host', 60);
      expect((await runCli(['inject-csv', '--resume', 'last'], { env: t.env() })).code).toBe(0);
    });

    it('a run whose --output-filename cannot be written is recorded failed (exit 1), not success', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
      const out = path.join(tempDir('out'), 'combined.csv');
      const requests = fake.stats.requests;
      const running = runCli(['specific', '--start', '040324', '--end', '040324', '--tickers', 'OUTF', '--output-filename', out, '--summary-json', '-'], { env });
      // While it fetches, a directory takes the destination's place: the combined CSV cannot be renamed over it.
      await waitFor(() => fake.stats.requests > requests, 'a request');
      mkdirSync(out);
      const r = await running;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot finish the file/);
      const runId = (JSON.parse(r.stdout) as { run_id: string }).run_id;
      expect(await rows(t, `SELECT outcome, finished_at IS NOT NULL AS f FROM barfill_runs WHERE run_id = '${runId}'`)).toEqual([{ outcome: 'failed', f: true }]);
    });

    it('--output-filename after an interrupt and --resume holds every ticker of the run; a double Ctrl-C leaves no temporary file', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
      const tickers = ['CSVA', 'CSVB', 'CSVC', 'CSVD', 'CSVE', 'CSVF'];
      const dir = tempDir('combined');
      const out = path.join(dir, 'all.csv');
      let pid = 0;
      let log = '';
      const first = runCli(['concurrent', '--start', '040324', '--end', '050324', '--interval', '5', '--threads', '2', '--tickers', ...tickers, '--output-filename', out, '--no-progress'], {
        env,
        onSpawn: (p) => (pid = p),
        onStderr: (x) => (log = x),
      });
      await waitFor(() => (log.match(/Inserted in/g) ?? []).length >= 2, 'two tickers');
      process.kill(pid, 'SIGINT');
      expect((await first).code).toBe(130);
      expect(readdirSync(dir)).toEqual([]);

      const resumed = await runCli(['concurrent', '--resume', 'last', '--summary-json', '-'], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      const s = JSON.parse(resumed.stdout) as { already_done: string[]; output_file: { rows: number } };
      expect(s.already_done.length).toBeGreaterThanOrEqual(2);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume');
      const byTicker = new Map<string, { t: number; close: number }[]>();
      for (const l of lines.slice(1)) {
        const f = l.split(',');
        const list = byTicker.get(f[0] ?? '') ?? [];
        list.push({ t: Date.parse(f[3] ?? ''), close: Number(f[7]) });
        byTicker.set(f[0] ?? '', list);
      }
      expect([...byTicker.keys()].sort()).toEqual([...tickers].sort());
      for (const tk of tickers) {
        const e = expectedBars(tk, 5, '2024-03-04', '2024-03-05');
        expect(byTicker.get(tk)?.map((r) => r.t), tk).toEqual(e.timestampMs);
        expect(byTicker.get(tk)?.map((r) => r.close), tk).toEqual(e.close);
      }
      expect(s.output_file.rows).toBe(lines.length - 1);

      // Two Ctrl-C: the process stops at once, and the combined CSV's temporary file goes with it.
      const dir2 = tempDir('combined2');
      let pid2 = 0;
      const requests = fake.stats.requests;
      const second = runCli(['concurrent', '--start', '040324', '--end', '050324', '--interval', '5', '--tickers', 'CSVX', 'CSVY', '--output-filename', path.join(dir2, 'x.csv'), '--no-progress'], {
        env,
        onSpawn: (p) => (pid2 = p),
      });
      await waitFor(() => fake.stats.requests > requests, 'a request');
      expect(readdirSync(dir2)).toHaveLength(1); // the temporary file
      process.kill(pid2, 'SIGINT');
      await new Promise((r) => setTimeout(r, 20)); // two signals, not one merged
      try {
        process.kill(pid2, 'SIGINT');
      } catch {
        // already stopped after the first: its graceful stop removed the file itself
      }
      expect((await second).code).toBe(130);
      expect(readdirSync(dir2)).toEqual([]);
    });

    // The embedded store holds one process at a time: only the server can have two barfill processes at once.
    if (engine === 'server') it('server: --resume last while the original run is still running exits 2 and leaves the original alone', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = tempDir('live');
      for (let f = 0; f < 6; f++) {
        const lines = ['ticker,timestamp,open,high,low,close,volume'];
        for (let i = 0; i < 20_000; i++) lines.push(`LIVE${f},${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString()},10,11,9,10.5,${i}`);
        writeFileSync(path.join(dir, `f${f}.csv`), `${lines.join('\n')}\n`);
      }
      let log = '';
      const original = runCli(['inject-csv', '--csv-dir', dir, '--threads', '1', '--no-progress'], { env: t.env(), onStderr: (x) => (log = x) });
      await waitFor(() => /Inserted in/.test(log), 'one file loaded');
      const runId = /run (\d{8}-\d{6}-[0-9a-f]{4})/.exec(log)?.[1] ?? '';
      const refused = await runCli(['inject-csv', '--resume', 'last', '--summary-json', '-'], { env: t.env() });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`--resume ${runId}: the run is in progress (held by pid`);
      expect(refused.stdout).toBe('');
      const o = await original;
      expect(o.code, o.stderr).toBe(0);
      expect(await rows(t, `SELECT outcome FROM barfill_runs WHERE run_id = '${runId}'`)).toEqual([{ outcome: 'success' }]);
      expect(await rows(t, `SELECT count(*)::int AS n FROM market_data WHERE ticker LIKE 'LIVE%'`)).toEqual([{ n: 6 * 20_000 }]);
    });
  });
}
