/**
 * Unwritable paths and a full disk for --output-filename, --reject-file and
 * BARFILL_HOME (tests run as root: a path under a regular FILE gives ENOTDIR;
 * a 64 KiB tmpfs gives ENOSPC). A clear error naming the path, exit 1 (a file
 * the run writes) or 2 (configuration), the database untouched or unaffected,
 * and no partial or temporary file left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../e2e/cli.js';
import { embeddedCh } from '../e2e/ch-target.js';
import { embeddedPg, serverPg, type PgTarget } from '../e2e/pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { requirePrerequisite } from '../../test-support/servers.js';
import { expectedBars } from '../../test-support/fake-fmp/data.js';
import { writeBinanceSpotParquet } from '../../test-support/parquet-fixtures.js';
import { hasStack, pgScalar, writeCsvFiles } from './support.js';

const T0 = Date.UTC(2024, 4, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('unwritable paths and a full disk', () => {
  const base = tempDir('unwritable');
  const aFile = path.join(base, 'plain-file');
  writeFileSync(aFile, 'not a directory\n');
  let t: PgTarget | undefined;
  let fake: FakeFmp;
  let full: string | undefined;

  beforeAll(async () => {
    t = await serverPg();
    fake = await startFakeFmp();
    const dir = path.join(base, 'tmpfs');
    mkdirSync(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      full = dir;
    } catch {
      full = undefined;
    }
  });
  afterAll(async () => {
    if (full !== undefined) execFileSync('umount', [full]);
    await fake.close();
    await t?.drop();
  });

  it('backfill-1m --reject-file under a regular file: exit 1 naming the path, nothing written', async () => {
    const ch = embeddedCh();
    const f = await writeBinanceSpotParquet(path.join(tempDir('uw-pq'), 'a.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: 30, invalidRows: [3] });
    const target = path.join(aFile, 'rejects.csv');
    const r = await runCli(['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(T0), '--end', iso(T0 + 1_800_000), '--parquet', f.path, '--reject-file', target], { env: ch.env() });
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toContain(`--reject-file ${target}`);
    expect(hasStack(r.stderr)).toBe(false);
    // Nothing was written: the run failed before it opened the store, so there is none to read.
    const q = await runCli(['query', 'clickhouse', '--sql', 'SELECT count() AS n FROM market_data.raw_binance_klines_1m'], { env: ch.env() });
    expect(q.code).toBe(1);
    expect(q.stderr).toContain('no embedded ClickHouse store (chDB) at');
  });

  it('BARFILL_HOME under a regular file: a configuration error naming the path (exit 2), for ClickHouse and PostgreSQL', async () => {
    const home = path.join(aFile, 'home');
    const f = await writeBinanceSpotParquet(path.join(tempDir('uw-pq2'), 'a.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: 10 });
    const ch = await runCli(['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(T0), '--end', iso(T0 + 600_000), '--parquet', f.path], { env: embeddedCh().env({ BARFILL_HOME: home }) });
    expect(ch.code, ch.stderr).toBe(2);
    expect(ch.stderr.trim().split('\n').at(-1)).toContain(path.join(home, 'clickhouse'));
    const csvDir = path.join(tempDir('uw-csv'), 'in');
    writeCsvFiles(csvDir, 1, 10);
    const pg = await runCli(['inject-csv', '--csv-dir', csvDir], { env: embeddedPg().env({ BARFILL_HOME: home }) });
    expect(pg.code, pg.stderr).toBe(2);
    expect(pg.stderr.trim().split('\n').at(-1)).toContain(path.join(home, 'pglite'));
    expect(hasStack(ch.stderr + pg.stderr)).toBe(false);
  });

  it('inject-csv --reject-file under a regular file: exit 1 naming the path before anything is written', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const csvDir = path.join(tempDir('uw-csv2'), 'in');
    writeCsvFiles(csvDir, 2, 10);
    const target = path.join(aFile, 'rej.csv');
    const before = await pgScalar(t, 'SELECT count(*) AS v FROM market_data');
    const r = await runCli(['inject-csv', '--csv-dir', csvDir, '--reject-file', target], { env: t.env() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toContain(`--reject-file ${target}`);
    expect(await pgScalar(t, 'SELECT count(*) AS v FROM market_data')).toBe(before);
  });

  it('specific --output-filename under a regular file: exit 1 naming the path, nothing fetched or written', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const target = path.join(aFile, 'out.csv');
    fake.resetStats();
    const r = await runCli(['specific', '--start', '040324', '--end', '040324', '--tickers', 'ZQX', '--output-filename', target], {
      env: t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key' }),
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toContain(`--output-filename ${target}`);
    expect(fake.stats.requests).toBe(0);
    // Nothing written (undefined: the table does not even exist yet in this fresh database).
    expect([0, undefined]).toContain(await pgScalar(t, "SELECT count(*) AS v FROM market_data WHERE ticker = 'ZQX'"));
  });

  it('--output-filename on a full disk (64 KiB tmpfs): exit 1 naming the path and ENOSPC, no file left; the database rows committed', async (ctx) => {
    if (t === undefined) return ctx.skip();
    if (full === undefined) {
      requirePrerequisite('a 64 KiB tmpfs for a full disk (mount -t tmpfs needs root)', false);
      return ctx.skip();
    }
    const target = path.join(full, 'combined.csv');
    const r = await runCli(['specific', '--start', '040324', '--end', '290324', '--tickers', 'FULLA', '--output-filename', target, '--summary-json', '-'], {
      env: t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '60000' }),
    });
    expect(r.code, r.stderr).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(last).toContain(`--output-filename ${target}`);
    expect(last).toMatch(/ENOSPC|no space left/i);
    expect(hasStack(r.stderr)).toBe(false);
    // No partial output, no temporary file.
    expect(readdirSync(full)).toEqual([]);
    // The database writes are unaffected: the ticker committed in full.
    const want = expectedBars('FULLA', 1, '2024-03-04', '2024-03-29').timestampMs.length;
    expect(await pgScalar(t, "SELECT count(*) AS v FROM market_data WHERE ticker = 'FULLA'")).toBe(want);
    // The summary still appears (and says the export failed).
    expect(r.stderr).toMatch(/Summary: tickers=1 inserted=\d+ skipped=0 elapsed=/);
    expect(JSON.parse(r.stdout)).toMatchObject({ inserted: want, output_error: expect.stringContaining('ENOSPC') as unknown });
  });
});
