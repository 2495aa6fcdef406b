/**
 * Bad CSV input through the built CLI (`inject-csv`), on embedded PGlite and
 * the PostgreSQL server: a file that cannot be used fails with its path and
 * reason (exit 1); malformed rows are rejected with file, line and reason,
 * counted, written to --reject-file, and the file's valid rows still land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../e2e/cli.js';
import { embeddedPg, serverPg, type PgTarget } from '../e2e/pg-target.js';
import { CSV_HEADER, binaryGarbage, csvRow, writeCsvCase } from '../../test-support/corpus/bad-files.js';

function summaryOf(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim()) as Record<string, unknown>;
}

for (const [label, make] of [['embedded PGlite', async () => Promise.resolve(embeddedPg())], ['PostgreSQL server', serverPg]] as const) {
  describe(`inject-csv on bad CSV input (${label})`, () => {
    let t: PgTarget | undefined;
    const root = tempDir('csv-corpus');
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });
    const inject = (target: PgTarget, dir: string, extra: string[] = []) =>
      runCli(['inject-csv', '--csv-dir', dir, '--summary-json', '-', ...extra], { env: target.env() });
    const stored = async (target: PgTarget, ticker: string): Promise<number> => {
      const r = await runCli(['query', 'postgres', '--sql', `SELECT count(*)::int AS n FROM market_data WHERE ticker = '${ticker}'`], { env: target.env() });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout.trim()) as { n: number }).n;
    };

    it('binary garbage: the file fails naming it and the header problem; the message stays printable', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = writeCsvCase(root, 'garbage.csv', binaryGarbage(200_000));
      const r = await inject(t, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\[garbage\.csv\] Failed: .*garbage\.csv: line 1: the header has no /);
      const failLine = r.stderr.split('\n').find((l) => l.includes('Failed:')) ?? '';
      expect(failLine.length).toBeLessThan(2000);
      // eslint-disable-next-line no-control-regex -- the point: no raw control bytes reach the terminal
      expect(failLine).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(summaryOf(r.stdout)).toMatchObject({ failed: 1, inserted: 0 });
    });

    it('a 10 MB line: rejected with its line and reason, bounded in the reject file; the other rows land', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = writeCsvCase(root, 'huge.csv', `${CSV_HEADER}\n${csvRow('HUGE', 0)}\n${csvRow('HUGE', 1).replace(/,100$/, `,${'1'.repeat(10 << 20)}`)}\n${csvRow('HUGE', 2)}\n`);
      const rej = path.join(tempDir('rej'), 'rejects.csv');
      const r = await inject(t, dir, ['--reject-file', rej]);
      expect(r.code).toBe(1);
      expect(summaryOf(r.stdout)).toMatchObject({ inserted: 2, rejected: 1, failed: 0 });
      expect(r.stderr).toMatch(/\[huge\.csv\] line 3 rejected: bad_number/);
      expect(statSync(rej).size).toBeLessThan(10_000);
      expect(readFileSync(rej, 'utf8')).toMatch(/^file,row,reason,detail,values\nhuge\.csv,3,bad_number,/);
      expect(await stored(t, 'HUGE')).toBe(2);
    });

    it('a 10 MB line with a quote never closed: one reject (malformed_csv), valid rows before it land', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = writeCsvCase(root, 'unclosed.csv', `${CSV_HEADER}\n${csvRow('UNCL', 0)}\nUNCL,"${'x'.repeat(10 << 20)}\n`);
      const r = await inject(t, dir);
      expect(r.code).toBe(1);
      expect(summaryOf(r.stdout)).toMatchObject({ inserted: 1, rejected: 1 });
      expect(r.stderr).toMatch(/\[unclosed\.csv\] line 3 rejected: malformed_csv: a quoted field is never closed/);
      expect(await stored(t, 'UNCL')).toBe(1);
    });

    it('a quote never closed, then 200,000 short lines: one reject, read in linear time (no quadratic re-parse)', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const tail = 'x,y\n'.repeat(200_000);
      const dir = writeCsvCase(root, 'unclosed-short.csv', `${CSV_HEADER}\n${csvRow('UNCS', 0)}\nUNCS,"abc\n${tail}`);
      const r = await inject(t, dir);
      expect(r.code).toBe(1);
      expect(summaryOf(r.stdout)).toMatchObject({ inserted: 1, rejected: 1 });
      expect(r.stderr).toMatch(/\[unclosed-short\.csv\] line 3 rejected: malformed_csv: a quoted field is never closed/);
      expect(await stored(t, 'UNCS')).toBe(1);
    });

    it('wrong column counts: each short or long row rejected with its line; the others land', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = writeCsvCase(root, 'ragged.csv', [CSV_HEADER, csvRow('RAGD', 0), csvRow('RAGD', 1).replace(/,100$/, ''), `${csvRow('RAGD', 2)},7`, csvRow('RAGD', 3), ''].join('\n'));
      const rej = path.join(tempDir('rej'), 'rejects.csv');
      const r = await inject(t, dir, ['--reject-file', rej]);
      expect(r.code).toBe(1);
      expect(summaryOf(r.stdout)).toMatchObject({ inserted: 2, rejected: 2, failed: 0 });
      const lines = readFileSync(rej, 'utf8').trim().split('\n').slice(1);
      expect(lines.map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['ragged.csv,3,wrong_field_count', 'ragged.csv,4,wrong_field_count']);
      expect(await stored(t, 'RAGD')).toBe(2);
    });

    it('duplicated headers: the file fails naming both columns', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const dir = writeCsvCase(root, 'dup.csv', `${CSV_HEADER},Open\n${csvRow('DUPH', 0)},10\n`);
      const r = await inject(t, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/dup\.csv: line 1: columns 'open' and 'Open' both give the open; keep one/);
      expect(await stored(t, 'DUPH')).toBe(0);
    });

    it('an empty file fails naming it; a header-only file is "No data" and succeeds', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const empty = await inject(t, writeCsvCase(root, 'empty.csv', ''));
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(/empty\.csv: the file is empty; expected a header line/);
      const header = await inject(t, writeCsvCase(root, 'header-only.csv', `\ufeff${CSV_HEADER}\r\n`));
      expect(header.code, header.stderr).toBe(0);
      expect(header.stderr).toMatch(/\[header-only\.csv\] No data/);
      expect(summaryOf(header.stdout)).toMatchObject({ failed: 0, inserted: 0, rejected: 0 });
    });

    it('a gzip file that is not gzip: fails naming the file', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await inject(t, writeCsvCase(root, 'fake.csv.gz', `${CSV_HEADER}\n${csvRow('GZIP', 0)}\n`));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/fake\.csv\.gz: cannot read: not a valid gzip file/);
    });
  });
}
