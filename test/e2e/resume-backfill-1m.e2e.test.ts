import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './cli.js';
import { embeddedCh, serverCh, type ChTarget } from './ch-target.js';
import { writeBinanceSpotParquet } from '../../test-support/parquet-fixtures.js';

const T0 = Date.UTC(2024, 1, 1);
const M = 60_000;
const FILES = 6;
const PER_FILE = 20_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const make of [async () => Promise.resolve(embeddedCh()), serverCh]) {
  describe('backfill-1m: SIGKILL part-way, then --resume', () => {
    let t: ChTarget | undefined;
    const dir = tempDir('resume-pq');
    beforeAll(async () => {
      t = await make();
      for (let f = 0; f < FILES; f++) {
        await writeBinanceSpotParquet(path.join(dir, `part-${f}.parquet`), { symbol: 'RESUSDT', startMs: T0 + f * PER_FILE * M, minutes: PER_FILE, writer: 'duckdb' });
      }
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('a killed run resumed ends with exactly one canonical row per minute, every file done', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const end = T0 + FILES * PER_FILE * M;
      const args = ['backfill-1m', '--market-id', '1', '--symbol', 'RESUSDT', '--start', iso(T0), '--end', iso(end), '--parquet', dir, '--batch-size', '1000', '--log-level', 'DEBUG', '--no-progress'];
      let pid = 0;
      let log = '';
      const killed = runCli(args, { env: t.env(), onSpawn: (p) => (pid = p), onStderr: (s) => (log = s) });
      await waitFor(() => (log.match(/batch written/g) ?? []).length >= 45, 'forty-five batches');
      process.kill(pid, 'SIGKILL');
      const k = await killed;
      expect(k.signal).toBe('SIGKILL');

      const resumed = await runCli(['backfill-1m', '--resume', 'last', '--report-format', 'json', '--read-threads', '2'], { env: t.env() });
      expect(resumed.code, resumed.stderr).toBe(0);
      const line = resumed.stderr.split('\n').find((l) => l.includes('"backfill-1m report"'));
      const report = (JSON.parse(line ?? '{}') as {
        report: { run_id: string; already_done?: string[]; outcome: string; candles_read: number; input_files: { path: string }[] };
      }).report;
      expect(report.outcome).toBe('success');
      expect(report.already_done?.length ?? 0).toBeGreaterThanOrEqual(1);
      expect(report.already_done?.length ?? 0).toBeLessThan(FILES);
      // The finished files are not read again: candles_read and input_files leave them out (FINAL would hide re-reads).
      const done = new Set(report.already_done);
      expect(report.input_files.filter((f) => done.has(f.path))).toEqual([]);
      expect(report.input_files).toHaveLength(FILES - done.size);
      expect(report.candles_read).toBe((FILES - done.size) * PER_FILE);

      const rows = await t.rows(`SELECT count() AS n, uniqExact(ts) AS u, min(ts) AS a, max(ts) AS b FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:RESUSDT'`);
      expect([Number(rows[0]?.['n']), Number(rows[0]?.['u'])]).toEqual([FILES * PER_FILE, FILES * PER_FILE]);
      const listed = await runCli(['runs', '--engine', 'clickhouse', '--format', 'json', '--last', '1'], { env: t.env() });
      expect(listed.code, listed.stderr).toBe(0);
      const run = (JSON.parse(listed.stdout) as { runs: { runId: string; outcome: string; units: { state: string }[] }[] }).runs[0]!;
      expect(run.runId).toBe(report.run_id);
      expect(run.outcome).toBe('success');
      expect(run.units).toHaveLength(FILES);
      expect(run.units.every((u) => u.state === 'done')).toBe(true);
    });

    it('a run that fails on its input (a missing path, a file that is not Parquet) is recorded failed, not left running', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const bad = path.join(tempDir('bad-pq'), 'bad.parquet');
      writeFileSync(bad, 'not parquet');
      for (const input of [path.join(dir, 'missing.parquet'), bad]) {
        const r = await runCli(['backfill-1m', '--market-id', '1', '--symbol', 'RESUSDT', '--start', iso(T0), '--end', iso(T0 + M), '--parquet', input, '--no-progress'], { env: t.env() });
        expect(r.code, r.stderr).not.toBe(0);
        const runId = /run (\d{8}-\d{6}-[0-9a-f]{4})/.exec(r.stderr)?.[1];
        expect(runId, r.stderr).toBeDefined();
        const listed = await runCli(['runs', '--engine', 'clickhouse', '--format', 'json', '--last', '1'], { env: t.env() });
        const run = (JSON.parse(listed.stdout) as { runs: { runId: string; outcome: string; finishedAtMs?: number }[] }).runs[0]!;
        expect(run.runId).toBe(runId);
        expect(run.outcome).toBe('failed');
        expect(run.finishedAtMs).toBeGreaterThan(0);
      }
    });
  });
}
