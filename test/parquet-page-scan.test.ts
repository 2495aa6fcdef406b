/**
 * The page scan against DuckDB's query over the same files: for every file the
 * page scan takes, both readers must yield the same rows (values, NaN for NULL,
 * time conversions, row numbers) and the same batch sizes; files it does not
 * support go to DuckDB, and a corrupt page fails naming file, row group and column.
 */
import { mkdtemp, open as openFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbParquetCandleSource } from '../src/adapters/parquet/duckdb-parquet-candle-source.js';
import type { SourceChunk } from '../src/application/ports/candle-source.js';
import { InputError } from '../src/kernel/errors.js';
import { InstrumentId } from '../src/kernel/instrument-id.js';
import type { Logger } from '../src/kernel/logger.js';
import { TimeRange } from '../src/kernel/time-range.js';
import {
  writeBinanceFuturesParquet,
  writeBinanceSpotParquet,
  writeBybitParquet,
  writeGenericParquet,
  type FixtureResult,
} from '../test-support/parquet-fixtures.js';

const START = Date.UTC(2024, 0, 1);
const ALL = TimeRange.of(Date.UTC(1990, 0, 1), Date.UTC(2100, 0, 1));
const BTC = InstrumentId.of(1, 'BTCUSDT');
let dir = '';
const p = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'barfill-pages-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every column of every batch, as plain arrays, with the reader the source chose for each file. */
async function read(file: string, reader: 'auto' | 'duckdb', range: TimeRange, batchSize: number): Promise<{ readers: string[]; chunks: Record<string, number[]>[] }> {
  const readers: string[] = [];
  const logger: Logger = {
    debug: (message, fields) => {
      if (message === 'parquet input opened') readers.push(String(fields?.['reader']));
    },
    info() {},
    warn() {},
    error() {},
  };
  const source = new DuckDbParquetCandleSource({ paths: [file], logger, batchSize, reader });
  const scan = await source.open({ instrument: BTC, range });
  const chunks: Record<string, number[]>[] = [];
  try {
    for await (const c of scan.batches()) chunks.push(flatten(c));
  } finally {
    await scan.close();
  }
  return { readers, chunks };
}

function flatten(c: SourceChunk): Record<string, number[]> {
  const out: Record<string, number[]> = { rowNumbers: Array.from(c.rowNumbers) };
  for (const [k, v] of Object.entries(c.batch)) if (v instanceof Float64Array) out[k] = Array.from(v);
  return out;
}

async function expectSame(file: string, range: TimeRange = ALL, batchSize = 1_000): Promise<number> {
  const pages = await read(file, 'auto', range, batchSize);
  const duck = await read(file, 'duckdb', range, batchSize);
  expect(pages.readers).toEqual(['pages']);
  expect(duck.readers).toEqual(['duckdb']);
  expect(pages.chunks.map((c) => c['rowNumbers']?.length)).toEqual(duck.chunks.map((c) => c['rowNumbers']?.length));
  expect(pages.chunks).toEqual(duck.chunks);
  return pages.chunks.reduce((n, c) => n + (c['rowNumbers']?.length ?? 0), 0);
}

