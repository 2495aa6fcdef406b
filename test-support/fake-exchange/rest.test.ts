import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { BYBIT_FORBIDDEN_BODY } from './rest.js';
import { binanceFields, bybitRow, candlesIn } from './data.js';
import { startFakeExchange } from './server.js';
import type { FakeExchange, FakeExchangeOptions } from './server.js';

const MIN = 60_000;
const NOW = Date.UTC(2025, 3, 15, 10, 0, 30); // mid-minute: the 10:00 candle is the current one
let fake: FakeExchange | undefined;
let now = NOW;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  now = NOW;
});

async function start(options: FakeExchangeOptions = {}): Promise<FakeExchange> {
  fake = await startFakeExchange({ now: () => now, ...options });
  return fake;
}

type BinanceRow = [number, string, string, string, string, string, number, string, number, string, string, string];

async function get(fx: FakeExchange, path: string, query: Record<string, string | number>): Promise<Response> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return fetch(`${fx.url}${path}?${qs.toString()}`);
}

async function binance(fx: FakeExchange, path: string, query: Record<string, string | number>): Promise<BinanceRow[]> {
  const res = await get(fx, path, { interval: '1m', ...query });
  expect(res.status).toBe(200);
  return (await res.json()) as BinanceRow[];
}

function expectedBinance(market: 'binance-spot' | 'binance-um', symbol: string, from: number, to: number): BinanceRow[] {
  return candlesIn(market, symbol, from, to).map((c) => {
    const f = binanceFields(c);
    return [c.openTimeMs, f.open, f.high, f.low, f.close, f.volume, c.openTimeMs + MIN - 1, f.quoteVolume, f.trades, f.takerBuyBase, f.takerBuyQuote, '0'];
  });
}

