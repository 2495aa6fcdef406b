/**
 * Installed as a package, barfill works: `npm pack` of this checkout, then
 * `npm install -g` of the tarball into a temporary prefix, then the installed
 * `barfill` from a temporary working directory (no checkout, no configs/, no
 * examples/ there): help, the README's sample backfill into chDB, query,
 * migrate postgres (PGlite), inject-csv of the shipped CSV examples, runs, gaps.
 *
 * `npm test` builds dist/ first; the pack here skips `prepare` (it would rebuild
 * dist/ under the other test files running it) and checks that dist/ is in the
 * tarball: installing it must not need a build. The install prefers npm's cache
 * (`--prefer-offline`) and fetches only what the cache lacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, repoRoot, tempDir } from './cli.js';

const run = promisify(execFile);

/** npm without the settings `npm test` passes down (npm_config_*), so the prefix and scripts are only ours. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env['PATH'] = `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`;
  return env;
}

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', [...args], { cwd, env: npmEnv(), timeout: 540_000, maxBuffer: 16 << 20 });
  return stdout;
}

describe('installed from the packed tarball (npm install -g into a temporary prefix)', () => {
  const work = tempDir('pkg');
  const prefix = path.join(work, 'prefix');
  const home = tempDir('pkg-home');
  const cwd = tempDir('pkg-cwd');
  let bin = '';
  let examples = '';

  beforeAll(async () => {
    const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot)) as { filename: string; files: { path: string }[] }[];
    const files = new Set(packed[0]?.files.map((f) => f.path));
    for (const f of ['dist/apps/cli/main/bin.js', 'examples/BTCUSDT-1m-sample.parquet', 'examples/csv/nvda_1min_epoch_ms.csv', 'configs/dev/market_data.yaml', 'migrations/clickhouse/0001_ref_market.sql']) {
      expect(files.has(f), `${f} is in the tarball`).toBe(true);
    }
    const tarball = path.join(work, packed[0]?.filename ?? '');
    await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], work);
    bin = path.join(prefix, 'bin', 'barfill');
    examples = path.join(prefix, 'lib', 'node_modules', 'barfill', 'examples');
  }, 600_000);

  // The install holds the engines (chDB is about 550 MB): removed once the test is done.
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  async function barfill(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    const env = cleanEnv({ BARFILL_HOME: home, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}` });
    return run(bin, [...args], { cwd, env, timeout: 180_000, maxBuffer: 16 << 20 });
  }

  it('--help names the shipped samples; the sample backfill, query, migrate, inject-csv, runs and gaps all work from another directory', async () => {
    const help = await barfill(['--help']);
    expect(help.stdout).toContain(`Samples shipped with barfill: ${examples}`);
    expect(existsSync(path.join(examples, 'BTCUSDT-1m-sample.parquet'))).toBe(true);

    const range = ['--start', '2024-10-01T00:00:00Z', '--end', '2024-10-04T00:00:00Z'];
    const load = await barfill(['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', ...range, '--parquet', path.join(examples, 'BTCUSDT-1m-sample.parquet'), '--no-progress']);
    expect(load.stderr).toContain('rows written:    4320');
    const q = await barfill(['query', 'clickhouse', '--sql', 'SELECT count() AS n FROM market_data.canonical_candles_1m FINAL']);
    expect(JSON.parse(q.stdout)).toEqual({ n: 4320 });

    const m = await barfill(['migrate', 'postgres']);
    expect(m.stderr).toContain('applied 0001_market_data');
    const csv = await barfill(['inject-csv', '--csv-dir', path.join(examples, 'csv'), '--no-progress', '--summary-json', '-']);
    expect(JSON.parse(csv.stdout)).toMatchObject({ inserted: 924 });

    const runs = JSON.parse((await barfill(['runs', '--format', 'json'])).stdout) as { runs: { command: string; outcome: string }[] };
    expect(runs.runs.map((r) => [r.command, r.outcome]).sort()).toEqual([['backfill-1m', 'success'], ['inject-csv', 'success']]);
    const gaps = JSON.parse((await barfill(['gaps', '--market-id', '1', '--symbol', 'BTCUSDT', ...range, '--format', 'json'])).stdout) as unknown;
    expect(gaps).toMatchObject({ series: [{ series: 'binance:spot:BTCUSDT', expected: 4320, present: 4320, missing: 0 }] });
    expect(readdirSync(cwd)).toEqual([]);
  }, 300_000);
});
