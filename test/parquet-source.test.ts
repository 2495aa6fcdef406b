/**
 * DuckDbParquetCandleSource against real Parquet files written by chDB
 * (ClickHouse's writer) and DuckDB's COPY: every layout and time unit, exact
 * values, symbol and range filters, row-group skipping, bad inputs.
 */
import { mkdir, mkdtemp, open as openFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParquetCandleSource } from '../apps/cli/wiring/clients/parquet.js';
import { DuckDbParquetCandleSource } from '../src/adapters/parquet/duckdb-parquet-candle-source.js';
import type { CandleScan, InputFileInfo, SourceChunk } from '../src/application/ports/candle-source.js';
import { InputError, UsageError } from '../src/kernel/errors.js';
import { InstrumentId } from '../src/kernel/instrument-id.js';
import { silentLogger } from '../src/kernel/logger.js';
import { TimeRange } from '../src/kernel/time-range.js';
import type { ExpectedCandle, FixtureResult } from '../test-support/parquet-fixtures.js';
import {
  SAMPLE_MINUTES,
  SAMPLE_START_MS,
  writeBinanceSampleParquet,
  writeBinanceFuturesParquet,
  writeBinanceSpotParquet,
  writeBybitParquet,
  writeGenericParquet,
  writeNotParquet,
  writeTruncatedCopy,
} from '../test-support/parquet-fixtures.js';

const START = Date.UTC(2024, 0, 1);
const ALL = TimeRange.of(Date.UTC(1990, 0, 1), Date.UTC(2100, 0, 1));
const BTC = InstrumentId.of(1, 'BTCUSDT');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'barfill-parquet-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const p = (name: string): string => path.join(dir, name);

interface ReadRow {
  rowNumber: number;
  openTimeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  closeTimeMs?: number;
  quoteVolume?: number;
  trades?: number;
  takerBuyBaseVolume?: number;
  takerBuyQuoteVolume?: number;
}

async function readAll(
  paths: readonly string[],
  opts: { instrument?: InstrumentId; range?: TimeRange; batchSize?: number; threads?: number } = {},
): Promise<{ files: readonly InputFileInfo[]; rows: ReadRow[]; chunks: SourceChunk[] }> {
  const source = new DuckDbParquetCandleSource({
    paths,
    logger: silentLogger,
    ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    ...(opts.threads === undefined ? {} : { threads: opts.threads }),
  });
  const scan = await source.open({ instrument: opts.instrument ?? BTC, range: opts.range ?? ALL });
  try {
    const rows: ReadRow[] = [];
    const chunks: SourceChunk[] = [];
    for await (const chunk of scan.batches()) {
      chunks.push(chunk);
      const b = chunk.batch;
      expect(chunk.rowNumbers.length).toBe(b.length);
      for (let i = 0; i < b.length; i++) {
        const r: ReadRow = {
          rowNumber: chunk.rowNumbers[i]!,
          openTimeMs: b.openTimeMs[i]!,
          open: b.open[i]!,
          high: b.high[i]!,
          low: b.low[i]!,
          close: b.close[i]!,
          volume: b.volume[i]!,
        };
        if (b.closeTimeMs !== null) r.closeTimeMs = b.closeTimeMs[i]!;
        if (b.quoteVolume !== null) r.quoteVolume = b.quoteVolume[i]!;
        if (b.trades !== null) r.trades = b.trades[i]!;
        if (b.takerBuyBaseVolume !== null) r.takerBuyBaseVolume = b.takerBuyBaseVolume[i]!;
        if (b.takerBuyQuoteVolume !== null) r.takerBuyQuoteVolume = b.takerBuyQuoteVolume[i]!;
        rows.push(r);
      }
    }
    return { files: scan.files, rows, chunks };
  } finally {
    await scan.close();
  }
}

/** The expected rows as the reader returns them (without symbol/invalid markers). */
function strip(expected: readonly ExpectedCandle[]): ReadRow[] {
  return expected.map((e) => {
    const r: Record<string, unknown> = { ...e };
    delete r['symbol'];
    delete r['invalid'];
    return r as unknown as ReadRow;
  });
}

