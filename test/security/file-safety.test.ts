/**
 * Files barfill writes (--output-filename, --reject-file, --summary-json) are
 * created with mode 0644 and never follow a symlink planted at the
 * destination: the victim file is unchanged and the destination becomes a
 * regular file. Runs under umask 022 and 077 (the CLI is started by `sh -c
 * 'umask ...; exec node ...'`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binPath, cleanEnv, repoRoot, tempDir, type CliResult } from '../e2e/cli.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { CORPUS_T0, CSV_HEADER, csvRow, writeGenericAt } from '../../test-support/corpus/bad-files.js';

function runWithUmask(umask: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, binPath, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => { resolve({ code, signal, stdout, stderr }); });
  });
}

const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);

let fake: FakeFmp;
beforeAll(async () => {
  fake = await startFakeFmp();
});
afterAll(async () => {
  await fake.close();
});

for (const umask of ['022', '077']) {
  describe(`files written by barfill under umask ${umask}`, () => {
    it('--output-filename and --summary-json (specific), --reject-file and --summary-json (inject-csv), --reject-file (backfill-1m): mode 0644', async () => {
      const d = tempDir('fmode');
      const env = cleanEnv({ BARFILL_HOME: path.join(d, 'home'), FMP_API_KEY: 'test-key', FMP_BASE_URL: fake.url, FMP_RATE_LIMIT: '6000' });
      const out = path.join(d, 'combined.csv'), s1 = path.join(d, 's1.json');
      const r1 = await runWithUmask(umask, ['specific', '--start', '070324', '--end', '070324', '--tickers', 'AAPL', '--dry-run', '--output-filename', out, '--summary-json', s1], env);
      expect(r1.code, r1.stderr).toBe(0);
      const csvDir = path.join(d, 'csv');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(csvDir);
      writeFileSync(path.join(csvDir, 'a.csv'), `${CSV_HEADER}\n${csvRow('MODE', 0)}\nbad row\n`);
      const rej = path.join(d, 'rej.csv'), s2 = path.join(d, 's2.json');
      const r2 = await runWithUmask(umask, ['inject-csv', '--csv-dir', csvDir, '--reject-file', rej, '--summary-json', s2], env);
      expect(r2.code, r2.stderr).toBe(1);
      const pq = await writeGenericAt(path.join(d, 'g.parquet'), 3);
      const rej2 = path.join(d, 'rej2.csv');
      const r3 = await runWithUmask(umask, ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', new Date(CORPUS_T0).toISOString(), '--end', new Date(CORPUS_T0 + 3_600_000).toISOString(), '--parquet', pq, '--reject-file', rej2], env);
      expect(r3.code, r3.stderr).toBe(0);
      expect({ out: mode(out), s1: mode(s1), rej: mode(rej), s2: mode(s2), rej2: mode(rej2) }).toEqual({ out: '644', s1: '644', rej: '644', s2: '644', rej2: '644' });
    });
  });
}

describe('a symlink planted at a destination is replaced, never followed', () => {
  it('--output-filename, --summary-json and --reject-file leave the victim untouched and are regular files', async () => {
    const d = tempDir('symlink');
    const victimDir = tempDir('victim');
    const env = cleanEnv({ BARFILL_HOME: path.join(d, 'home'), FMP_API_KEY: 'test-key', FMP_BASE_URL: fake.url, FMP_RATE_LIMIT: '6000' });
    const victims: string[] = [];
    const plant = (dest: string): void => {
      const victim = path.join(victimDir, `victim-${victims.length}.txt`);
      writeFileSync(victim, 'precious\n', { mode: 0o600 });
      symlinkSync(victim, dest);
      victims.push(victim);
    };
    const out = path.join(d, 'combined.csv'), s1 = path.join(d, 's1.json');
    plant(out);
    plant(s1);
    const r1 = await runWithUmask('022', ['specific', '--start', '070324', '--end', '070324', '--tickers', 'AAPL', '--dry-run', '--output-filename', out, '--summary-json', s1], env);
    expect(r1.code, r1.stderr).toBe(0);
    const csvDir = path.join(d, 'csv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(csvDir);
    writeFileSync(path.join(csvDir, 'a.csv'), `${CSV_HEADER}\n${csvRow('LINK', 0)}\nbad row\n`);
    const rej = path.join(d, 'rej.csv'), s2 = path.join(d, 's2.json');
    plant(rej);
    plant(s2);
    const r2 = await runWithUmask('022', ['inject-csv', '--csv-dir', csvDir, '--reject-file', rej, '--summary-json', s2], env);
    expect(r2.code, r2.stderr).toBe(1);
    for (const v of victims) {
      expect(readFileSync(v, 'utf8')).toBe('precious\n');
      expect(mode(v)).toBe('600');
    }
    for (const f of [out, s1, rej, s2]) {
      expect(lstatSync(f).isSymbolicLink(), f).toBe(false);
      expect(lstatSync(f).isFile(), f).toBe(true);
    }
    expect(readFileSync(out, 'utf8')).toMatch(/^ticker,exchange,interval_minutes,timestamp/);
    expect(readFileSync(rej, 'utf8')).toMatch(/^file,row,reason,detail,values\na\.csv,3,/);
    expect(JSON.parse(readFileSync(s2, 'utf8')) as Record<string, unknown>).toMatchObject({ command: 'inject-csv', rejected: 1 });
  });
});
