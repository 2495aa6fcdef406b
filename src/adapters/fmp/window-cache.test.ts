import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/logger.js';
import { newYorkToUtcMs } from './new-york-time.js';
import type { ParsedBars } from './parse-bars.js';
import { FileWindowCache, safeSegment, vendorOf, type WindowKey } from './window-cache.js';

const KEY: WindowKey = { ticker: 'AAPL', intervalMinutes: 1, fromDate: '2024-03-04', toDate: '2024-03-19' };
const NOW = newYorkToUtcMs('2024-06-03 12:00:00');

function answer(n: number): ParsedBars {
  const col = (k: number): Float64Array => Float64Array.from({ length: n }, (_, i) => k * 1000 + i + 0.25);
  return {
    columns: { timestampMs: col(1), open: col(2), high: col(3), low: col(4), close: col(5), volume: col(6) },
    rowCount: n + 1,
    oldestDate: '2024-03-04',
    duplicates: 1,
    conflicts: 0,
    outsideWindow: 0,
  };
}

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(bin|tmp)$/.test(f));
}

function cache(root: string, now = NOW): FileWindowCache {
  return new FileWindowCache({ root, baseUrl: 'https://user:secret@fmp.example:8443/api/?apikey=k', logger: silentLogger, now: () => now });
}

describe('FileWindowCache', () => {
  it('gives back exactly what was put, and nothing for another window', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'barfill-wc-'));
    const c = cache(root);
    await c.put(KEY, answer(5));
    const got = await c.get(KEY);
    expect(got?.columns).toEqual(answer(5).columns);
    expect([got?.rowCount, got?.oldestDate]).toEqual([6, '2024-03-04']);
    expect(await c.get({ ...KEY, toDate: '2024-03-18' })).toBeUndefined();
    expect(await c.get({ ...KEY, intervalMinutes: 5 })).toBeUndefined();
    expect(await cache(root).countCached('AAPL', 1, [KEY, { fromDate: '2024-03-20', toDate: '2024-03-29' }])).toBe(1);
    // The vendor is the host and path: no user, password or query (the API key) in any path or header.
    expect(files(root)[0]).toContain(safeSegment('fmp.example:8443/api'));
    for (const f of files(root)) expect(readFileSync(path.join(root, f)).toString('latin1')).not.toMatch(/secret|apikey/);
  });

  it('does not trust an entry moved to another window, nor an expired one', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'barfill-wc-'));
    const c = cache(root);
    await c.put(KEY, answer(3));
    const [f] = files(root) as [string];
    const moved = path.join(root, path.dirname(f), '2024-03-05_2024-03-19.bin');
    renameSync(path.join(root, f), moved);
    expect(await c.get({ ...KEY, fromDate: '2024-03-05' })).toBeUndefined();
    expect(files(root)).toEqual([]); // removed
    await c.put(KEY, answer(3));
    expect(await cache(root, NOW + 8 * 86_400_000).get(KEY)).toBeUndefined();
  });

  it('keeps no window that reaches today (New York), which may still grow', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'barfill-wc-'));
    await cache(root).put({ ...KEY, fromDate: '2024-05-28', toDate: '2024-06-03' }, answer(2));
    expect(files(root)).toEqual([]);
    await cache(root).put({ ...KEY, fromDate: '2024-05-28', toDate: '2024-05-31' }, answer(2));
    expect(files(root)).toHaveLength(1);
  });

  it('removes a committed ticker\'s entries inside its range only, and sweeps old temporary files', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'barfill-wc-'));
    const c = cache(root);
    await c.put(KEY, answer(1));
    await c.put({ ...KEY, fromDate: '2024-04-01', toDate: '2024-04-12' }, answer(1));
    await c.put({ ...KEY, ticker: 'MSFT' }, answer(1));
    await c.removeTicker('AAPL', 1, '2024-03-01', '2024-03-31');
    expect(files(root).map((f) => path.basename(f)).sort()).toEqual(['2024-03-04_2024-03-19.bin', '2024-04-01_2024-04-12.bin']);
    const dir = path.join(root, path.dirname(files(root)[0]!));
    writeFileSync(path.join(dir, 'x.bin.1.ab.tmp'), 'partial');
    await cache(root, Date.now() + 2 * 3_600_000).sweep();
    expect(files(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a cache that cannot be written warns once and never fails the fetch', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'barfill-wc-'));
    writeFileSync(path.join(dir, 'file'), 'x');
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const c = new FileWindowCache({ root: path.join(dir, 'file', 'cache'), baseUrl: 'http://127.0.0.1:1', logger, now: () => NOW });
    await c.put(KEY, answer(1));
    await c.put({ ...KEY, ticker: 'MSFT' }, answer(1));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot keep fetched windows/);
    expect(await c.get(KEY)).toBeUndefined();
  });

  it('names paths so that no ticker can leave its directory', () => {
    expect(safeSegment('..')).toBe('%2E%2E');
    expect(safeSegment('BRK.B')).toBe('BRK%2EB');
    expect(safeSegment('^GSPC')).toBe('%5EGSPC');
    expect(vendorOf('https://u:p@financialmodelingprep.com/')).toBe('financialmodelingprep.com');
  });
});
