/**
 * barfill works from any directory: every run here has a fresh temporary
 * working directory that is not the checkout (no configs/, no examples/, no
 * .barfill), as a user's shell would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, repoRoot, runCli, tempDir } from './cli.js';
import { embeddedCh, serverCh, type ChTarget } from './ch-target.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';

const SAMPLE = path.join(repoRoot, 'examples/BTCUSDT-1m-sample.parquet');
const SAMPLE_ROWS = 3 * 1440;
const CSV = path.join(repoRoot, 'examples/csv');
const START = '2024-10-01T00:00:00Z';
const END = '2024-10-04T00:00:00Z';
const sampleArgs = (parquet: string): string[] => ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', START, '--end', END, '--parquet', parquet, '--no-progress'];

function countOf(stdout: string): number {
  return Number((JSON.parse(stdout.trim()) as { n: unknown }).n);
}

describe('the embedded stores live in one place per user', () => {
  it('without BARFILL_HOME: $XDG_DATA_HOME/barfill, the same store from every directory, named in the log', async () => {
    const xdg = tempDir('xdg');
    const env = cleanEnv({ HOME: tempDir('home'), XDG_DATA_HOME: xdg });
    const load = await runCli(sampleArgs(SAMPLE), { env, cwd: tempDir('cwd-a') });
    expect(load.code, load.stderr).toBe(0);
    const store = path.join(xdg, 'barfill', 'clickhouse');
    expect(load.stderr).toContain(`writing to embedded ClickHouse (chDB) at ${store}`);
    const other = tempDir('cwd-b');
    const q = await runCli(['query', 'clickhouse', '--sql', 'SELECT count() AS n FROM market_data.canonical_candles_1m FINAL'], { env, cwd: other });
    expect(q.code, q.stderr).toBe(0);
    expect(countOf(q.stdout)).toBe(SAMPLE_ROWS);
    expect(readdirSync(other)).toEqual([]);
  });

  it('without BARFILL_HOME nor XDG_DATA_HOME: ~/.local/share/barfill; BARFILL_HOME still overrides (relative to the working directory)', async () => {
    const home = tempDir('home');
    const cwd = tempDir('cwd');
    const m = await runCli(['migrate', 'postgres'], { env: cleanEnv({ HOME: home, XDG_DATA_HOME: undefined }), cwd });
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain(path.join(home, '.local/share/barfill/pglite'));
    expect(existsSync(path.join(home, '.local/share/barfill/pglite'))).toBe(true);
    const o = await runCli(['migrate', 'postgres'], { env: cleanEnv({ HOME: home, XDG_DATA_HOME: undefined, BARFILL_HOME: 'mine' }), cwd });
    expect(o.code, o.stderr).toBe(0);
    expect(existsSync(path.join(cwd, 'mine', 'pglite'))).toBe(true);
  });
});

for (const make of [async () => Promise.resolve(embeddedCh()), serverCh]) {
  describe('the market config is found from any directory', () => {
    let t: ChTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('without --config and no configs/ here: the shipped copy (named at DEBUG); a local default wins; an explicit missing --config is exit 2', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const cwd = tempDir('cfg');
      const load = await runCli([...sampleArgs(SAMPLE), '--log-level', 'DEBUG'], { env: t.env(), cwd });
      expect(load.code, load.stderr).toBe(0);
      expect(load.stderr).toContain(`market config: ${path.join(repoRoot, 'configs/dev/market_data.yaml')} (shipped with barfill`);
      const gaps = await runCli(['gaps', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', START, '--end', END, '--format', 'json'], { env: t.env(), cwd });
      expect(gaps.code, gaps.stderr).toBe(0);
      expect(JSON.parse(gaps.stdout)).toMatchObject({ series: [{ series: 'binance:spot:BTCUSDT', missing: 0 }] });

      // A configs/dev/market_data.yaml in the working directory is the default's first choice.
      mkdirSync(path.join(cwd, 'configs/dev'), { recursive: true });
      writeFileSync(path.join(cwd, 'configs/dev/market_data.yaml'), 'markets:\n  1: { venue: localvenue, market_type: spot }\n');
      const local = await runCli(['gaps', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', START, '--end', END, '--format', 'json'], { env: t.env(), cwd });
      expect(local.code, local.stderr).toBe(0);
      expect(JSON.parse(local.stdout)).toMatchObject({ series: [{ series: 'localvenue:spot:BTCUSDT' }] });

      const missing = await runCli([...sampleArgs(SAMPLE), '--config', 'nope.yaml'], { env: t.env(), cwd: tempDir('cfg2') });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('nope.yaml');
    });

    it('--resume from another directory reads the same (relative) --parquet files', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const cwd = tempDir('res-a');
      mkdirSync(path.join(cwd, 'data'));
      const file = path.join(cwd, 'data', 'sample.parquet');
      writeFileSync(file, 'not parquet');
      const failed = await runCli(sampleArgs('data'), { env: t.env(), cwd });
      expect(failed.code, failed.stderr).toBe(1);
      copyFileSync(SAMPLE, file);
      const resumed = await runCli(['backfill-1m', '--resume', 'last', '--no-progress'], { env: t.env(), cwd: tempDir('res-b') });
      expect(resumed.code, resumed.stderr).toBe(0);
      const rows = await t.rows(`SELECT count() AS n FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:BTCUSDT'`);
      expect(Number(rows[0]?.['n'])).toBe(SAMPLE_ROWS);
    });
  });
}

for (const make of [async () => Promise.resolve(embeddedPg()), serverPg]) {
  describe('inject-csv --resume from another directory', () => {
    let t: PgTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('reads the same (relative) --csv-dir and writes the same (relative) --reject-file', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const cwd = tempDir('csv-a');
      mkdirSync(path.join(cwd, 'csv'));
      copyFileSync(path.join(CSV, 'nvda_1min_epoch_ms.csv'), path.join(cwd, 'csv', 'a.csv'));
      writeFileSync(path.join(cwd, 'csv', 'b.csv'), 'foo,bar\n1,2\n');
      const first = await runCli(['inject-csv', '--csv-dir', 'csv', '--reject-file', 'rejects.csv', '--no-progress'], { env: t.env(), cwd });
      expect(first.stderr).toContain('[b.csv] Failed');
      copyFileSync(path.join(CSV, 'combined_aapl_msft_1min.csv'), path.join(cwd, 'csv', 'b.csv'));
      const elsewhere = tempDir('csv-b');
      const resumed = await runCli(['inject-csv', '--resume', 'last', '--summary-json', '-'], { env: t.env(), cwd: elsewhere });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/\[b\.csv\] Inserted .*ins=\d+/);
      expect(resumed.stderr).not.toContain('[a.csv] Inserted');
      expect(existsSync(path.join(cwd, 'rejects.csv'))).toBe(true);
      expect(readdirSync(elsewhere)).toEqual([]);
    });
  });
}

describe('reading never creates a store', () => {
  const readers: [string, string[], string][] = [
    ['query clickhouse', ['query', 'clickhouse', '--sql', 'SELECT 1'], 'clickhouse'],
    ['query postgres', ['query', 'postgres', '--sql', 'SELECT 1'], 'pglite'],
    ['gaps (crypto)', ['gaps', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', START, '--end', END], 'clickhouse'],
    ['gaps (equities)', ['gaps', '--tickers', 'AAPL', '--start', '040324', '--end', '050324'], 'pglite'],
    ['runs --engine clickhouse', ['runs', '--engine', 'clickhouse'], 'clickhouse'],
    ['runs --engine postgres', ['runs', '--engine', 'postgres'], 'pglite'],
    ['runs', ['runs'], ''],
  ];
  for (const [name, args, store] of readers) {
    it(`${name} on a store that does not exist: exit 1, names the path and the way out, creates nothing`, async () => {
      const parent = tempDir('nostore');
      const home = path.join(parent, 'store');
      const cwd = tempDir('cwd');
      const r = await runCli(args, { env: cleanEnv({ BARFILL_HOME: home }), cwd });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(path.join(home, store));
      expect(r.stderr).toContain('BARFILL_HOME');
      expect(r.stderr).toMatch(/CH_HOST|DATABASE_URL/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(parent)).toEqual([]);
      expect(readdirSync(cwd)).toEqual([]);
    });
  }
});
