/**
 * ClickHouse faults, end to end with the built CLI against a private server
 * (own ports, own data): SIGKILL mid-backfill and restart within the retry
 * budget; down beyond the budget, then a rerun; refused connections, bad
 * credentials, unknown database. Canonical FINAL must end with one row per minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, type CliResult } from '../e2e/cli.js';
import { writeBinanceSpotParquet, type FixtureResult } from '../../test-support/parquet-fixtures.js';
import { clickhouseServerInstalled, freePort, ownClickHouse, type OwnClickHouse } from './ch-server.js';
import { requirePrerequisite } from '../../test-support/servers.js';

const T0 = Date.UTC(2023, 0, 1);
const MINUTES = 300_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const START = iso(T0);
const END = iso(T0 + MINUTES * 60_000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function reportOf(stderr: string): Record<string, unknown> {
  const line = stderr.split('\n').find((l) => l.includes('"backfill-1m report"'));
  expect(line, stderr).toBeDefined();
  return (JSON.parse(line ?? '{}') as { report: Record<string, unknown> }).report;
}

/** Lines that look like a stack trace. */
const hasStack = (text: string): boolean => /^\s+at .+\(.+:\d+:\d+\)$/m.test(text) || /^\s+at [^\s]+:\d+:\d+$/m.test(text);

const privateServerRuns = requirePrerequisite(`clickhouse-server (${process.env['CH_SERVER_BIN'] ?? '/usr/sbin/clickhouse-server'}), to start a private server`, clickhouseServerInstalled);