describe('fake Binance klines', () => {
  it('pages ascending with an inclusive end, default 500 and max 1000 rows (spot), 1500 (USD-M)', async () => {
    const fx = await start();
    const t0 = Date.UTC(2024, 2, 5);
    const page = await binance(fx, '/api/v3/klines', { symbol: 'BTCUSDT', startTime: t0, endTime: t0 + 9 * MIN });
    expect(page).toEqual(expectedBinance('binance-spot', 'BTCUSDT', t0, t0 + 9 * MIN));
    expect(page).toHaveLength(10);
    expect(await binance(fx, '/api/v3/klines', { symbol: 'BTCUSDT', startTime: t0 + 1, endTime: t0 + 9 * MIN - 1 })).toHaveLength(8);
    expect(await binance(fx, '/api/v3/klines', { symbol: 'BTCUSDT', startTime: t0 })).toHaveLength(500);
    const big = await binance(fx, '/api/v3/klines', { symbol: 'BTCUSDT', startTime: t0, endTime: t0 + 5000 * MIN, limit: 5000 });
    expect(big).toHaveLength(1000);
    expect(big[0]![0]).toBe(t0);
    expect(big.at(-1)![0]).toBe(t0 + 999 * MIN);
    const fut = await binance(fx, '/fapi/v1/klines', { symbol: 'BTCUSDT', startTime: t0, limit: 5000 });
    expect(fut).toHaveLength(1500);
    expect(fut.slice(0, 3)).toEqual(expectedBinance('binance-um', 'BTCUSDT', t0, t0 + 2 * MIN));
  });

  it('gives the newest rows without startTime, up to now (the current minute included)', async () => {
    const fx = await start();
    const latest = await binance(fx, '/api/v3/klines', { symbol: 'ETHUSDT', limit: 3 });
    expect(latest.map((r) => r[0])).toEqual([NOW - 30_000 - 2 * MIN, NOW - 30_000 - MIN, NOW - 30_000]);
    const end = Date.UTC(2024, 2, 5, 12, 0);
    const before = await binance(fx, '/api/v3/klines', { symbol: 'ETHUSDT', endTime: end, limit: 2 });
    expect(before.map((r) => r[0])).toEqual([end - MIN, end]);
    expect(await binance(fx, '/api/v3/klines', { symbol: 'ETHUSDT', startTime: NOW + MIN })).toEqual([]);
  });

  it('skips the maintenance window and the minutes before listing, like the archive', async () => {
    const fx = await start();
    const from = Date.UTC(2025, 1, 10, 1, 58);
    const rows = await binance(fx, '/api/v3/klines', { symbol: 'BTCUSDT', startTime: from, limit: 4 });
    expect(rows.map((r) => r[0])).toEqual([from, from + MIN, Date.UTC(2025, 1, 10, 4, 30), Date.UTC(2025, 1, 10, 4, 31)]);
    const listed = Date.UTC(2025, 2, 15, 8, 30);
    const first = await binance(fx, '/fapi/v1/klines', { symbol: 'NEWUSDT', startTime: listed - 10 * MIN, limit: 2 });
    expect(first.map((r) => r[0])).toEqual([listed, listed + MIN]);
  });

  it('answers errors with Binance codes: bad symbol, bad interval, start after end', async () => {
    const fx = await start();
    const bad = await get(fx, '/api/v3/klines', { symbol: 'NOPEUSDT', interval: '1m' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    const interval = await get(fx, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '7m' });
    expect(await interval.json()).toMatchObject({ code: -1120 });
    const order = await get(fx, '/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '1m', startTime: 2, endTime: 1 });
    expect(order.status).toBe(400);
    expect(await order.json()).toMatchObject({ code: -1023 });
  });

  it('reports the used weight of the current minute: spot 2, futures by limit', async () => {
    const fx = await start();
    const weights: string[] = [];
    for (let i = 0; i < 3; i++) weights.push((await get(fx, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m', limit: 1 })).headers.get('x-mbx-used-weight-1m')!);
    expect(weights).toEqual(['2', '4', '6']);
    const fut: string[] = [];
    for (const limit of [99, 100, 499, 500, 1000, 1001]) {
      fut.push((await get(fx, '/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '1m', limit, endTime: Date.UTC(2024, 0, 1) })).headers.get('x-mbx-used-weight-1m')!);
    }
    expect(fut).toEqual(['1', '3', '5', '10', '15', '25']);
    now += MIN;
    expect((await get(fx, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m', limit: 1 })).headers.get('x-mbx-used-weight-1m')).toBe('2');
    expect(fx.stats.weightUsed).toEqual({ spot: 8, futures: 25 });
    expect(fx.stats.byKind['binance-spot']).toBe(4);
  });

  it('answers 429 with Retry-After past the limit, then 418 (a ban) when the 429s are ignored', async () => {
    const fx = await start({ binanceSpot: { weightLimit: 4, banAfterIgnored: 2, banMs: 120_000 } });
    const q = { symbol: 'BTCUSDT', interval: '1m', limit: 1 };
    expect((await get(fx, '/api/v3/klines', q)).status).toBe(200);
    expect((await get(fx, '/api/v3/klines', q)).status).toBe(200);
    const limited = await get(fx, '/api/v3/klines', q);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30'); // to the next minute
    expect(await limited.json()).toMatchObject({ code: -1003 });
    now += 10_000;
    const ignored = await get(fx, '/api/v3/klines', q);
    expect(ignored.status).toBe(429);
    expect(ignored.headers.get('retry-after')).toBe('20');
    const banned = await get(fx, '/api/v3/klines', q);
    expect(banned.status).toBe(418);
    expect(banned.headers.get('retry-after')).toBe('120');
    expect(((await banned.json()) as { msg: string }).msg).toContain(`IP banned until ${now + 120_000}`);
    now += 60_000;
    const still = await get(fx, '/api/v3/klines', q);
    expect(still.status).toBe(418);
    expect(still.headers.get('retry-after')).toBe('60');
    expect((await get(fx, '/fapi/v1/klines', q)).status).toBe(200); // another API, another counter
    now += 60_000;
    expect((await get(fx, '/api/v3/klines', q)).status).toBe(200);
    expect(fx.stats.bans.spot).toBe(1);
    expect(fx.stats.statuses).toMatchObject({ 200: 4, 429: 2, 418: 2 });
  });

  it('lets a client that waits out the Retry-After go on without a ban', async () => {
    const fx = await start({ binanceFutures: { weightLimit: 2, banAfterIgnored: 1 } });
    const q = { symbol: 'BTCUSDT', interval: '1m', limit: 10 };
    expect((await get(fx, '/fapi/v1/klines', q)).status).toBe(200);
    expect((await get(fx, '/fapi/v1/klines', q)).status).toBe(200);
    const limited = await get(fx, '/fapi/v1/klines', q);
    expect(limited.status).toBe(429);
    now += Number(limited.headers.get('retry-after')) * 1000;
    expect((await get(fx, '/fapi/v1/klines', q)).status).toBe(200);
    expect(fx.stats.bans.futures).toBe(0);
  });
});

interface BybitAnswer {
  retCode: number;
  retMsg: string;
  result: { category?: string; symbol?: string; list?: string[][] };
  retExtInfo: Record<string, never>;
  time: number;
}

async function bybit(fx: FakeExchange, query: Record<string, string | number>): Promise<{ res: Response; body: BybitAnswer }> {
  const res = await get(fx, '/v5/market/kline', { interval: '1', ...query });
  return { res, body: (await res.json()) as BybitAnswer };
}

describe('fake Bybit klines', () => {
  it('answers newest first, every value a string, the newest `limit` rows of [start, end]', async () => {
    const fx = await start();
    const t0 = Date.UTC(2024, 2, 5);
    const { body } = await bybit(fx, { category: 'spot', symbol: 'BTCUSDT', start: t0, end: t0 + 4 * MIN });
    expect(body).toMatchObject({ retCode: 0, retMsg: 'OK', result: { category: 'spot', symbol: 'BTCUSDT' }, retExtInfo: {}, time: NOW });
    expect(body.result.list).toEqual(candlesIn('bybit-spot', 'BTCUSDT', t0, t0 + 4 * MIN).map(bybitRow).reverse());
    const cut = await bybit(fx, { category: 'linear', symbol: 'BTCUSDT', start: t0, end: t0 + 4 * MIN, limit: 2 });
    expect(cut.body.result.list!.map((r) => Number(r[0]))).toEqual([t0 + 4 * MIN, t0 + 3 * MIN]);
    const dflt = await bybit(fx, { category: 'linear', symbol: 'BTCUSDT', start: t0, end: t0 + 5000 * MIN });
    expect(dflt.body.result.list).toHaveLength(200);
    const max = await bybit(fx, { category: 'linear', symbol: 'BTCUSDT', start: t0, end: t0 + 5000 * MIN, limit: 5000 });
    expect(max.body.result.list).toHaveLength(1000);
    expect(max.body.result.list![0]![0]).toBe(String(t0 + 5000 * MIN));
    for (const row of max.body.result.list!) expect(row.every((v) => typeof v === 'string')).toBe(true);
  });

  it('has its own maintenance gap and answers an unknown symbol with a retCode', async () => {
    const fx = await start();
    const { body } = await bybit(fx, { category: 'spot', symbol: 'ETHUSDT', start: Date.UTC(2025, 1, 11, 5, 59), end: Date.UTC(2025, 1, 11, 6, 20) });
    expect(body.result.list!.map((r) => Number(r[0]))).toEqual([Date.UTC(2025, 1, 11, 6, 20), Date.UTC(2025, 1, 11, 5, 59)]);
    const unknown = await bybit(fx, { category: 'spot', symbol: 'NOPEUSDT' });
    expect(unknown.res.status).toBe(200);
    expect(unknown.body).toMatchObject({ retCode: 10001 });
  });

  it('reports its limit in headers and answers 403 "access too frequent" for the ban once over it', async () => {
    const fx = await start({ bybit: { limit: 2, windowMs: 5_000, banMs: 600_000 } });
    const q = { category: 'spot', symbol: 'BTCUSDT', limit: 1 };
    const first = await bybit(fx, q);
    expect(first.res.headers.get('x-bapi-limit')).toBe('2');
    expect(first.res.headers.get('x-bapi-limit-status')).toBe('1');
    expect(first.res.headers.get('x-bapi-limit-reset-timestamp')).toBe(String(Date.UTC(2025, 3, 15, 10, 0, 35)));
    expect((await bybit(fx, q)).res.headers.get('x-bapi-limit-status')).toBe('0');
    const over = await get(fx, '/v5/market/kline', { interval: '1', ...q });
    expect(over.status).toBe(403);
    expect(await over.text()).toBe(BYBIT_FORBIDDEN_BODY);
    now += 10_000; // a new window, but still banned
    expect((await get(fx, '/v5/market/kline', { interval: '1', ...q })).status).toBe(403);
    now += 600_000;
    expect((await bybit(fx, q)).res.status).toBe(200);
    expect(fx.stats.bans.bybit).toBe(1);
  });
});

describe('fake exchange server', () => {
  it('serves the same candles in the archive and over REST (ms and us files alike)', async () => {
    const fx = await start();
    for (const [day, micro] of [['2024-03-05', false], ['2025-02-10', true]] as const) {
      const res = await fetch(`${fx.url}/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-${day}.zip`);
      const csv = strFromU8(Object.values(unzipSync(new Uint8Array(await res.arrayBuffer())))[0]!);
      const fromArchive = csv.trimEnd().split('\n').slice(0, 1000).map((line) => {
        const f = line.split(',');
        const open = micro ? Number(f[0]!.slice(0, -3)) : Number(f[0]);
        return [open, ...f.slice(1, 6), open + MIN - 1, f[7], Number(f[8]), f[9], f[10], f[11]];
      });
      const fromRest = await binance(fx, '/api/v3/klines', { symbol: 'BTCUSDT', startTime: Date.parse(`${day}T00:00:00Z`), limit: 1000 });
      expect(fromRest).toEqual(fromArchive);
    }
  });

  it('delays answers by the latency option and counts requests by kind', async () => {
    const fx = await start({ latencyMs: 50 });
    const t = performance.now();
    await get(fx, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m', limit: 1 });
    expect(performance.now() - t).toBeGreaterThanOrEqual(45);
    expect((await fetch(`${fx.url}/nothing`)).status).toBe(404);
    expect(fx.stats.byKind).toMatchObject({ 'binance-spot': 1, other: 1 });
    expect(fx.stats.log.map((e) => e.status)).toEqual([200, 404]);
  });
});
