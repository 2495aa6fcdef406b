/**
 * Secrets never leak: every command runs at --log-level DEBUG with known
 * secret values in FMP_API_KEY (also from .env), CH_PASSWORD, PGPASSWORD and
 * a password inside DATABASE_URL, on success and failure paths (invalid key
 * 401, wrong ClickHouse password, connection refused), and stdout, stderr,
 * --summary-json, --output-filename and --reject-file are searched for each
 * secret as given, URL-encoded and JSON-escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runCli, tempDir, type CliResult } from '../e2e/cli.js';
import { serverPg, type PgTarget } from '../e2e/pg-target.js';
import { serverCh, type ChTarget } from '../e2e/ch-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { CORPUS_T0, CSV_HEADER, csvRow, writeGenericAt } from '../../test-support/corpus/bad-files.js';

const FMP_KEY = 'fmpS3cr3tKEY+v@lue/1';
const FMP_WRONG = 'fmpWr0ngS3cr3t+k/ey';
const DOTENV_KEY = 'dotenvS3cr3t=K3y&x';
const CH_PW = 'chS3cr3t p@ss/w0rd?&';
const PG_PW = 'pgS3cr3t-P@ss:w0rd';
const URL_PW = 'urlS3cr3t@p/ss#w%rd';
const ALL = [FMP_KEY, FMP_WRONG, DOTENV_KEY, CH_PW, PG_PW, URL_PW];

/** Every form a secret could take in output. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret).replace(/%20/g, '+')])];
}

/** Fails naming the secret and where it was found. */
function expectNoSecrets(where: string, text: string): void {
  for (const s of ALL) for (const f of forms(s)) expect(text.includes(f), `${where} contains ${JSON.stringify(f)}`).toBe(false);
}

function check(name: string, r: CliResult, files: readonly string[] = []): void {
  expectNoSecrets(`${name} stdout`, r.stdout);
  expectNoSecrets(`${name} stderr`, r.stderr);
  // At DEBUG the error boundary prints the stack: it is searched too (stderr).
  for (const f of files) if (existsSync(f)) expectNoSecrets(`${name} ${path.basename(f)}`, readFileSync(f, 'utf8'));
}

let fake: FakeFmp;
beforeAll(async () => {
  fake = await startFakeFmp({ validKeys: [FMP_KEY, DOTENV_KEY] });
});
afterAll(async () => {
  await fake.close();
});

describe('secrets against the PostgreSQL server and the fake FMP server', () => {
  let t: PgTarget | undefined;
  let env: NodeJS.ProcessEnv = {};
  const dir = tempDir('secrets-pg');
  beforeAll(async () => {
    t = await serverPg();
    if (t === undefined) return;
    const base = t.env();
    const u = new URL(base['DATABASE_URL'] ?? '');
    u.password = encodeURIComponent(URL_PW);
    env = { ...base, DATABASE_URL: u.toString(), PGPASSWORD: PG_PW, FMP_API_KEY: FMP_KEY, FMP_BASE_URL: fake.url, FMP_RATE_LIMIT: '6000' };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('migrate, specific, concurrent, inject-csv and query succeed (trust auth) and print no secret anywhere', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const out = path.join(dir, 'combined.csv'), sum = path.join(dir, 'summary.json'), rej = path.join(dir, 'rejects.csv');
    const m = await runCli(['migrate', 'postgres', '--log-level', 'DEBUG'], { env });
    expect(m.code, m.stderr).toBe(0);
    check('migrate', m);
    const s = await runCli(['specific', '--start', '070324', '--end', '080324', '--tickers', 'AAPL', '--output-filename', out, '--summary-json', sum, '--log-level', 'DEBUG'], { env });
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').length).toBeGreaterThan(700);
    check('specific', s, [out, sum]);
    const c = await runCli(['concurrent', '--start', '070324', '--end', '080324', '--tickers', 'AAPL', 'MSFT', '--threads', '2', '--on-conflict', 'ignore', '--summary-json', '-', '--log-level', 'DEBUG'], { env });
    expect(c.code, c.stderr).toBe(0);
    check('concurrent', c);
    const csvDir = tempDir('secrets-csv');
    writeFileSync(path.join(csvDir, 'a.csv'), `${CSV_HEADER}\n${csvRow('SECR', 0)}\n${csvRow('SECR', 1).replace('SECR', `BAD ${PG_PW}`)}\n`);
    const i = await runCli(['inject-csv', '--csv-dir', csvDir, '--reject-file', rej, '--summary-json', sum, '--log-level', 'DEBUG'], { env: { ...env, FMP_API_KEY: undefined } });
    expect(i.code).toBe(1); // one row rejected
    // The rejected row holds the password as DATA the user put in the file: the reject file must keep the row as it was.
    expect(readFileSync(rej, 'utf8')).toContain('BAD ');
    check('inject-csv', { ...i, stderr: i.stderr }, [sum]);
    const q = await runCli(['query', 'postgres', '--sql', 'SELECT current_user AS u', '--log-level', 'DEBUG'], { env });
    expect(q.code, q.stderr).toBe(0);
    check('query', q);
  });

  it('an invalid FMP key (401) fails with exit 1 and does not print the key', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const out = path.join(dir, 'c401.csv'), sum = path.join(dir, 's401.json');
    const r = await runCli(['specific', '--start', '070324', '--end', '070324', '--tickers', 'AAPL', '--output-filename', out, '--summary-json', sum, '--log-level', 'DEBUG'], { env: { ...env, FMP_API_KEY: FMP_WRONG } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/API key|401/i);
    check('specific 401', r, [out, sum]);
  });

  it('connection refused with a password in DATABASE_URL and PGPASSWORD: exit 1, no secret', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const refused = { ...env, DATABASE_URL: `postgres://postgres:${encodeURIComponent(URL_PW)}@127.0.0.1:1/db` };
    for (const args of [['migrate', 'postgres'], ['query', 'postgres', '--sql', 'SELECT 1'], ['inject-csv', '--csv-dir', tempDir('x')]]) {
      if (args[0] === 'inject-csv') writeFileSync(path.join(args[2] ?? '', 'a.csv'), `${CSV_HEADER}\n${csvRow('X', 0)}\n`);
      const r = await runCli([...args, '--log-level', 'DEBUG'], { env: refused });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/ECONNREFUSED|connect/i);
      check(`${args[0] ?? ''} refused`, r);
    }
  });
});