describe.skipIf(!privateServerRuns)('ClickHouse faults (private server)', () => {
  let ch: OwnClickHouse;
  let fixture: FixtureResult;
  const dir = tempDir('ch-faults');

  beforeAll(async () => {
    ch = await ownClickHouse();
    await ch.start();
    fixture = await writeBinanceSpotParquet(path.join(dir, 'big.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: MINUTES, rowGroupSize: 20_000 });
  });
  afterAll(async () => {
    await ch.stop().catch(() => undefined);
  });

  const backfill = (db: string, extraEnv: Record<string, string>, onSpawn?: (pid: number) => void): Promise<CliResult> =>
    runCli(
      ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', START, '--end', END, '--parquet', fixture.path, '--batch-size', '5000', '--report-format', 'json'],
      { env: ch.env({ CH_DATABASE: db, ...extraEnv }), timeoutMs: 170_000, ...(onSpawn === undefined ? {} : { onSpawn }) },
    );

  /** Raw rows stored so far (0 before the table exists or while the server is down). */
  const rawCount = async (db: string): Promise<number> => {
    try {
      return Number((await ch.query(`SELECT count() FROM ${db}.raw_binance_klines_1m`)).trim());
    } catch {
      return 0;
    }
  };

  /** Waits until some but not all batches are stored, then SIGKILLs the server; returns the rows seen at the kill. */
  const killMidRun = async (db: string, done: () => boolean): Promise<number> => {
    for (;;) {
      const n = await rawCount(db);
      if (n >= 20_000 || done()) {
        await ch.kill();
        return n;
      }
      await sleep(10);
    }
  };

  const canonicalCounts = async (db: string): Promise<[number, number, number]> => {
    const line = (await ch.query(`SELECT count(), uniqExact(ts), countIf(ts < toDateTime(${T0 / 1000}) OR ts >= toDateTime(${T0 / 1000 + MINUTES * 60})) FROM ${db}.canonical_candles_1m FINAL`)).trim();
    const [a, b, c] = line.split('\t').map(Number);
    return [a ?? -1, b ?? -1, c ?? -1];
  };

  it('SIGKILL mid-backfill, restarted within the retry budget: exit 0, one canonical row per minute', async () => {
    const db = 'fault_restart';
    let finished = false;
    const run = backfill(db, { CH_MAX_RETRIES: '12', CH_RETRY_BASE_MS: '400' }).finally(() => {
      finished = true;
    });
    const atKill = await killMidRun(db, () => finished);
    await sleep(300);
    await ch.start();
    const r = await run;
    // The kill landed mid-run: some rows, not all, were stored when the server died.
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(MINUTES);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/retrying in \d+ ms/);
    const report = reportOf(r.stderr);
    // Every batch counted once, whatever the retries.
    expect(report).toMatchObject({ outcome: 'success', rows_written: MINUTES, batches_written: MINUTES / 5000 });
    expect(await canonicalCounts(db)).toEqual([MINUTES, MINUTES, 0]);
    const raw = (await ch.query(`SELECT count(), uniqExact(open_time) FROM ${db}.raw_binance_klines_1m FINAL`)).trim();
    expect(raw).toBe(`${MINUTES}\t${MINUTES}`);
  });

  it('down beyond the retry budget: exit 1 naming the batch, report states batches_written; a rerun completes exactly', async () => {
    const db = 'fault_down';
    let finished = false;
    const run = backfill(db, { CH_MAX_RETRIES: '2', CH_RETRY_BASE_MS: '100' }).finally(() => {
      finished = true;
    });
    const atKill = await killMidRun(db, () => finished);
    const r = await run;
    expect(atKill).toBeLessThan(MINUTES);
    expect(r.code, r.stderr).toBe(1);
    expect(hasStack(r.stderr), r.stderr).toBe(false);
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    // One line: the batch number, the instrument, the time span, the attempts, the cause.
    expect(last).toMatch(/^barfill: batch \d+: writing 5000 klines of 1:BTCUSDT \(\d{4}-\d\d-\d\dT[\d:]+Z \.\. \d{4}-\d\d-\d\dT[\d:]+Z\) failed after 3 attempts: .*(ECONNREFUSED|ECONNRESET|socket hang up)/);
    expect(last).toMatch(/\(\d+ batches, \d+ rows were written before the failure\)$/);
    const report = reportOf(r.stderr);
    expect(report['outcome']).toBe('failed');
    const batches = Number(report['batches_written']);
    expect(report['rows_written']).toBe(batches * 5000);
    expect(batches).toBeLessThan(MINUTES / 5000);
    expect(last).toContain(`(${batches} batches, ${batches * 5000} rows were written`);

    await ch.start();
    // What the report says was committed is in the raw table (the batch in flight at the kill may be there too).
    const stored = Number((await ch.query(`SELECT uniqExact(open_time) FROM ${db}.raw_binance_klines_1m`)).trim());
    expect(stored).toBeGreaterThanOrEqual(batches * 5000);
    expect(stored).toBeLessThanOrEqual((batches + 2) * 5000);

    const again = await backfill(db, {});
    expect(again.code, again.stderr).toBe(0);
    expect(await canonicalCounts(db)).toEqual([MINUTES, MINUTES, 0]);
  });

  it('refused connections, unknown user, wrong password, unknown database: one clear line each, exit 1, no stack', async () => {
    const closedPort = String(await freePort());
    const small = await writeBinanceSpotParquet(path.join(dir, 'small.parquet'), { symbol: 'BTCUSDT', startMs: T0, minutes: 60 });
    const args = ['backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', START, '--end', iso(T0 + 3_600_000), '--parquet', small.path];

    const refused = await runCli(args, { env: ch.env({ CH_PORT: closedPort }) });
    expect(refused.code, refused.stderr).toBe(1);
    const refusedLines = refused.stderr.trim().split('\n');
    expect(refusedLines.at(-1)).toMatch(new RegExp(`^barfill: ClickHouse server http://127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`));
    expect(hasStack(refused.stderr)).toBe(false);

    const user = await runCli(args, { env: ch.env({ CH_USER: 'nosuchuser', CH_DATABASE: 'fault_auth' }) });
    expect(user.code, user.stderr).toBe(1);
    expect(user.stderr.trim().split('\n').at(-1)).toMatch(/^barfill: ClickHouse server .*(Unknown user nosuchuser|Authentication failed|Code: 19[23]|Code: 516)/);
    expect(hasStack(user.stderr)).toBe(false);

    const unknownDb = await runCli(['query', 'clickhouse', '--sql', 'SELECT count() FROM no_such_db_x.t'], { env: ch.env() });
    expect(unknownDb.code, unknownDb.stderr).toBe(1);
    const dbLines = unknownDb.stderr.trim().split('\n');
    expect(dbLines).toHaveLength(1);
    expect(dbLines[0]).toMatch(/^barfill: .*(Database no_such_db_x doesn't exist|Code: 81)/);

    // --log-level DEBUG adds the stack.
    const debug = await runCli(['query', 'clickhouse', '--sql', 'SELECT count() FROM no_such_db_x.t', '--log-level', 'DEBUG'], { env: ch.env() });
    expect(debug.code).toBe(1);
    expect(hasStack(debug.stderr), debug.stderr).toBe(true);
  });

  it('wrong password against a server with a password user: exit 1, the password never printed', async () => {
    const users = path.join(dir, 'users.xml');
    writeFileSync(
      users,
      `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <loader><password>right-secret-1</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></loader>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
    );
    const pw = await ownClickHouse({ usersXml: users });
    await pw.start();
    try {
      const ok = await runCli(['query', 'clickhouse', '--sql', 'SELECT 1 AS one'], { env: pw.env({ CH_USER: 'loader', CH_PASSWORD: 'right-secret-1' }) });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout.trim()).toBe('{"one":1}');
      const bad = await runCli(['query', 'clickhouse', '--sql', 'SELECT 1 AS one'], { env: pw.env({ CH_USER: 'loader', CH_PASSWORD: 'wrong-secret-2' }) });
      expect(bad.code, bad.stderr).toBe(1);
      const lines = bad.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^barfill: ClickHouse server .*(Wrong password|Authentication failed|Code: 193|Code: 516)/);
      expect(bad.stderr).not.toContain('wrong-secret-2');
    } finally {
      await pw.stop();
    }
  });
});