async function encodingsOf(file: string): Promise<string[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll('SELECT DISTINCT encodings FROM parquet_metadata(?)', [file]);
    return r.getRowsJS().map((row) => (typeof row[0] === 'string' ? row[0] : ''));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const rowsOf = (fx: FixtureResult): number => fx.expected.length;

describe('the page scan reads what DuckDB reads', () => {
  for (const compression of ['zstd', 'snappy', 'gzip', 'uncompressed'] as const) {
    it(`Binance spot, ms, ${compression}, written by chDB, several row groups and batches across them`, async () => {
      const fx = await writeBinanceSpotParquet(p(`spot-${compression}.parquet`), { minutes: 5_000, rowGroupSize: 1_300, compression, invalidRows: [4, 1_299, 1_300, 4_999] });
      expect(await expectSame(fx.path, ALL, 777)).toBe(rowsOf(fx));
    });
  }

  it('Binance spot in microseconds: open time exact, close time floored, a range cutting row groups', async () => {
    const fx = await writeBinanceSpotParquet(p('spot-us.parquet'), { minutes: 3_000, rowGroupSize: 1_000, timeUnit: 'us', compression: 'snappy', invalidRows: [10, 20, 30, 40] });
    expect(await expectSame(fx.path, TimeRange.of(START + 950 * 60_000, START + 2_050 * 60_000), 256)).toBe(1_100);
  });

  it('Binance futures names, Bybit start_time, generic seconds and DOUBLE epochs', async () => {
    const futures = await writeBinanceFuturesParquet(p('futures.parquet'), { minutes: 400, compression: 'snappy' });
    expect(await expectSame(futures.path)).toBe(400);
    const bybit = await writeBybitParquet(p('bybit.parquet'), { minutes: 400, timeColumn: 'start_time', compression: 'gzip' });
    expect(await expectSame(bybit.path)).toBe(400);
    const secs = await writeGenericParquet(p('generic-s.parquet'), { minutes: 300, timeColumn: 'ts', time: { kind: 'epoch', unit: 's' } });
    expect(await expectSame(secs.path, TimeRange.of(START + 60_000, START + 200 * 60_000))).toBe(199);
    const dbl = await writeGenericParquet(p('generic-double.parquet'), { minutes: 300, timeColumn: 'time', time: { kind: 'epoch-double', unit: 'ms' } });
    expect(await expectSame(dbl.path)).toBe(300);
  });

  it('DuckDB-written files: OPTIONAL columns, data pages v2 with DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT, dictionaries', async () => {
    const v2 = await writeBinanceSpotParquet(p('v2.parquet'), { minutes: 2_500, rowGroupSize: 1_000, writer: 'duckdb', dataPageVersion: 2, compression: 'snappy' });
    expect(await encodingsOf(v2.path)).toEqual(expect.arrayContaining(['DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT']));
    expect(await expectSame(v2.path, ALL, 999)).toBe(2_500);
    // Prices that barely move repeat a lot: DuckDB writes them with a dictionary.
    const dict = await writeGenericParquet(p('duck-dict.parquet'), { minutes: 3_000, writer: 'duckdb', time: { kind: 'epoch', unit: 'ms' }, volatility: 0, compression: 'zstd' });
    expect((await encodingsOf(dict.path)).some((e) => e.includes('DICTIONARY'))).toBe(true);
    expect(await expectSame(dict.path)).toBe(3_000);
  });

  it('NULL values become NaN, and a NULL time is kept as NaN whatever the range', async () => {
    const file = p('nulls.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(
      `COPY (SELECT * FROM (VALUES (1704067200000::BIGINT, 1.0::DOUBLE, 2.0::DOUBLE, 0.5::DOUBLE, 1.5::DOUBLE, 10.0::DOUBLE), (NULL, 1.0, 2.0, 0.5, 1.5, 11.0),
              (1704067260000, NULL, 2.5, 1.0, 2.0, 12.0), (1704067320000, 1.5, 2.5, 1.0, 2.0, NULL)) AS t(ts, open, high, low, close, volume))
         TO '${file}' (FORMAT parquet, COMPRESSION snappy)`,
    );
    conn.closeSync();
    inst.closeSync();
    expect(await expectSame(file, TimeRange.of(START + 60_000, START + 3_600_000))).toBe(3);
    const { chunks } = await read(file, 'auto', TimeRange.of(START + 60_000, START + 3_600_000), 10);
    expect(chunks[0]?.['rowNumbers']).toEqual([2, 3, 4]);
    expect(chunks[0]?.['openTimeMs']).toEqual([NaN, START + 60_000, START + 120_000]);
    expect(chunks[0]?.['open']).toEqual([1, NaN, 1.5]);
    expect(chunks[0]?.['volume']).toEqual([11, 12, NaN]);
  });
});

describe('files the page scan leaves to DuckDB', () => {
  it('a symbol column, TIMESTAMP and nanosecond times, DECIMAL or string values', async () => {
    const cases: [string, Promise<FixtureResult>, RegExp][] = [
      ['symbol', writeBybitParquet(p('sym.parquet'), { symbols: ['BTCUSDT', 'ETHUSDT'], minutes: 10 }), /symbol column/],
      ['timestamp', writeGenericParquet(p('ts.parquet'), { minutes: 10, time: { kind: 'timestamp', unit: 'us' } }), /timestamp/],
      ['ns', writeGenericParquet(p('ns.parquet'), { minutes: 10, timeColumn: 'ts', time: { kind: 'epoch', unit: 'ns' } }), /integer \(ns\)/],
      ['decimal', writeGenericParquet(p('dec.parquet'), { minutes: 10, time: { kind: 'epoch', unit: 'ms' }, values: 'decimal' }), /DECIMAL/],
      ['string', writeGenericParquet(p('str.parquet'), { minutes: 10, time: { kind: 'epoch', unit: 'ms' }, values: 'string' }), /BYTE_ARRAY|VARCHAR/],
    ];
    for (const [, made, why] of cases) {
      const fx = await made;
      const { readers, chunks } = await read(fx.path, 'auto', ALL, 1_000);
      expect(readers).toHaveLength(1);
      expect(readers[0]).toMatch(/^duckdb \(page scan: /);
      expect(readers[0]).toMatch(why);
      expect(chunks.reduce((n, c) => n + (c['rowNumbers']?.length ?? 0), 0)).toBeGreaterThan(0);
    }
  });
});

describe('a corrupt page', () => {
  it('fails with InputError naming the file, the row group and the column', async () => {
    const fx = await writeBinanceSpotParquet(p('corrupt.parquet'), { minutes: 3_000, rowGroupSize: 1_000, compression: 'snappy' });
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const meta = await conn.runAndReadAll(
      "SELECT coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset), total_compressed_size FROM parquet_metadata(?) WHERE row_group_id = 1 AND path_in_schema = 'high'",
      [fx.path],
    );
    conn.closeSync();
    inst.closeSync();
    const [offset, size] = (meta.getRowsJS()[0] ?? []).map(Number);
    const fh = await openFile(fx.path, 'r+');
    try {
      // Keep the chunk's first page header, garble the middle of the chunk.
      const third = Math.floor(size! / 3);
      await fh.write(Buffer.alloc(third, 0xff), 0, third, offset! + third);
    } finally {
      await fh.close();
    }
    const err = await read(fx.path, 'auto', ALL, 500).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(fx.path);
    expect((err as Error).message).toMatch(/row group 1, column high: /);
    // The first row group still reads: the range that avoids the corrupt group succeeds.
    expect(await expectSame(fx.path, TimeRange.of(START, START + 900 * 60_000))).toBe(900);
  });
});