describe('FMP_API_KEY from .env (embedded PostgreSQL)', () => {
  it('a key read from .env works, and a wrong key from .env (401) is not printed either', async () => {
    const cwd = tempDir('secrets-dotenv');
    const env = cleanEnv({ BARFILL_HOME: path.join(cwd, 'home'), FMP_BASE_URL: fake.url, FMP_RATE_LIMIT: '6000' });
    writeFileSync(path.join(cwd, '.env'), `# the key\nFMP_API_KEY="${DOTENV_KEY}"\n`);
    const out = path.join(cwd, 'out.csv');
    const ok = await runCli(['specific', '--start', '070324', '--end', '070324', '--tickers', 'AAPL', '--dry-run', '--output-filename', out, '--log-level', 'DEBUG', '--summary-json', '-'], { env, cwd });
    expect(ok.code, ok.stderr).toBe(0);
    check('.env specific', ok, [out]);
    writeFileSync(path.join(cwd, '.env'), `FMP_API_KEY=${FMP_WRONG}\n`);
    const bad = await runCli(['concurrent', '--start', '070324', '--end', '070324', '--tickers', 'AAPL', 'MSFT', '--log-level', 'DEBUG', '--summary-json', '-'], { env, cwd });
    expect(bad.code).toBe(1);
    check('.env 401', bad);
  });
});

describe('CH_PASSWORD against the ClickHouse server (the default user has none: a wrong password)', () => {
  let t: ChTarget | undefined;
  beforeAll(async () => {
    t = await serverCh();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('backfill-1m, migrate and query fail with exit 1 and never print the password', async (ctx) => {
    if (t === undefined) return ctx.skip();
    const d = tempDir('secrets-ch');
    const file = await writeGenericAt(path.join(d, 'g.parquet'), 5);
    const rej = path.join(d, 'rej.csv');
    const env = t.env({ CH_PASSWORD: CH_PW });
    const iso = (ms: number): string => new Date(ms).toISOString();
    const runs: [string, string[]][] = [
      ['backfill-1m', ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(CORPUS_T0), '--end', iso(CORPUS_T0 + 3_600_000), '--parquet', file, '--reject-file', rej, '--log-level', 'DEBUG']],
      ['backfill-1m json', ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', iso(CORPUS_T0), '--end', iso(CORPUS_T0 + 3_600_000), '--parquet', file, '--report-format', 'json', '--log-level', 'DEBUG']],
      ['migrate', ['migrate', 'clickhouse', '--log-level', 'DEBUG']],
      ['query', ['query', 'clickhouse', '--sql', 'SELECT 1', '--log-level', 'DEBUG']],
    ];
    for (const [name, args] of runs) {
      const r = await runCli(args, { env });
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toMatch(/auth|password|Authentication/i);
      check(name, r, [rej]);
    }
    const refused = await runCli(['migrate', 'clickhouse', '--log-level', 'DEBUG'], { env: t.env({ CH_PASSWORD: CH_PW, CH_PORT: '1' }) });
    expect(refused.code).toBe(1);
    check('migrate refused', refused);
  });
});
