import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarBatch } from '../src/application/bar-batch.js';
import type { RejectedRow } from '../src/application/ports/reject-sink.js';
import { CsvBarFileReader } from '../src/adapters/csv/csv-bar-file-reader.js';
import type { CsvFileStats } from '../src/adapters/csv/csv-bar-file-reader.js';
import { parseBarTimestamp } from '../src/adapters/csv/bar-fields.js';
import { InputError } from '../src/kernel/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'barfill-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Flat {
  ticker: string;
  exchange: string;
  interval: number;
  ts: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

async function readAll(
  name: string,
  content: string | Buffer,
  opts: { batchRows?: number; exchange?: string; interval?: 1 | 5 } = {},
): Promise<{ rows: Flat[]; rejects: RejectedRow[]; batches: BarBatch[]; stats: CsvFileStats }> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  const reader = new CsvBarFileReader(opts.batchRows === undefined ? {} : { batchRows: opts.batchRows });
  const rejects: RejectedRow[] = [];
  const batches: BarBatch[] = [];
  const stats: CsvFileStats = { records: 0, rows: 0, rejected: 0 };
  for await (const b of reader.read(file, {
    defaultExchange: opts.exchange ?? 'NASDAQ',
    defaultIntervalMinutes: opts.interval ?? 1,
    onReject: (r) => rejects.push(r),
    stats,
  })) {
    batches.push(b);
  }
  const rows: Flat[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const k = b.series[b.seriesIndex[i]!]!;
      rows.push({
        ticker: k.ticker, exchange: k.exchange, interval: k.intervalMinutes, ts: new Date(b.timestampMs[i]!).toISOString(),
        o: b.open[i]!, h: b.high[i]!, l: b.low[i]!, c: b.close[i]!, v: b.volume[i]!,
      });
    }
  }
  return { rows, rejects, batches, stats };
}

