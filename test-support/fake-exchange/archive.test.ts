import { createHash } from 'node:crypto';
import { unzipSync, strFromU8 } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { FUTURES_HEADER } from './archive.js';
import { DEFAULT_LISTINGS, binanceFields, candleAt, candlesIn } from './data.js';
import type { Market } from './data.js';
import { startFakeExchange } from './server.js';
import type { FakeExchange, FakeExchangeOptions } from './server.js';

const NOW = Date.UTC(2025, 3, 15, 10, 0); // 2025-04-15T10:00Z
let fake: FakeExchange | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeExchangeOptions = {}): Promise<FakeExchange> {
  fake = await startFakeExchange({ now: NOW, ...options });
  return fake;
}

function pathOf(market: 'spot' | 'um', symbol: string, period: string): string {
  const kind = period.length === 10 ? 'daily' : 'monthly';
  const root = market === 'spot' ? 'spot' : 'futures/um';
  return `/data/${root}/${kind}/klines/${symbol}/1m/${symbol}-1m-${period}.zip`;
}

interface Download {
  readonly status: number;
  readonly zip: Uint8Array;
  readonly checksum: string;
}

async function download(fx: FakeExchange, path: string): Promise<Download> {
  const sum = await fetch(`${fx.url}${path}.CHECKSUM`);
  const checksum = await sum.text();
  const res = await fetch(`${fx.url}${path}`);
  return { status: res.status, zip: new Uint8Array(await res.arrayBuffer()), checksum: sum.status === 200 ? checksum : '' };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Verifies the checksum line and unzips the one CSV, checking its name. */
function verifiedCsv(d: Download, path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  expect(d.status).toBe(200);
  expect(d.checksum).toBe(`${sha256(d.zip)}  ${name}\n`);
  const files = unzipSync(d.zip);
  expect(Object.keys(files)).toEqual([name.replace(/\.zip$/, '.csv')]);
  return strFromU8(Object.values(files)[0]!);
}

interface Row {
  readonly openMs: number;
  readonly fields: string[];
}

/** Parses a CSV independently of the fake: time unit from the digit count; returns the malformed lines. */
function parseCsv(csv: string, micro: boolean): Row[] {
  const bad: string[] = [];
  const number8 = /^\d+\.\d{8}$/;
  const rows = csv.trimEnd().split('\n').map((line) => {
    const f = line.split(',');
    const openMs = micro ? Number(f[0]) / 1000 : Number(f[0]);
    const ok =
      f.length === 12 &&
      (micro ? /^\d{16}$/ : /^\d{13}$/).test(f[0]!) &&
      Number(f[6]) - Number(f[0]) === (micro ? 59_999_999 : 59_999) &&
      [1, 2, 3, 4, 5, 7, 9, 10].every((i) => number8.test(f[i]!)) &&
      f[11] === '0';
    if (!ok) bad.push(line);
    return { openMs, fields: f };
  });
  expect(bad).toEqual([]);
  return rows;
}

function expectMatchesData(rows: readonly Row[], market: Market, symbol: string, fromMs: number, toMs: number): void {
  const expected = candlesIn(market, symbol, fromMs, toMs - 1);
  expect(rows.map((r) => r.openMs)).toEqual(expected.map((c) => c.openTimeMs));
  const got = rows.map((r) => [...r.fields.slice(1, 6), ...r.fields.slice(7, 11)].join(','));
  const want = expected.map((c) => {
    const e = binanceFields(c);
    return [e.open, e.high, e.low, e.close, e.volume, e.quoteVolume, String(e.trades), e.takerBuyBase, e.takerBuyQuote].join(',');
  });
  expect(got).toEqual(want);
}

// Monthly files hold ~44,640 rows: building one takes a second or two on a busy machine.
describe('fake Binance archive', { timeout: 30_000 }, () => {
  it('serves spot daily zips in milliseconds before 2025-01-01 and microseconds from it, matching the data', async () => {
    const fx = await start();
    const dec31 = pathOf('spot', 'BTCUSDT', '2024-12-31');
    const rowsMs = parseCsv(verifiedCsv(await download(fx, dec31), dec31), false);
    expect(rowsMs).toHaveLength(1440);
    expectMatchesData(rowsMs, 'binance-spot', 'BTCUSDT', Date.UTC(2024, 11, 31), Date.UTC(2025, 0, 1));
    const jan1 = pathOf('spot', 'BTCUSDT', '2025-01-01');
    const rowsUs = parseCsv(verifiedCsv(await download(fx, jan1), jan1), true);
    expect(rowsUs[0]!.fields[0]).toBe(`${Date.UTC(2025, 0, 1)}000`);
    expectMatchesData(rowsUs, 'binance-spot', 'BTCUSDT', Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 2));
    expect(fx.stats.byKind['archive-zip']).toBe(2);
    expect(fx.stats.byKind['archive-checksum']).toBe(2);
  });

  it('serves monthly zips, with the maintenance window and the listing as known gaps', async () => {
    const fx = await start();
    const feb = pathOf('spot', 'ETHUSDT', '2025-02');
    const rows = parseCsv(verifiedCsv(await download(fx, feb), feb), true);
    expect(rows).toHaveLength(28 * 1440 - 150); // 02:00..04:30 on the 10th is maintenance
    expectMatchesData(rows, 'binance-spot', 'ETHUSDT', Date.UTC(2025, 1, 1), Date.UTC(2025, 2, 1));
    const listed = DEFAULT_LISTINGS['NEWUSDT']!;
    expect((await download(fx, pathOf('spot', 'NEWUSDT', '2025-03-14'))).status).toBe(404);
    expect((await download(fx, pathOf('spot', 'NEWUSDT', '2025-02'))).status).toBe(404);
    const first = pathOf('spot', 'NEWUSDT', '2025-03-15');
    const firstRows = parseCsv(verifiedCsv(await download(fx, first), first), true);
    expect(firstRows[0]!.openMs).toBe(listed);
    expect(firstRows).toHaveLength(1440 - (8 * 60 + 30));
  });

  it('writes the futures header from 2022 on, none before, times in milliseconds', async () => {
    const fx = await start();
    const recent = pathOf('um', 'BTCUSDT', '2024-03-05');
    const lines = verifiedCsv(await download(fx, recent), recent).trimEnd().split('\n');
    expect(lines[0]).toBe(FUTURES_HEADER);
    const rows = parseCsv(lines.slice(1).join('\n'), false);
    expectMatchesData(rows, 'binance-um', 'BTCUSDT', Date.UTC(2024, 2, 5), Date.UTC(2024, 2, 6));
    const old = pathOf('um', 'BTCUSDT', '2021-06-01');
    const oldCsv = verifiedCsv(await download(fx, old), old);
    expect(oldCsv.startsWith('open_time')).toBe(false);
    expect(parseCsv(oldCsv, false)).toHaveLength(1440);
  });

  it('publishes daily files up to yesterday and monthly files up to last month; 404 is S3 XML', async () => {
    const fx = await start();
    expect((await download(fx, pathOf('spot', 'BTCUSDT', '2025-04-14'))).status).toBe(200);
    expect((await download(fx, pathOf('spot', 'NEWUSDT', '2025-03'))).status).toBe(200);
    const res = await fetch(`${fx.url}${pathOf('spot', 'BTCUSDT', '2025-04-15')}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(await res.text()).toContain('<Code>NoSuchKey</Code>');
    expect((await fetch(`${fx.url}${pathOf('spot', 'NEWUSDT', '2025-04')}`)).status).toBe(404);
    expect((await fetch(`${fx.url}${pathOf('spot', 'NEWUSDT', '2025-04')}.CHECKSUM`)).status).toBe(404);
    expect((await fetch(`${fx.url}${pathOf('spot', 'NOPEUSDT', '2024-04')}`)).status).toBe(404);
    fx.setOptions({ now: Date.UTC(2025, 4, 1, 0, 0) });
    expect((await fetch(`${fx.url}${pathOf('spot', 'NEWUSDT', '2025-04')}`)).status).toBe(200);
    expect(fx.stats.statuses[404]).toBe(4);
  });

  it('answers 404 for a missing day while its neighbours and month exist', async () => {
    const fx = await start({ missing: ['spot/BTCUSDT-1m-2024-03-05'] });
    expect((await download(fx, pathOf('spot', 'BTCUSDT', '2024-03-05'))).status).toBe(404);
    expect((await fetch(`${fx.url}${pathOf('spot', 'BTCUSDT', '2024-03-05')}.CHECKSUM`)).status).toBe(404);
    expect((await download(fx, pathOf('spot', 'BTCUSDT', '2024-03-06'))).status).toBe(200);
    expect((await download(fx, pathOf('um', 'BTCUSDT', '2024-03-05'))).status).toBe(200);
  });

  it('replaces a file after its first download: new content and new checksum, equal to the data', async () => {
    const path = pathOf('spot', 'BTCUSDT', '2024-03-05');
    const fx = await start({ replaced: [{ file: 'spot/BTCUSDT-1m-2024-03-05' }] });
    const v1 = await download(fx, path);
    const v2 = await download(fx, path);
    const staleRows = parseCsv(verifiedCsv(v1, path), false);
    const rows = parseCsv(verifiedCsv(v2, path), false);
    expect(v2.checksum).not.toBe(v1.checksum);
    expectMatchesData(rows, 'binance-spot', 'BTCUSDT', Date.UTC(2024, 2, 5), Date.UTC(2024, 2, 6));
    expect(staleRows.map((r) => r.openMs)).toEqual(rows.map((r) => r.openMs));
    expect(staleRows[0]!.fields[5]).not.toBe(rows[0]!.fields[5]);
    expect(fx.stats.downloads['spot/BTCUSDT-1m-2024-03-05']).toBe(2);
    expect(fx.stats.versions['spot/BTCUSDT-1m-2024-03-05']).toBe(2);
    const v3 = await download(fx, path);
    expect(v3.checksum).toBe(v2.checksum);
  });

  it('replaces a file at a given time', async () => {
    let now = NOW;
    const path = pathOf('um', 'ETHUSDT', '2024-07-09');
    const fx = await start({ now: () => now, replaced: [{ file: 'um/ETHUSDT-1m-2024-07-09', atMs: NOW + 3_600_000 }] });
    const a = await download(fx, path);
    const b = await download(fx, path);
    expect(b.checksum).toBe(a.checksum);
    expect(fx.stats.versions['um/ETHUSDT-1m-2024-07-09']).toBe(1);
    now += 3_600_000;
    const c = await download(fx, path);
    expect(c.checksum).not.toBe(a.checksum);
    verifiedCsv(c, path);
  });

  it('serves a corrupt zip (correct checksum of its bytes, fails to unzip), then the good one', async () => {
    const path = pathOf('spot', 'ETHUSDT', '2024-03-05');
    const fx = await start({ corrupt: [{ file: 'spot/ETHUSDT-1m-2024-03-05', count: 1 }] });
    const bad = await download(fx, path);
    expect(bad.status).toBe(200);
    expect(bad.checksum).toBe(`${sha256(bad.zip)}  ETHUSDT-1m-2024-03-05.zip\n`);
    expect(() => unzipSync(bad.zip)).toThrow();
    const good = await download(fx, path);
    expectMatchesData(parseCsv(verifiedCsv(good, path), false), 'binance-spot', 'ETHUSDT', Date.UTC(2024, 2, 5), Date.UTC(2024, 2, 6));
  });

  it('serves a CHECKSUM that does not match the zip', async () => {
    const path = pathOf('spot', 'BTCUSDT', '2024-03');
    const fx = await start({ wrongChecksum: ['spot/BTCUSDT-1m-2024-03'] });
    const d = await download(fx, path);
    expect(d.checksum).toMatch(/^[0-9a-f]{64} {2}BTCUSDT-1m-2024-03\.zip\n$/);
    expect(d.checksum.slice(0, 64)).not.toBe(sha256(d.zip));
    expect(Object.keys(unzipSync(d.zip))).toEqual(['BTCUSDT-1m-2024-03.csv']);
  });

  it('keeps candles a pure function of the minute across files', () => {
    expect(candleAt('binance-spot', 'BTCUSDT', Date.UTC(2024, 2, 5, 1, 2))).toEqual(
      candlesIn('binance-spot', 'BTCUSDT', Date.UTC(2024, 2, 5, 1, 2), Date.UTC(2024, 2, 5, 1, 2))[0],
    );
  });
});