describe('layouts and time units', () => {
  it('reads Binance spot with ms open_time: every column exact, 1-based row numbers', async () => {
    const fx = await writeBinanceSpotParquet(p('binance-ms.parquet'), { minutes: 100 });
    const { files, rows } = await readAll([fx.path]);
    expect(files).toEqual([
      {
        path: fx.path, layout: 'binance', timeColumn: 'open_time', timeUnit: 'ms',
        timeIsTimestampType: false, totalRows: 100, hasSymbolColumn: false,
      },
    ]);
    expect(rows).toEqual(strip(fx.expected));
    expect(rows[0]!.rowNumber).toBe(1);
    expect(rows[0]!.openTimeMs).toBe(START);
    expect(rows[0]!.closeTimeMs).toBe(START + 59_999);
    // The fixture comes from a different Parquet writer than the reader under test.
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const createdBy = (await conn.runAndReadAll('SELECT created_by FROM parquet_file_metadata(?)', [fx.path])).getRowsJS()[0]?.[0];
    conn.closeSync();
    inst.closeSync();
    expect(typeof createdBy === 'string' ? createdBy : '').toMatch(/ClickHouse/);
  });

  it('reads Binance spot with µs open_time (2025+ files) and floors close_time to ms', async () => {
    const fx = await writeBinanceSpotParquet(p('binance-us.parquet'), { minutes: 50, timeUnit: 'us' });
    const { files, rows } = await readAll([fx.path]);
    expect(files[0]!.timeUnit).toBe('us');
    expect(rows).toEqual(strip(fx.expected));
    expect(rows[3]!.closeTimeMs).toBe(START + 3 * 60_000 + 59_999);
  });

  it('reads Binance futures header names, case-insensitively, without the ignore column', async () => {
    const fx = await writeBinanceFuturesParquet(p('futures.parquet'), { minutes: 30, upperCaseNames: true, withIgnore: false });
    const { files, rows } = await readAll([fx.path]);
    expect(files[0]!.layout).toBe('binance-futures');
    expect(files[0]!.timeColumn).toBe('OPEN_TIME');
    expect(rows).toEqual(strip(fx.expected));
  });

  it('reads Bybit start_time with turnover as quote volume', async () => {
    const fx = await writeBybitParquet(p('bybit.parquet'), { minutes: 40 });
    const { files, rows } = await readAll([fx.path]);
    expect(files[0]!.layout).toBe('bybit');
    expect(files[0]!.timeColumn).toBe('start_time');
    expect(rows).toEqual(strip(fx.expected));
    expect(rows[0]!.quoteVolume).toBe(fx.expected[0]!.quoteVolume);
  });

  it('reads Bybit startTime with decimal-string values; an unparsable string becomes NaN, not 0', async () => {
    const fx = await writeBybitParquet(p('bybit-strings.parquet'), {
      minutes: 20, timeColumn: 'startTime', valuesAsStrings: true,
      invalidRows: new Map([[5, 'non_finite_value' as const]]),
    });
    const { files, rows } = await readAll([fx.path]);
    expect(files[0]!.timeColumn).toBe('startTime');
    expect(rows).toEqual(strip(fx.expected));
    expect(Number.isNaN(rows[5]!.close)).toBe(true);
    expect(rows[6]!.close).toBe(fx.expected[6]!.close);
  });

  const genericCases: { name: string; opts: Parameters<typeof writeGenericParquet>[1]; unit: string; ts: boolean }[] = [
    { name: 'TIMESTAMP(ms, UTC) by chDB', opts: { time: { kind: 'timestamp-tz', unit: 'ms' } }, unit: 'ms', ts: true },
    { name: 'TIMESTAMP(us, UTC) by chDB', opts: { time: { kind: 'timestamp-tz', unit: 'us' } }, unit: 'us', ts: true },
    { name: 'TIMESTAMP(ns, UTC) by chDB', opts: { time: { kind: 'timestamp-tz', unit: 'ns' } }, unit: 'ns', ts: true },
    { name: 'naive TIMESTAMP(ms) by DuckDB', opts: { time: { kind: 'timestamp', unit: 'ms' } }, unit: 'ms', ts: true },
    { name: 'naive TIMESTAMP(us) by DuckDB', opts: { time: { kind: 'timestamp', unit: 'us' } }, unit: 'us', ts: true },
    { name: 'naive TIMESTAMP(ns) by DuckDB', opts: { time: { kind: 'timestamp', unit: 'ns' } }, unit: 'ns', ts: true },
    { name: 'ts as epoch seconds', opts: { timeColumn: 'ts', time: { kind: 'epoch', unit: 's' } }, unit: 's', ts: false },
    { name: 'ts as epoch ns', opts: { timeColumn: 'ts', time: { kind: 'epoch', unit: 'ns' } }, unit: 'ns', ts: false },
    { name: 'time as DOUBLE epoch ms', opts: { timeColumn: 'time', time: { kind: 'epoch-double', unit: 'ms' } }, unit: 'ms', ts: false },
    { name: 'DECIMAL(18,8) values', opts: { values: 'decimal' }, unit: 'ms', ts: true },
    { name: 'decimal-string values', opts: { values: 'string', extraColumns: true }, unit: 'ms', ts: true },
  ];
  for (const c of genericCases) {
    it(`reads generic OHLCV: ${c.name}`, async () => {
      const fx = await writeGenericParquet(p(`generic-${c.name.replace(/\W+/g, '-')}.parquet`), { minutes: 45, ...c.opts });
      const { files, rows } = await readAll([fx.path]);
      expect(files[0]!.layout).toBe('generic');
      expect(files[0]!.timeUnit).toBe(c.unit);
      expect(files[0]!.timeIsTimestampType).toBe(c.ts);
      expect(rows).toEqual(strip(fx.expected));
      // UTC: the first open time is midnight UTC whatever the file's time zone annotation.
      expect(new Date(rows[0]!.openTimeMs).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    });
  }

  it('keeps invalid rows for the validator: misaligned time, NaN, negative, low above open/close', async () => {
    const fx = await writeBinanceSpotParquet(p('invalid.parquet'), { minutes: 30, invalidRows: [3, 7, 11, 15], timeUnit: 'us' });
    const { rows } = await readAll([fx.path]);
    expect(rows).toEqual(strip(fx.expected));
    expect(rows[3]!.openTimeMs % 60_000).toBe(30_000);
    expect(Number.isNaN(rows[7]!.close)).toBe(true);
    expect(rows[11]!.volume).toBeLessThan(0);
    expect(rows[15]!.low).toBeGreaterThan(rows[15]!.open);
  });
});

describe('filters', () => {
  it('takes only the requested symbol, case-insensitively, with file row numbers', async () => {
    const fx = await writeBinanceSpotParquet(p('two-symbols.parquet'), { symbols: ['BTCUSDT', 'ethusdt'], minutes: 25 });
    const { files, rows } = await readAll([fx.path], { instrument: InstrumentId.of(1, 'ETHUSDT') });
    expect(files[0]!.hasSymbolColumn).toBe(true);
    expect(files[0]!.totalRows).toBe(50);
    const eth = fx.expected.filter((e) => e.symbol === 'ethusdt');
    expect(eth).toHaveLength(25);
    expect(rows).toEqual(strip(eth));
    expect(rows[0]!.rowNumber).toBe(2);
  });

  it('reads only [start, end) for ms, µs, seconds and TIMESTAMP time columns', async () => {
    const range = TimeRange.of(START + 10 * 60_000, START + 20 * 60_000);
    const fixtures: FixtureResult[] = [
      await writeBinanceSpotParquet(p('range-ms.parquet'), { minutes: 60 }),
      await writeBinanceSpotParquet(p('range-us.parquet'), { minutes: 60, timeUnit: 'us' }),
      await writeGenericParquet(p('range-s.parquet'), { minutes: 60, timeColumn: 'ts', time: { kind: 'epoch', unit: 's' } }),
      await writeGenericParquet(p('range-tstz.parquet'), { minutes: 60 }),
      await writeGenericParquet(p('range-ts-naive.parquet'), { minutes: 60, time: { kind: 'timestamp', unit: 'us' } }),
      await writeGenericParquet(p('range-ts-ns.parquet'), { minutes: 60, time: { kind: 'timestamp', unit: 'ns' } }),
      await writeGenericParquet(p('range-double.parquet'), { minutes: 60, timeColumn: 'time', time: { kind: 'epoch-double', unit: 's' } }),
    ];
    for (const fx of fixtures) {
      const { rows } = await readAll([fx.path], { range });
      expect(rows, fx.path).toEqual(strip(fx.expected.filter((e) => range.contains(e.openTimeMs))));
      expect(rows, fx.path).toHaveLength(10);
      expect(rows[0]!.rowNumber, fx.path).toBe(11);
    }
  });

  it('skips row groups outside the range: a range inside intact groups reads fine although other groups are corrupt', async () => {
    const file = p('rowgroups.parquet');
    const fx = await writeBinanceSpotParquet(file, { minutes: 10_000, rowGroupSize: 1_000, timeUnit: 'us' });
    // Learn where row groups 0..4 store their column chunks, then overwrite them with garbage.
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const meta = await conn.runAndReadAll(
      `SELECT row_group_id, coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset), total_compressed_size
         FROM parquet_metadata(?) ORDER BY row_group_id`,
      [file],
    );
    conn.closeSync();
    inst.closeSync();
    const groups = new Set(meta.getRowsJS().map((r) => Number(r[0])));
    expect(groups.size).toBe(10);
    const fh = await openFile(file, 'r+');
    try {
      for (const [rg, offset, size] of meta.getRowsJS()) {
        if (Number(rg) > 4) continue;
        await fh.write(Buffer.alloc(Number(size), 0xa5), 0, Number(size), Number(offset));
      }
    } finally {
      await fh.close();
    }
    // Rows 7,001..7,100 live in row group 7.
    const range = TimeRange.of(START + 7_000 * 60_000, START + 7_100 * 60_000);
    const { rows } = await readAll([file], { range });
    expect(rows).toEqual(strip(fx.expected.slice(7_000, 7_100)));
    expect(rows[0]!.rowNumber).toBe(7_001);
    // The corruption is real: a range touching group 2 fails, naming the file.
    const bad = TimeRange.of(START + 2_500 * 60_000, START + 2_600 * 60_000);
    await expect(readAll([file], { range: bad })).rejects.toThrow(InputError);
    await expect(readAll([file], { range: bad })).rejects.toThrow(file);
  });

  it('yields batches of at most batchSize rows, file after file, with the file name', async () => {
    const a = await writeBinanceSpotParquet(p('batches/a.parquet'), { minutes: 20 });
    const b = await writeBinanceSpotParquet(p('batches/b.parquet'), { minutes: 9, startMs: START + 20 * 60_000, seed: 7 });
    const { rows, chunks } = await readAll([a.path, b.path], { batchSize: 7 });
    expect(chunks.map((c) => [path.basename(c.file), c.batch.length])).toEqual([
      ['a.parquet', 7], ['a.parquet', 7], ['a.parquet', 6], ['b.parquet', 7], ['b.parquet', 2],
    ]);
    expect(rows).toEqual([...strip(a.expected), ...strip(b.expected)]);
  });

  it('reads a 4-row-group file with the default batch size: batches of 65,536 rows', async () => {
    const fx = await writeBinanceSpotParquet(p('big.parquet'), { minutes: 70_000, rowGroupSize: 20_000 });
    const { rows, chunks } = await readAll([fx.path]);
    expect(chunks.map((c) => c.batch.length)).toEqual([65_536, 70_000 - 65_536]);
    expect(rows).toHaveLength(70_000);
    expect(rows[69_999]).toEqual(strip(fx.expected.slice(69_999))[0]);
    expect(rows.every((r, i) => r.rowNumber === i + 1)).toBe(true);
  });

  it('reads the same rows, in file order, with 1 (the default) and 3 decoding threads; 0 threads is refused', async () => {
    const fx = await writeBinanceSpotParquet(p('threads.parquet'), { minutes: 9_000, rowGroupSize: 1_000 });
    const one = await readAll([fx.path], { batchSize: 4_096 });
    const three = await readAll([fx.path], { batchSize: 4_096, threads: 3 });
    expect(one.rows).toEqual(strip(fx.expected));
    expect(three.rows).toEqual(one.rows);
    expect(three.chunks.map((c) => c.batch.length)).toEqual([4_096, 4_096, 808]);
    expect(() => new DuckDbParquetCandleSource({ paths: [fx.path], logger: silentLogger, threads: 0 })).toThrow(RangeError);
  });
});

describe('inputs', () => {
  it('reads a directory recursively, sorted, ignoring non-Parquet files', async () => {
    const d = p('tree');
    const b = await writeBinanceSpotParquet(path.join(d, 'sub', 'b.parquet'), { minutes: 3, startMs: START + 3 * 60_000 });
    const a = await writeBinanceSpotParquet(path.join(d, 'a.parquet'), { minutes: 3 });
    await writeFile(path.join(d, 'notes.txt'), 'not parquet');
    await writeFile(path.join(d, 'sub', 'data.csv'), 'open_time\n1\n');
    const { files, rows } = await readAll([d]);
    expect(files.map((f) => path.relative(d, f.path))).toEqual(['a.parquet', path.join('sub', 'b.parquet')]);
    expect(rows).toEqual([...strip(a.expected), ...strip(b.expected)]);
  });

  it('rejects a nonexistent path and a directory without Parquet files with UsageError naming the path', async () => {
    const missing = p('does-not-exist.parquet');
    await expect(readAll([missing])).rejects.toThrow(UsageError);
    await expect(readAll([missing])).rejects.toThrow(missing);
    const empty = p('empty-dir');
    await mkdir(empty, { recursive: true });
    await writeFile(path.join(empty, 'readme.md'), 'x');
    await expect(readAll([empty])).rejects.toThrow(UsageError);
    await expect(readAll([empty])).rejects.toThrow(empty);
  });

  it('fails open() with InputError naming a truncated file, before any batch of the good file', async () => {
    const good = await writeBinanceSpotParquet(p('bad/1-good.parquet'), { minutes: 10 });
    const truncated = await writeTruncatedCopy(good.path, p('bad/2-truncated.parquet'));
    const source = new DuckDbParquetCandleSource({ paths: [good.path, truncated], logger: silentLogger });
    let scan: CandleScan | undefined;
    const err = await source.open({ instrument: BTC, range: ALL }).then(
      (s) => {
        scan = s;
        return undefined;
      },
      (e: unknown) => e,
    );
    if (scan !== undefined) await scan.close();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(truncated);
  });

  it('fails open() with InputError naming a non-Parquet file', async () => {
    const bad = await writeNotParquet(p('bad2/prices.parquet'));
    const err = await readAll([bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(bad);
  });

  it('fails open() with InputError listing the columns of an unknown layout', async () => {
    const fx = await writeGenericParquet(p('bad3/unknown.parquet'), { minutes: 3, timeColumn: 'when' });
    const err = await readAll([fx.path]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(fx.path);
    expect((err as Error).message).toContain('found columns [when, open, high, low, close, volume]');
  });

  it('reads exactly the named file when its name holds glob characters', async () => {
    const star = await writeBinanceSpotParquet(p('glob/b*.parquet'), { minutes: 3 });
    await writeBinanceSpotParquet(p('glob/bzzz.parquet'), { minutes: 5 });
    const q = await writeBinanceSpotParquet(p('glob/c?[1].parquet'), { minutes: 4 });
    await writeBinanceSpotParquet(p('glob/cx1.parquet'), { minutes: 6 });
    const a = await readAll([star.path]);
    expect(a.files[0]!.totalRows).toBe(3);
    expect(a.rows).toEqual(strip(star.expected));
    const b = await readAll([q.path]);
    expect(b.files[0]!.totalRows).toBe(4);
    expect(b.rows).toEqual(strip(q.expected));
  });

  it('returns a row whose time is NULL as NaN (for the validator) instead of dropping it', async () => {
    const file = p('null-time.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(
      `COPY (SELECT * FROM (VALUES (1704067200000::BIGINT, 1.0, 2.0, 0.5, 1.5, 10.0), (NULL, 1.0, 2.0, 0.5, 1.5, 11.0),
              (1704067260000, 1.5, 2.5, 1.0, 2.0, 12.0)) AS t(ts, open, high, low, close, volume)) TO '${file}' (FORMAT parquet)`,
    );
    conn.closeSync();
    inst.closeSync();
    const { rows } = await readAll([file], { range: TimeRange.of(START, START + 3_600_000) });
    expect(rows.map((r) => [r.rowNumber, r.openTimeMs, r.volume])).toEqual([[1, START, 10], [2, NaN, 11], [3, START + 60_000, 12]]);
  });

  it('returns NULL values as NaN (from the former page-scan comparison): a NULL time is kept whatever the range', async () => {
    const file = p('null-values.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(
      `COPY (SELECT * FROM (VALUES (1704067200000::BIGINT, 1.0::DOUBLE, 2.0::DOUBLE, 0.5::DOUBLE, 1.5::DOUBLE, 10.0::DOUBLE), (NULL, 1.0, 2.0, 0.5, 1.5, 11.0),
              (1704067260000, NULL, 2.5, 1.0, 2.0, 12.0), (1704067320000, 1.5, 2.5, 1.0, 2.0, NULL)) AS t(ts, open, high, low, close, volume))
         TO '${file}' (FORMAT parquet, COMPRESSION snappy)`,
    );
    conn.closeSync();
    inst.closeSync();
    const { rows } = await readAll([file], { range: TimeRange.of(START + 60_000, START + 3_600_000), batchSize: 10 });
    expect(rows.map((r) => [r.rowNumber, r.openTimeMs, r.open, r.volume])).toEqual([
      [2, NaN, 1, 11],
      [3, START + 60_000, NaN, 12],
      [4, START + 120_000, 1.5, NaN],
    ]);
  });

  it('reads a path with quotes and spaces in its name', async () => {
    const fx = await writeBinanceSpotParquet(p(`it's "odd" dir/k lines.parquet`), { minutes: 5 });
    const { rows } = await readAll([fx.path]);
    expect(rows).toEqual(strip(fx.expected));
  });
});

describe('examples/BTCUSDT-1m-sample.parquet', () => {
  it('matches its generator and reads through the CLI wiring factory', async () => {
    const sample = path.resolve(import.meta.dirname, '..', 'examples', 'BTCUSDT-1m-sample.parquet');
    const regenerated = await writeBinanceSampleParquet(p('sample-again.parquet'));
    const source = createParquetCandleSource({ paths: [sample], logger: silentLogger, batchSize: 1_000 });
    const range = TimeRange.parse('2024-10-01T00:00:00Z', '2024-10-04T00:00:00Z');
    expect(range.startMs).toBe(SAMPLE_START_MS);
    const scan = await source.open({ instrument: BTC, range });
    let n = 0;
    let last = NaN;
    try {
      expect(scan.files[0]).toMatchObject({ layout: 'binance', timeUnit: 'ms', totalRows: SAMPLE_MINUTES });
      for await (const chunk of scan.batches()) {
        for (let i = 0; i < chunk.batch.length; i++) {
          const e = regenerated.expected[n]!;
          expect(chunk.batch.openTimeMs[i]).toBe(e.openTimeMs);
          expect(chunk.batch.close[i]).toBe(e.close);
          expect(chunk.batch.trades![i]).toBe(e.trades);
          expect(chunk.rowNumbers[i]).toBe(n + 1);
          last = chunk.batch.openTimeMs[i]!;
          n++;
        }
      }
    } finally {
      await scan.close();
    }
    expect(n).toBe(4_320);
    expect(new Date(last).toISOString()).toBe('2024-10-03T23:59:00.000Z');
  });
});