describe('CsvBarFileReader', () => {
  it('reads the combined format', async () => {
    const { rows, rejects } = await readAll(
      'combined.csv',
      'ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume\n' +
        'AAPL,NASDAQ,1,2024-03-08T14:30:00Z,169.15,169.5,169.01,169.3,1200345\n' +
        'MSFT,NASDAQ,5,2024-03-08T14:30:00Z,407.1,407.9,406.5,407.25,98000.5\n',
    );
    expect(rejects).toEqual([]);
    expect(rows).toEqual([
      { ticker: 'AAPL', exchange: 'NASDAQ', interval: 1, ts: '2024-03-08T14:30:00.000Z', o: 169.15, h: 169.5, l: 169.01, c: 169.3, v: 1200345 },
      { ticker: 'MSFT', exchange: 'NASDAQ', interval: 5, ts: '2024-03-08T14:30:00.000Z', o: 407.1, h: 407.9, l: 406.5, c: 407.25, v: 98000.5 },
    ]);
  });

  it('handles a BOM, CRLF, another column order, aliases, epoch ms and defaults for exchange/interval', async () => {
    const { rows, rejects } = await readAll(
      'bom.csv',
      '\uFEFFDate,Volume,Close,Low,High,Open,Symbol\r\n1709908200000,500,10.5,10,11,10.25,nvda\r\n1709908500000,600,10.75,10.5,11,10.5,NVDA\r\n',
      { exchange: 'nyse', interval: 5 },
    );
    expect(rejects).toEqual([]);
    expect(rows).toEqual([
      { ticker: 'NVDA', exchange: 'NYSE', interval: 5, ts: '2024-03-08T14:30:00.000Z', o: 10.25, h: 11, l: 10, c: 10.5, v: 500 },
      { ticker: 'NVDA', exchange: 'NYSE', interval: 5, ts: '2024-03-08T14:35:00.000Z', o: 10.5, h: 11, l: 10.5, c: 10.75, v: 600 },
    ]);
  });

  it('handles quoted fields with commas, doubled quotes and extra columns', async () => {
    const { rows, rejects } = await readAll(
      'quoted.csv',
      'note,ticker,timestamp,open,high,low,close,volume,exchange\n' +
        '"a, ""quoted"" note",AAPL,"2024-03-08 09:30:00-05:00","1.5",2,1,1.75,"1,0",XNAS\n' +
        '"multi\nline",AAPL,2024-03-08T14:31:00+00:00,1.5,2,1,1.75,10,XNAS\n',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ticker: 'AAPL', exchange: 'XNAS', ts: '2024-03-08T14:31:00.000Z' });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ row: 2, reason: 'bad_number' });
    expect(rejects[0]!.values).toMatchObject({ note: 'a, "quoted" note', volume: '1,0' });
  });

  it('reads epoch seconds and ISO offsets', () => {
    const t = Date.UTC(2024, 2, 8, 14, 30);
    expect(parseBarTimestamp('1709908200')).toEqual({ ok: true, value: t });
    expect(parseBarTimestamp('1709908200000')).toEqual({ ok: true, value: t });
    expect(parseBarTimestamp('2024-03-08T14:30:00Z')).toEqual({ ok: true, value: t });
    expect(parseBarTimestamp('2024-03-08 09:30:00-05:00')).toEqual({ ok: true, value: t });
    expect(parseBarTimestamp('2024-03-08T20:00+0530')).toEqual({ ok: true, value: t });
    expect(parseBarTimestamp('2024-03-08 14:30:00')).toMatchObject({ ok: false, reason: 'naive_timestamp' });
    expect(parseBarTimestamp('2024-03-08')).toMatchObject({ ok: false, reason: 'naive_timestamp' });
    expect(parseBarTimestamp('2024-02-30T14:30:00Z')).toMatchObject({ ok: false, reason: 'bad_timestamp' });
    expect(parseBarTimestamp('2024-03-08T14:30:15Z')).toMatchObject({ ok: false, reason: 'bad_timestamp' });
    expect(parseBarTimestamp('yesterday')).toMatchObject({ ok: false, reason: 'bad_timestamp' });
  });

  it('reads gzip', async () => {
    const text = 'ticker,timestamp,open,high,low,close,volume\n' +
      Array.from({ length: 1000 }, (_, i) => `AAPL,${1709908200 + i * 60},1,2,0.5,1.5,${i}`).join('\n');
    const { rows, stats } = await readAll('bars.csv.gz', gzipSync(text), { batchRows: 300 });
    expect(rows).toHaveLength(1000);
    expect(rows[999]).toMatchObject({ ticker: 'AAPL', v: 999, ts: new Date((1709908200 + 999 * 60) * 1000).toISOString() });
    expect(stats).toEqual({ records: 1000, rows: 1000, rejected: 0 });
  });

  it('emits batches of at most batchRows, several tickers per batch', async () => {
    const lines = ['ticker,timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 25; i++) lines.push(`${i % 2 === 0 ? 'AAPL' : 'MSFT'},${1709908200 + i * 60},1,1,1,1,1`);
    const { batches } = await readAll('batches.csv', lines.join('\n'), { batchRows: 10 });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches[0]!.series.map((s) => s.ticker)).toEqual(['AAPL', 'MSFT']);
    expect(Array.from(batches[0]!.seriesIndex.slice(0, 4))).toEqual([0, 1, 0, 1]);
  });

  it('rejects bad rows with 1-based line numbers and reasons, and loads the rest', async () => {
    const content = [
      'ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume', // 1
      'AAPL,NASDAQ,1,2024-03-08T14:30:00Z,1,2,0.5,1.5,10', // 2 ok
      '', // 3 blank
      'AAPL,NASDAQ,1,2024-03-08 14:31:00,1,2,0.5,1.5,10', // 4 naive
      'AAPL,NASDAQ,1,2024-03-08T14:32:00Z,abc,2,0.5,1.5,10', // 5 non-numeric
      'AAPL,NASDAQ,1,2024-03-08T14:33:00Z,1,2,0.5,1.5,-3', // 6 negative
      'AAPL,NASDAQ,1,2024-03-08T14:34:00Z,1,0.4,0.5,0.45,10', // 7 high < low
      'AAPL,NASDAQ,7,2024-03-08T14:35:00Z,1,2,0.5,1.5,10', // 8 interval
      'AAPL$,NASDAQ,1,2024-03-08T14:36:00Z,1,2,0.5,1.5,10', // 9 ticker
      'AAPL,NASDAQ,1,2024-03-08T14:37:00Z,1,2,0.5', // 10 field count
      'AAPL,NASDAQ,1,2024-03-08T14:38:00Z,1e999,2,0.5,1.5,10', // 11 non-finite
      'brk.b,NYSE,1,2024-03-08T14:39:00Z,1,2,0.5,1.5,10', // 12 ok
      'AAPL,NASDAQ,1,"2024-03-08T14:40:00Z,1,2,0.5,1.5,10', // 13 unterminated
    ].join('\r\n');
    const { rows, rejects, stats } = await readAll('rejects.csv', content);
    expect(rows.map((r) => r.ticker)).toEqual(['AAPL', 'BRK.B']);
    expect(rejects.map((r) => [r.row, r.reason])).toEqual([
      [4, 'naive_timestamp'],
      [5, 'bad_number'],
      [6, 'negative_value'],
      [7, 'inconsistent_ohlc'],
      [8, 'bad_interval'],
      [9, 'bad_ticker'],
      [10, 'wrong_field_count'],
      [11, 'bad_number'],
      [13, 'malformed_csv'],
    ]);
    expect(rejects[0]!.file).toBe(path.join(dir, 'rejects.csv'));
    expect(rejects[0]!.detail).toContain('no UTC offset');
    expect(rejects[0]!.values).toMatchObject({ ticker: 'AAPL', timestamp: '2024-03-08 14:31:00' });
    expect(rejects[6]!.values).toEqual({ _raw: 'AAPL,NASDAQ,1,2024-03-08T14:37:00Z,1,2,0.5' });
    expect(stats).toEqual({ records: 11, rows: 2, rejected: 9 });
  });

  it('fails the file with an InputError naming it: missing, empty, bad header, bad gzip', async () => {
    const reader = new CsvBarFileReader();
    const read = async (file: string): Promise<unknown> => {
      try {
        for await (const b of reader.read(file, { defaultExchange: 'NASDAQ', defaultIntervalMinutes: 1, onReject: () => {} })) expect(b.length).toBeGreaterThan(0);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const missing = path.join(dir, 'nope.csv');
    const e1 = await read(missing);
    expect(e1).toBeInstanceOf(InputError);
    expect((e1 as Error).message).toContain(missing);
    expect((e1 as Error).message).toContain('no such file');

    await writeFile(path.join(dir, 'empty.csv'), '');
    expect(((await read(path.join(dir, 'empty.csv'))) as Error).message).toMatch(/empty\.csv.*empty/);

    await writeFile(path.join(dir, 'noticker.csv'), 'timestamp,open,high,low,close,volume\n1709908200,1,1,1,1,1\n');
    const e3 = await read(path.join(dir, 'noticker.csv'));
    expect(e3).toBeInstanceOf(InputError);
    expect((e3 as Error).message).toContain("no 'ticker' column");

    await writeFile(path.join(dir, 'bad.csv.gz'), 'this is not gzip');
    const e4 = await read(path.join(dir, 'bad.csv.gz'));
    expect(e4).toBeInstanceOf(InputError);
    expect((e4 as Error).message).toContain('bad.csv.gz');
    expect((e4 as Error).message).toContain('gzip');
  });
});

