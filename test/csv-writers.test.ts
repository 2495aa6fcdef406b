import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleSeriesBatch } from '../src/application/bar-batch.js';
import type { BarBatch } from '../src/application/bar-batch.js';
import { CombinedCsvWriter } from '../src/adapters/csv/combined-csv-writer.js';
import { CsvRejectFile } from '../src/adapters/csv/csv-reject-file.js';
import { CsvBarFileReader } from '../src/adapters/csv/csv-bar-file-reader.js';
import { InputError } from '../src/kernel/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'barfill-csvw-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 2, 8, 14, 30);

function batch(ticker: string, n: number, from = 0): BarBatch {
  const ts = Float64Array.from({ length: n }, (_, i) => T0 + (from + i) * 60_000);
  const px = Float64Array.from({ length: n }, (_, i) => 100 + i / 10 + 0.1 + 0.2);
  return singleSeriesBatch(
    { ticker, exchange: 'NASDAQ', intervalMinutes: 1 },
    { timestampMs: ts, open: px, high: px.map((x) => x + 1), low: px.map((x) => x - 1), close: px, volume: px.map((_, i) => 1e21 + i) },
  );
}

async function tempLeft(d: string): Promise<string[]> {
  return (await readdir(d)).filter((f) => f.endsWith('.tmp'));
}

describe('CombinedCsvWriter', () => {
  it('writes the header and rows, invisible until commit, then renames atomically with mode 0644', async () => {
    const d = await mkdtemp(path.join(dir, 'a-'));
    const dest = path.join(d, 'out.csv');
    const w = await CombinedCsvWriter.open(dest);
    await Promise.all([w.append(batch('AAPL', 3)), w.append(batch('MSFT', 2))]);
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await tempLeft(d)).toHaveLength(1);
    await w.commit();
    expect(await tempLeft(d)).toEqual([]);
    expect(w.rows).toBe(5);
    const text = await readFile(dest, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume');
    const p = 100 + 0 / 10 + 0.1 + 0.2;
    expect(lines[1]).toBe(`AAPL,NASDAQ,1,2024-03-08T14:30:00Z,${p},${p + 1},${p - 1},${p},1e+21`);
    expect(lines[1]).toContain('1e+21');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['AAPL', 'AAPL', 'AAPL', 'MSFT', 'MSFT']);
    expect((await stat(dest)).mode & 0o777).toBe(0o644);
  });

  it('round-trips through the reader exactly', async () => {
    const dest = path.join(dir, 'roundtrip.csv');
    const w = await CombinedCsvWriter.open(dest);
    const b = batch('NVDA', 50);
    await w.append(b);
    await w.commit();
    const got: BarBatch[] = [];
    for await (const x of new CsvBarFileReader().read(dest, { defaultExchange: 'X', defaultIntervalMinutes: 5, onReject: () => {} })) got.push(x);
    expect(got).toHaveLength(1);
    expect(Array.from(got[0]!.open)).toEqual(Array.from(b.open));
    expect(Array.from(got[0]!.volume)).toEqual(Array.from(b.volume));
    expect(Array.from(got[0]!.timestampMs)).toEqual(Array.from(b.timestampMs));
    expect(got[0]!.series).toEqual([{ ticker: 'NVDA', exchange: 'NASDAQ', intervalMinutes: 1 }]);
  });

  it('abort leaves no temporary file and keeps an existing destination', async () => {
    const d = await mkdtemp(path.join(dir, 'b-'));
    const dest = path.join(d, 'out.csv');
    await writeFile(dest, 'old\n');
    const w = await CombinedCsvWriter.open(dest);
    await w.append(batch('AAPL', 10));
    await w.abort();
    await w.abort();
    expect(await readdir(d)).toEqual(['out.csv']);
    expect(await readFile(dest, 'utf8')).toBe('old\n');
  });

  it('replaces a symlink planted at the destination instead of following it', async () => {
    const d = await mkdtemp(path.join(dir, 'c-'));
    const victim = path.join(d, 'victim.txt');
    await writeFile(victim, 'precious\n');
    const dest = path.join(d, 'out.csv');
    await symlink(victim, dest);
    const w = await CombinedCsvWriter.open(dest);
    await w.append(batch('AAPL', 1));
    await w.commit();
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect((await lstat(dest)).isSymbolicLink()).toBe(false);
    expect(await readFile(dest, 'utf8')).toContain('AAPL,NASDAQ,1,2024-03-08T14:30:00Z');
  });

  it('fails with an InputError naming the path when the directory is missing or the path is a directory', async () => {
    const bad = path.join(dir, 'no-such-dir', 'out.csv');
    await expect(CombinedCsvWriter.open(bad)).rejects.toThrow(InputError);
    await expect(CombinedCsvWriter.open(bad)).rejects.toThrow(/no-such-dir.*does not exist/);
    const sub = path.join(dir, 'isdir');
    await mkdir(sub);
    await expect(CombinedCsvWriter.open(sub)).rejects.toThrow(/is a directory/);
  });
});

describe('CsvRejectFile', () => {
  it('writes file,row,reason,detail,values atomically on close', async () => {
    const d = await mkdtemp(path.join(dir, 'r-'));
    const dest = path.join(d, 'rejects.csv');
    const sink = await CsvRejectFile.create(dest);
    sink.add({ file: 'a.csv', row: 4, reason: 'naive_timestamp', detail: "timestamp '2024-03-08 14:31:00' has no UTC offset", values: { ticker: 'AAPL', open: '1,5' } });
    for (let i = 0; i < 3000; i++) sink.add({ file: 'b.csv', row: i + 2, reason: 'bad_number', detail: 'x', values: { v: i } });
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    await sink.close();
    expect(sink.count).toBe(3001);
    expect(await tempLeft(d)).toEqual([]);
    const lines = (await readFile(dest, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('file,row,reason,detail,values');
    expect(lines[1]).toBe(`a.csv,4,naive_timestamp,timestamp '2024-03-08 14:31:00' has no UTC offset,"{""ticker"":""AAPL"",""open"":""1,5""}"`);
    expect(lines).toHaveLength(3002);
    expect(lines[3001]).toBe('b.csv,3001,bad_number,x,"{""v"":2999}"');
    expect((await stat(dest)).mode & 0o777).toBe(0o644);
  });

  it('writes a header-only file when nothing was rejected', async () => {
    const dest = path.join(dir, 'none.csv');
    const sink = await CsvRejectFile.create(dest);
    await sink.close();
    expect(await readFile(dest, 'utf8')).toBe('file,row,reason,detail,values\n');
  });
});
