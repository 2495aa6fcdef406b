/**
 * SQL injection attempts through every input barfill takes: flags, CSV
 * values, Parquet values, file names and the environment. Each is refused as
 * a usage/config error, rejected as data, or kept as data by a bound
 * parameter; the tables are still there afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runCli, tempDir } from '../e2e/cli.js';
import { embeddedCh, serverCh, type ChTarget } from '../e2e/ch-target.js';
import { embeddedPg, serverPg, type PgTarget } from '../e2e/pg-target.js';
import { CORPUS_T0, CSV_HEADER, csvRow, duckdbParquet, writeGenericAt, writeParquetCorpus } from '../../test-support/corpus/bad-files.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const EVIL = "A';DROP TABLE market_data;--";

function reportOf(stderr: string): Record<string, unknown> {
  const line = stderr.split('\n').find((l) => l.includes('"backfill-1m report"'));
  expect(line, stderr).toBeDefined();
  return (JSON.parse(line ?? '{}') as { report: Record<string, unknown> }).report;
}

describe('flags and environment are validated before any SQL', () => {
  it('--symbol with SQL: exit 2 naming --symbol', async () => {
    const r = await runCli(['backfill-1m', '--market-id', '1', '--symbol', "BTC'; DROP TABLE market_data.raw_binance_klines_1m;--", '--start', iso(CORPUS_T0), '--end', iso(CORPUS_T0 + 60_000), '--parquet', '/nonexistent.parquet'], { env: cleanEnv({ BARFILL_HOME: tempDir('inj') }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^barfill: --symbol: expected 1 to 32 letters, digits/m);
  });

  it('--tickers with SQL: exit 2 naming the ticker', async () => {
    const r = await runCli(['specific', '--start', '010324', '--end', '020324', '--tickers', 'AAPL', EVIL], { env: cleanEnv({ BARFILL_HOME: tempDir('inj'), FMP_API_KEY: 'k', FMP_BASE_URL: 'http://127.0.0.1:9' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--tickers: invalid ticker 'A';DROP TABLE market_data;--'");
  });

  it.each(['market_data; DROP DATABASE x', 'a-b', '1abc', 'x`y', 'db"'])('CH_DATABASE=%j: ConfigError, exit 2', async (db) => {
    const r = await runCli(['migrate', 'clickhouse'], { env: cleanEnv({ BARFILL_HOME: tempDir('inj'), CH_DATABASE: db }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^barfill: CH_DATABASE: expected a database name/m);
  });
});

for (const [label, make] of [['embedded PGlite', async () => Promise.resolve(embeddedPg())], ['PostgreSQL server', serverPg]] as const) {
  describe(`CSV values are data, never SQL (${label})`, () => {
    let t: PgTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it(`a ticker ${JSON.stringify(EVIL)} is rejected as bad_ticker; the table still exists with the valid rows; an exchange with SQL is rejected, one with spaces and '&' is stored verbatim`, async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = tempDir('inj-csv');
      writeFileSync(
        path.join(dir, 'evil.csv'),
        [`${CSV_HEADER},exchange`, `${csvRow('SAFE', 0)},NASDAQ`, `"${EVIL.replace(/"/g, '""')}",2024-03-08T14:31:00Z,10,12,9,11,100,NASDAQ`, `${csvRow('SAFE', 2)},"NYSE ARCA & CO."`, `${csvRow('SAFE', 3)},"X');DELETE FROM market_data;--"`, ''].join('\n'),
      );
      const r = await runCli(['inject-csv', '--csv-dir', dir, '--summary-json', '-'], { env: t.env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\[evil\.csv\] line 3 rejected: bad_ticker: ticker 'A';DROP TABLE market_data;--'/);
      expect(r.stderr).toMatch(/\[evil\.csv\] line 5 rejected: bad_exchange/);
      expect(JSON.parse(r.stdout) as Record<string, unknown>).toMatchObject({ inserted: 2, rejected: 2 });
      const q = await runCli(['query', 'postgres', '--sql', "SELECT ticker, exchange FROM market_data WHERE ticker = 'SAFE' ORDER BY \"timestamp\""], { env: t.env() });
      expect(q.code, q.stderr).toBe(0);
      expect(q.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ ticker: 'SAFE', exchange: 'NASDAQ' }, { ticker: 'SAFE', exchange: "NYSE ARCA & CO." }]);
    });
  });
}

for (const [label, make] of [['embedded chDB', async () => Promise.resolve(embeddedCh())], ['ClickHouse server', serverCh]] as const) {
  describe(`Parquet values and file names are data, never SQL (${label})`, () => {
    let t: ChTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });
    const run = (target: ChTarget, symbol: string, file: string) =>
      runCli(['backfill-1m', '--market-id', '1', '--symbol', symbol, '--start', iso(CORPUS_T0), '--end', iso(CORPUS_T0 + 86_400_000), '--parquet', file, '--report-format', 'json'], { env: target.env() });

    it('symbol values with quotes are filtered by a bound parameter: only BTCUSDT rows load, the table survives', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const corpus = await writeParquetCorpus(tempDir('inj-pq'));
      const r = await run(t, 'BTCUSDT', corpus.quotedSymbols);
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({ candles_read: 2, rows_written: 2 });
      const rows = await t.rows(`SELECT symbol, count() AS n FROM ${t.database}.raw_binance_klines_1m GROUP BY symbol ORDER BY symbol`);
      expect(rows).toEqual([{ symbol: 'BTCUSDT', n: expect.anything() as unknown }]);
      expect(Number(rows[0]?.['n'])).toBe(2);
    });

    const names = ["x';DROP--.parquet", 'a*b.parquet', 'q?.parquet', 'br[1].parquet', 'semi;colon $(id) `id`.parquet', 'back\\slash.parquet', 'uni-ß-😀.parquet'];
    it(`file names with quotes, semicolons and glob characters read exactly that file: ${names.join(' ')}`, async (ctx) => {
      if (t === undefined) return ctx.skip();
      const target = t;
      let minutes = 1;
      for (const name of names) {
        const dir = tempDir('inj-name');
        const file = path.join(dir, name);
        await writeGenericAt(file, minutes);
        // Decoys a glob would also match: a*b matches aXb, q? matches qZ, br[1] matches br1.
        await duckdbParquet(path.join(dir, name.replace(/[*?]/, 'Z').replace('[1]', '1') === name ? 'decoy-none.parquet' : name.replace(/[*?]/, 'Z').replace('[1]', '1')), `SELECT 1 AS nothing`);
        const sym = `NAME${minutes}`;
        const r = await run(target, sym, file);
        expect(r.code, `${name}: ${r.stderr}`).toBe(0);
        expect(reportOf(r.stderr), name).toMatchObject({ candles_read: minutes, rows_written: minutes });
        expect(r.stderr).toContain(JSON.stringify(file).slice(1, -1));
        minutes++;
      }
      const rows = await target.rows(`SELECT count() AS n FROM ${target.database}.raw_binance_klines_1m WHERE symbol LIKE 'NAME%'`);
      expect(Number(rows[0]?.['n'])).toBe((names.length * (names.length + 1)) / 2);
    });
  });
}