describe('examples/csv', () => {
  it.each([
    ['combined_aapl_msft_1min.csv', 300, ['AAPL', 'MSFT'], 1],
    ['nvda_1min_epoch_ms.csv', 390, ['NVDA'], 1],
    ['msft_5min_2024-03-11_13.csv.gz', 234, ['MSFT'], 5],
  ] as const)('%s holds %i valid rows', async (name, count, tickers, interval) => {
    const file = path.join(import.meta.dirname, '..', 'examples', 'csv', name);
    const rejects: RejectedRow[] = [];
    let rows = 0;
    const seen = new Set<string>();
    let minTs = Infinity;
    for await (const b of new CsvBarFileReader().read(file, { defaultExchange: 'NASDAQ', defaultIntervalMinutes: 1, onReject: (r) => rejects.push(r) })) {
      rows += b.length;
      for (const s of b.series) {
        seen.add(s.ticker);
        expect(s.intervalMinutes).toBe(interval);
        expect(s.exchange).toBe('NASDAQ');
      }
      for (const t of b.timestampMs) minTs = Math.min(minTs, t);
    }
    expect(rejects).toEqual([]);
    expect(rows).toBe(count);
    expect([...seen].sort()).toEqual(tickers);
    // Regular session: 09:30 New York = 14:30 UTC before the DST change, 13:30 UTC after it.
    expect(new Date(minTs).toISOString()).toBe(interval === 5 ? '2024-03-11T13:30:00.000Z' : '2024-03-08T14:30:00.000Z');
  });
});
