/**
 * Bad Parquet input through the built CLI (`backfill-1m`), on the embedded
 * chDB and on the ClickHouse server: every file either fails the run with its
 * path and the reason (exit 1, nothing written) or loads its valid rows and
 * counts the others as rejected by reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../e2e/cli.js';
import { embeddedCh, serverCh, type ChTarget } from '../e2e/ch-target.js';
import { CORPUS_T0, writeGenericAt, writeParquetCorpus, type ParquetCorpus } from '../../test-support/corpus/bad-files.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function reportOf(stderr: string): Record<string, unknown> {
  const line = stderr.split('\n').find((l) => l.includes('"backfill-1m report"'));
  expect(line, stderr).toBeDefined();
  return (JSON.parse(line ?? '{}') as { report: Record<string, unknown> }).report;
}

let corpus: ParquetCorpus;
const dir = tempDir('pq-corpus');
beforeAll(async () => {
  corpus = await writeParquetCorpus(dir);
});

for (const [label, make] of [['embedded chDB', async () => Promise.resolve(embeddedCh())], ['ClickHouse server', serverCh]] as const) {
  describe(`backfill-1m on bad Parquet input (${label})`, () => {
    let t: ChTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });
    const run = (target: ChTarget, file: string, symbol = 'BTCUSDT') =>
      runCli(['backfill-1m', '--market-id', '1', '--symbol', symbol, '--start', iso(CORPUS_T0), '--end', iso(CORPUS_T0 + 86_400_000), '--parquet', file, '--report-format', 'json'], { env: target.env() });
    const count = async (target: ChTarget, symbol: string): Promise<number> =>
      Number((await target.rows(`SELECT count() AS n FROM ${target.database}.raw_binance_klines_1m WHERE symbol = '${symbol}'`))[0]?.['n']);

    const unreadable: [string, (d: string) => string, RegExp][] = [
      ['an empty (0-byte) file', (d) => { const f = path.join(d, 'empty.parquet'); writeFileSync(f, ''); return f; }, /too small to be a Parquet file/],
      ['a non-Parquet file named .parquet', (d) => { const f = path.join(d, 'text.parquet'); writeFileSync(f, 'open_time,open\n1,2\n'.repeat(100)); return f; }, /cannot be read as a Parquet file/],
      ['a file with the magic bytes but no footer', (d) => { const f = path.join(d, 'cut.parquet'); writeFileSync(f, `PAR1${'x'.repeat(5000)}`); return f; }, /cannot be read as a Parquet file/],
      ['a valid file truncated to half its bytes', (d) => { const f = path.join(d, 'half.parquet'); const b = readFileSync(corpus.openAsText); writeFileSync(f, b.subarray(0, b.length >> 1)); return f; }, /cannot be read as a Parquet file/],
    ];
    for (const [name, make, reason] of unreadable) {
      it(`${name}: exit 1 naming the file and the reason, no stack trace, nothing written`, async (ctx) => {
        if (t === undefined) return ctx.skip();
        const f = make(tempDir('unreadable'));
        const r = await run(t, f);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`barfill: ${f}: `);
        expect(r.stderr).toMatch(reason);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      });
    }

    it('a time column that is text: exit 1 naming the file, the column and its type', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await run(t, corpus.timeAsText);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`barfill: ${corpus.timeAsText}: time column 'timestamp' has type VARCHAR`);
    });

    it('zero rows: success with nothing read or written', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await run(t, corpus.zeroRows);
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({ outcome: 'success', candles_read: 0, rows_written: 0, rows_rejected: 0 });
    });

    for (const [name, file] of [['a struct', 'openAsStruct'], ['a list', 'openAsList']] as const) {
      it(`open stored as ${name}: every row read and rejected as non_finite_value, none written`, async (ctx) => {
        if (t === undefined) return ctx.skip();
        const r = await run(t, corpus[file]);
        expect(r.code, r.stderr).toBe(0);
        expect(reportOf(r.stderr)).toMatchObject({ candles_read: 5, rows_written: 0, rows_rejected: 5, rejected_by_reason: { non_finite_value: 5 } });
      });
    }

    it('open as text with some non-numbers: the numeric rows load, the others are rejected and counted', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const rejects = path.join(tempDir('rej'), 'r.csv');
      const r = await runCli(['backfill-1m', '--market-id', '1', '--symbol', 'TXTUSDT', '--start', iso(CORPUS_T0), '--end', iso(CORPUS_T0 + 86_400_000), '--parquet', corpus.openAsText, '--report-format', 'json', '--reject-file', rejects], { env: t.env() });
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({ candles_read: 5, rows_written: 2, rows_rejected: 3, rejected_by_reason: { non_finite_value: 3 } });
      expect(await count(t, 'TXTUSDT')).toBe(2);
    });

    it('NULL in every column: rows without a symbol are not the instrument; without a symbol column they are read and rejected', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await run(t, corpus.allNulls);
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({ candles_read: 0, rows_written: 0 });
      const r2 = await run(t, corpus.allNullsNoSymbol);
      expect(r2.code, r2.stderr).toBe(0);
      expect(reportOf(r2.stderr)).toMatchObject({ candles_read: 4, rows_written: 0, rows_rejected: 4, rejected_by_reason: { non_finite_value: 4 } });
    });

    it('a 1 MB string in symbol: those rows are another instrument; the BTCUSDT rows load', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await run(t, corpus.hugeSymbol, 'HUGEBTC');
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r.stderr)).toMatchObject({ candles_read: 0 });
      const r2 = await run(t, corpus.hugeSymbol);
      expect(r2.code, r2.stderr).toBe(0);
      expect(reportOf(r2.stderr)).toMatchObject({ candles_read: 3, rows_written: 3, rows_rejected: 0 });
      expect(r2.stderr.length).toBeLessThan(100_000);
    });

    it('a good file beside a bad one in a directory: the run fails before anything is written', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const d = tempDir('mixed');
      await writeGenericAt(path.join(d, 'a-good.parquet'), 10);
      writeFileSync(path.join(d, 'b-empty.parquet'), '');
      const r = await run(t, d, 'MIXUSDT');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('b-empty.parquet');
      expect(await count(t, 'MIXUSDT')).toBe(0);
    });
  });
}
