import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runCli, tempDir } from './cli.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';

const examples = path.join(repoRoot, 'examples/csv');

async function query(t: PgTarget, sql: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['query', 'postgres', '--sql', sql], { env: t.env() });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function summaryOf(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

for (const make of [async () => Promise.resolve(embeddedPg()), serverPg]) {
  describe('inject-csv end to end', () => {
    let target: PgTarget | undefined;
    beforeAll(async () => {
      target = await make();
    });
    afterAll(async () => {
      await target?.drop();
    });

    it('loads the sample directory, then a rerun with ignore skips every row, and fail rolls back', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const t = target;
      const first = await runCli(['inject-csv', '--csv-dir', examples, '--threads', '3', '--summary-json', '-'], { env: t.env() });
      expect(first.stderr).toMatch(/\[combined_aapl_msft_1min\.csv\] Inserted in [\d.]+s \(ins=300 skip=0\)/);
      expect(first.stderr).toMatch(/\[nvda_1min_epoch_ms\.csv\] Inserted in [\d.]+s \(ins=390 skip=0\)/);
      expect(first.stderr).toMatch(/\[msft_5min_2024-03-11_13\.csv\.gz\] Inserted in [\d.]+s \(ins=234 skip=0\)/);
      expect(first.stderr).toMatch(/Summary: files=3 inserted=924 skipped=0 elapsed=\d+:\d\d:\d\d/);
      expect(first.code).toBe(0);
      expect(summaryOf(first.stdout)).toMatchObject({ command: 'inject-csv', inserted: 924, skipped: 0, failed: 0, rejected: 0 });

      const rows = await query(t, `SELECT ticker, interval_minutes, count(*)::int AS n, min("timestamp") AS first FROM market_data GROUP BY 1, 2 ORDER BY 1, 2`);
      expect(rows.map((r) => [r['ticker'], r['interval_minutes'], r['n']])).toEqual([
        ['AAPL', 1, 150],
        ['MSFT', 1, 150],
        ['MSFT', 5, 234],
        ['NVDA', 1, 390],
      ]);
      const nvda = await query(t, `SELECT exchange, to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS ts FROM market_data WHERE ticker = 'NVDA' ORDER BY "timestamp" LIMIT 1`);
      expect(nvda[0]).toEqual({ exchange: 'NASDAQ', ts: '2024-03-08T14:30' });

      const again = await runCli(['inject-csv', '--csv-dir', examples, '--on-conflict', 'ignore', '--summary-json', '-'], { env: t.env() });
      expect(again.code).toBe(0);
      expect(summaryOf(again.stdout)).toMatchObject({ inserted: 0, skipped: 924, failed: 0 });
      expect(again.stderr).toMatch(/Summary: files=3 inserted=0 skipped=924/);

      const fail = await runCli(['inject-csv', '--csv-dir', examples], { env: t.env() });
      expect(fail.code).toBe(1);
      expect(fail.stderr).toMatch(/Failed: .*23505/);
      expect(fail.stderr).toMatch(/Summary: files=3 inserted=0 skipped=0 failed=3/);
      const count = await query(t, 'SELECT count(*)::int AS n FROM market_data');
      expect(count[0]?.['n']).toBe(924);
    });

    it('rejects malformed rows with file, line and reason, loads the valid ones, and exits 1', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const dir = tempDir('badcsv');
      writeFileSync(
        path.join(dir, 'bad.csv'),
        [
          'ticker,timestamp,open,high,low,close,volume',
          'ZZBAD,2024-05-01T14:30:00Z,10,11,9,10.5,100',
          'ZZBAD,not-a-time,10,11,9,10.5,100',
          'ZZBAD,2024-05-01T14:32:00Z,10,11,9,abc,100',
          'ZZBAD,2024-05-01T14:33:00Z,10,9,11,10,100',
          'ZZBAD,2024-05-01T14:35:00Z,10,11,9,10.5,100',
          '',
        ].join('\n'),
      );
      const rejects = path.join(tempDir('rej'), 'rejects.csv');
      const r = await runCli(['inject-csv', '--csv-dir', dir, '--reject-file', rejects, '--interval', '5'], { env: target.env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\[bad\.csv\] line 3 rejected/);
      expect(r.stderr).toMatch(/\[bad\.csv\] line 4 rejected/);
      expect(r.stderr).toMatch(/\[bad\.csv\] line 5 rejected/);
      expect(r.stderr).toMatch(/ins=2 skip=0 rejected=3/);
      const rej = readFileSync(rejects, 'utf8').trim().split('\n');
      expect(rej).toHaveLength(4);
      expect(rej.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['bad.csv,3', 'bad.csv,4', 'bad.csv,5']);
      const rows = await query(target, `SELECT count(*)::int AS n FROM market_data WHERE ticker = 'ZZBAD' AND interval_minutes = 5`);
      expect(rows[0]?.['n']).toBe(2);
    });

    it('--on-conflict update replaces changed bars with exact ins/upd/skip', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const dir = tempDir('upsert');
      const line = (i: number, close: number): string => `ZZUPD,${new Date(Date.UTC(2024, 4, 2, 14, 30 + i)).toISOString()},10,20,1,${close},100`;
      const header = 'ticker,timestamp,open,high,low,close,volume';
      writeFileSync(path.join(dir, 'u.csv'), [header, ...Array.from({ length: 10 }, (_, i) => line(i, 10))].join('\n') + '\n');
      const first = await runCli(['inject-csv', '--csv-dir', dir, '--on-conflict', 'update'], { env: target.env() });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/\[u\.csv\] Inserted in [\d.]+s \(ins=10 upd=0 skip=0\)/);
      // Three closes changed at the source, two new bars.
      const next = Array.from({ length: 12 }, (_, i) => line(i, i === 2 || i === 5 || i === 7 ? 11.5 : 10));
      writeFileSync(path.join(dir, 'u.csv'), [header, ...next].join('\n') + '\n');
      const second = await runCli(['inject-csv', '--csv-dir', dir, '--on-conflict', 'update', '--summary-json', '-'], { env: target.env() });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/\(ins=2 upd=3 skip=7\)/);
      expect(second.stderr).toMatch(/Summary: files=1 inserted=2 updated=3 skipped=7/);
      expect(summaryOf(second.stdout)).toMatchObject({ inserted: 2, updated: 3, skipped: 7, on_conflict: 'update' });
      const rows = await query(target, `SELECT count(*)::int AS n, sum(close)::float8 AS c FROM market_data WHERE ticker = 'ZZUPD'`);
      expect(rows[0]).toEqual({ n: 12, c: 9 * 10 + 3 * 11.5 });
    });

    it('dry run writes nothing', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const dir = tempDir('dry');
      mkdirSync(path.join(dir, 'sub'));
      writeFileSync(path.join(dir, 'sub', 'x.csv'), 'ticker,timestamp,open,high,low,close,volume\nZZDRY,2024-05-01T14:30:00Z,1,1,1,1,1\n');
      const r = await runCli(['inject-csv', '--csv-dir', dir, '--dry-run'], { env: target.env() });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/\[sub\/x\.csv\] Dry run: 1 bars \(not written\)/);
      const rows = await query(target, `SELECT count(*)::int AS n FROM market_data WHERE ticker = 'ZZDRY'`);
      expect(rows[0]?.['n']).toBe(0);
    });

    it('an empty directory is a usage error', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const r = await runCli(['inject-csv', '--csv-dir', tempDir('empty')], { env: target.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no \*\.csv or \*\.csv\.gz files found/);
    });

    it('--on-conflict update with overlapping files: the later file (path order) wins, whatever --threads', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const t = target;
      const header = 'ticker,timestamp,open,high,low,close,volume';
      const t0 = Date.UTC(2022, 0, 3, 15);
      // a.csv is long and b.csv short: without ordered commits, b would commit first and a's values would win.
      for (const threads of ['1', '4']) {
        const k = `OVL${threads}`;
        const big = [header];
        for (let i = 0; i < 60_000; i++) big.push(`OVLA${threads},${new Date(t0 + i * 60_000).toISOString()},1,1,1,1,1`);
        big.push(`${k},${new Date(t0).toISOString()},1,1,1,1,1`, `${k},${new Date(t0 + 60_000).toISOString()},1,1,1,1,1`);
        const dir = tempDir('overlap');
        writeFileSync(path.join(dir, 'a.csv'), `${big.join('\n')}\n`);
        writeFileSync(path.join(dir, 'b.csv'), `${header}\n${k},${new Date(t0).toISOString()},2,2,2,2,2\n`);
        const r = await runCli(['inject-csv', '--csv-dir', dir, '--threads', threads, '--on-conflict', 'update', '--summary-json', '-'], { env: t.env() });
        expect(r.code, r.stderr).toBe(0);
        const stored = await query(t, `SELECT "timestamp", close FROM market_data WHERE ticker = '${k}' ORDER BY 1`);
        expect(stored, `--threads ${threads}`).toEqual([
          { timestamp: new Date(t0).toISOString(), close: 2 },
          { timestamp: new Date(t0 + 60_000).toISOString(), close: 1 },
        ]);
        const results = (summaryOf(r.stdout) as { results: { name: string; inserted: number; updated: number }[] }).results;
        expect(results.map((x) => [x.name, x.inserted, x.updated])).toEqual([['a.csv', 60_002, 0], ['b.csv', 0, 1]]);
      }
    });

    it('bars off the interval grid are rejected with their line and reason (--interval, and a file\'s interval_minutes column)', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const dir = tempDir('grid');
      writeFileSync(
        path.join(dir, 'flag.csv'),
        ['ticker,timestamp,open,high,low,close,volume', 'GRIDA,2024-05-01T14:30:00Z,1,1,1,1,1', 'GRIDA,2024-05-01T14:31:00Z,1,1,1,1,1', 'GRIDA,2024-05-01T14:35:00Z,1,1,1,1,1', ''].join('\n'),
      );
      writeFileSync(
        path.join(dir, 'column.csv'),
        [
          'ticker,interval_minutes,timestamp,open,high,low,close,volume',
          'GRIDB,15,2024-05-01T14:45:00Z,1,1,1,1,1',
          'GRIDB,15,2024-05-01T14:50:00Z,1,1,1,1,1',
          'GRIDB,60,2024-05-01T14:30:00Z,1,1,1,1,1',
          'GRIDB,60,2024-05-01T15:00:00Z,1,1,1,1,1',
          'GRIDB,1,2024-05-01T15:01:00Z,1,1,1,1,1',
          '',
        ].join('\n'),
      );
      const rejects = path.join(tempDir('rej'), 'rejects.csv');
      const r = await runCli(['inject-csv', '--csv-dir', dir, '--interval', '5', '--reject-file', rejects], { env: target.env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[flag.csv] line 3 rejected: off_interval_grid: 2024-05-01T14:31:00Z is not on the 5-minute grid');
      expect(r.stderr).toContain('[column.csv] line 3 rejected: off_interval_grid: 2024-05-01T14:50:00Z is not on the 15-minute grid');
      expect(r.stderr).toContain('[column.csv] line 5 rejected: off_interval_grid: 2024-05-01T15:00:00Z is not on the 60-minute grid');
      const rej = readFileSync(rejects, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 3).join(','));
      expect(rej.sort()).toEqual(['column.csv,3,off_interval_grid', 'column.csv,5,off_interval_grid', 'flag.csv,3,off_interval_grid']);
      const rows = await query(target, `SELECT ticker, interval_minutes AS i, "timestamp" FROM market_data WHERE ticker LIKE 'GRID%' ORDER BY 1, 2, 3`);
      expect(rows.map((x) => `${String(x['ticker'])} ${String(x['i'])} ${String(x['timestamp'])}`)).toEqual([
        'GRIDA 5 2024-05-01T14:30:00.000Z',
        'GRIDA 5 2024-05-01T14:35:00.000Z',
        'GRIDB 1 2024-05-01T15:01:00.000Z',
        'GRIDB 15 2024-05-01T14:45:00.000Z',
        'GRIDB 60 2024-05-01T14:30:00.000Z',
      ]);
    });

    it('a bar twice in one file: under fail the file fails naming both lines; ignore keeps the first, update the last', async (ctx) => {
      if (target === undefined) return ctx.skip();
      const lines = (tk: string): string =>
        [
          'ticker,timestamp,open,high,low,close,volume',
          `${tk},2024-05-01T14:30:00Z,1,1,1,1,1`,
          `${tk},2024-05-01T14:31:00Z,1,1,1,1,1`,
          `${tk},2024-05-01T14:30:00Z,3,3,3,3,3`,
          '',
        ].join('\n');
      const dir = tempDir('dup');
      writeFileSync(path.join(dir, 'dup.csv'), lines('DUPF'));
      const r = await runCli(['inject-csv', '--csv-dir', dir], { env: target.env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        '[dup.csv] Failed: duplicate bar in dup.csv: lines 2 and 4 both hold ticker=DUPF, interval_minutes=1, timestamp=2024-05-01T14:30:00Z',
      );
      expect(r.stderr).not.toContain('already exists in market_data');
      expect(await query(target, `SELECT count(*)::int AS n FROM market_data WHERE ticker = 'DUPF'`)).toEqual([{ n: 0 }]);
      for (const [mode, tk, close, counts] of [['ignore', 'DUPI', 1, 'ins=2 skip=1'], ['update', 'DUPU', 3, 'ins=2 upd=0 skip=1']] as const) {
        const d = tempDir('dup');
        writeFileSync(path.join(d, 'dup.csv'), lines(tk));
        const m = await runCli(['inject-csv', '--csv-dir', d, '--on-conflict', mode], { env: target.env() });
        expect(m.code, m.stderr).toBe(0);
        expect(m.stderr).toContain(`[dup.csv] Inserted in`);
        expect(m.stderr).toContain(counts);
        expect(await query(target, `SELECT close FROM market_data WHERE ticker = '${tk}' AND "timestamp" = '2024-05-01T14:30:00Z'`)).toEqual([{ close }]);
      }
    });
  });
}
