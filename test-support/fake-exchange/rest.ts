/**
 * The fake exchanges' kline REST endpoints and their rate limits.
 *
 * Binance spot `GET /api/v3/klines` and USD-M `GET /fapi/v1/klines`: ascending arrays of arrays, ms times,
 * rows with open time in [startTime, endTime]; limit default 500, max 1000 (spot) / 1500 (futures), a
 * larger limit is cut to the max. With startTime: the first `limit` rows from it; without: the newest
 * `limit` rows up to endTime (default: now). Weight per request (spot 2; futures 1/2/5/10 for limit
 * <100/<500/<=1000/above) counted per clock minute per API and reported in `X-MBX-USED-WEIGHT-1M`.
 * A request that would pass the minute's limit gets 429 + Retry-After (seconds to the next minute) and
 * is not counted; requests sent during that Retry-After count as ignoring it, and the `banAfterIgnored`-th
 * is answered 418 with Retry-After of an IP ban (2 minutes, doubling per repeat, at most 3 days).
 *
 * Bybit `GET /v5/market/kline?category=spot|linear`: `{retCode,retMsg,result:{category,symbol,list},...}`,
 * rows of strings NEWEST FIRST: the newest `limit` (default 200, max 1000) rows with start in [start, end]
 * (end default now). Errors are HTTP 200 with a non-zero retCode. IP limit: `limit` requests per window
 * (default 600 per 5 s, headers X-Bapi-Limit, X-Bapi-Limit-Status = remaining, X-Bapi-Limit-Reset-Timestamp);
 * over it, HTTP 403 with the plain-text body `access too frequent` for the whole ban (default 10 minutes).
 */
import { MINUTE_MS, binanceFields, bybitRow, candlesIn, listingOf } from './data.js';
import type { Candle, ExchangeDataOptions, Market } from './data.js';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

export type BinanceApi = 'spot' | 'futures';

export interface BinanceLimits {
  /** Weight per minute (default 6000 spot, 2400 futures). */
  readonly weightLimit?: number;
  /** 429s ignored before a 418 ban (default 3). */
  readonly banAfterIgnored?: number;
  /** The first ban's length, doubling per later ban up to 3 days (default 120,000). */
  readonly banMs?: number;
}

export interface BybitLimits {
  /** Requests per window (default 600). */
  readonly limit?: number;
  /** Default 5,000 ms. */
  readonly windowMs?: number;
  /** How long a 403 lasts (default 600,000 ms). */
  readonly banMs?: number;
}

export const BINANCE_MAX_BAN_MS = 3 * 86_400_000;

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json;charset=UTF-8', ...headers }, body: JSON.stringify(value) };
}

export function futuresWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

/** The minute-window weight counter and ban state of one Binance API. */
export class BinanceGate {
  private minute = -1;
  used = 0;
  private retryUntil = 0;
  private ignored = 0;
  private bannedUntil = 0;
  bans = 0;
  weightTotal = 0;

  constructor(private readonly defaultLimit: number) {}

  /** Admits a request of `weight` at `nowMs`, or returns the 429/418 answer. */
  admit(weight: number, nowMs: number, limits: BinanceLimits): Reply | undefined {
    const minute = Math.floor(nowMs / MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used = 0;
    }
    if (nowMs < this.bannedUntil) return this.banned(nowMs);
    if (nowMs < this.retryUntil) {
      this.ignored++;
      if (this.ignored >= (limits.banAfterIgnored ?? 3)) return this.ban(nowMs, limits);
      return this.tooMany(nowMs, limits);
    }
    if (this.used + weight > (limits.weightLimit ?? this.defaultLimit)) {
      this.retryUntil = (minute + 1) * MINUTE_MS;
      this.ignored = 0;
      return this.tooMany(nowMs, limits);
    }
    this.used += weight;
    this.weightTotal += weight;
    return undefined;
  }

  headers(): Record<string, string> {
    return { 'X-MBX-USED-WEIGHT': String(this.used), 'X-MBX-USED-WEIGHT-1M': String(this.used) };
  }

  private tooMany(nowMs: number, limits: BinanceLimits): Reply {
    const limit = limits.weightLimit ?? this.defaultLimit;
    return json(
      429,
      { code: -1003, msg: `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.` },
      { ...this.headers(), 'Retry-After': retryAfter(this.retryUntil, nowMs) },
    );
  }

  private ban(nowMs: number, limits: BinanceLimits): Reply {
    const length = Math.min((limits.banMs ?? 120_000) * 2 ** this.bans, BINANCE_MAX_BAN_MS);
    this.bans++;
    this.bannedUntil = nowMs + length;
    this.retryUntil = 0;
    this.ignored = 0;
    return this.banned(nowMs);
  }

  private banned(nowMs: number): Reply {
    return json(
      418,
      { code: -1003, msg: `Way too much request weight used; IP banned until ${this.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.` },
      { ...this.headers(), 'Retry-After': retryAfter(this.bannedUntil, nowMs) },
    );
  }
}

function retryAfter(untilMs: number, nowMs: number): string {
  return String(Math.max(1, Math.ceil((untilMs - nowMs) / 1000)));
}

const BINANCE_BAD_SYMBOL = { code: -1121, msg: 'Invalid symbol.' };

function intParam(params: URLSearchParams, name: string): number | undefined | 'bad' {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  return /^\d+$/.test(v) ? Number(v) : 'bad';
}

function binanceBadParam(name: string): Reply {
  return json(400, { code: -1100, msg: `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.` });
}

/** Rows of Binance's answer, already admitted by the gate. */
export function binanceKlines(api: BinanceApi, params: URLSearchParams, nowMs: number, options: ExchangeDataOptions): Reply {
  const symbol = params.get('symbol') ?? '';
  if (symbol === '') return json(400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." });
  if (listingOf(symbol, options) === undefined) return json(400, BINANCE_BAD_SYMBOL);
  if (params.get('interval') !== '1m') return json(400, { code: -1120, msg: 'Invalid interval.' });
  const start = intParam(params, 'startTime'), end = intParam(params, 'endTime'), limitParam = intParam(params, 'limit');
  if (start === 'bad') return binanceBadParam('startTime');
  if (end === 'bad') return binanceBadParam('endTime');
  if (limitParam === 'bad') return binanceBadParam('limit');
  if (start !== undefined && end !== undefined && start > end) return json(400, { code: -1023, msg: 'Start time is greater than end time.' });
  const limit = Math.min(Math.max(limitParam ?? 500, 1), api === 'spot' ? 1000 : 1500);
  const market: Market = api === 'spot' ? 'binance-spot' : 'binance-um';
  const rows = pageOf(market, symbol, start, Math.min(end ?? nowMs, nowMs), limit, start !== undefined, options);
  return json(200, rows.map(binanceRow));
}

/** Rows with open time in [start, end], at most `limit`: the first ones when `fromStart`, else the newest. */
function pageOf(
  market: Market,
  symbol: string,
  start: number | undefined,
  end: number,
  limit: number,
  fromStart: boolean,
  options: ExchangeDataOptions,
): Candle[] {
  const listed = listingOf(symbol, options) ?? end + 1;
  const from = Math.max(start ?? 0, listed);
  if (from > end) return [];
  return fromStart ? forwardFrom(market, symbol, from, end, limit, options) : backwardFrom(market, symbol, from, end, limit, options);
}

/** The first `limit` candles of [from, end], in slices (maintenance windows make slices come up short). */
function forwardFrom(market: Market, symbol: string, from: number, end: number, limit: number, options: ExchangeDataOptions): Candle[] {
  const out: Candle[] = [];
  for (let lo = from; out.length < limit && lo <= end; ) {
    const hi = Math.min(end, lo + (limit - out.length) * MINUTE_MS - 1);
    out.push(...candlesIn(market, symbol, lo, hi, options));
    lo = hi + 1;
  }
  return out;
}

/** The newest `limit` candles of [from, end], ascending. */
function backwardFrom(market: Market, symbol: string, from: number, end: number, limit: number, options: ExchangeDataOptions): Candle[] {
  const out: Candle[] = [];
  for (let hi = end; out.length < limit && hi >= from; ) {
    const lo = Math.max(from, hi - (limit - out.length) * MINUTE_MS + 1);
    out.unshift(...candlesIn(market, symbol, lo, hi, options));
    hi = lo - 1;
  }
  return out;
}

function binanceRow(c: Candle): (string | number)[] {
  const f = binanceFields(c);
  return [c.openTimeMs, f.open, f.high, f.low, f.close, f.volume, c.openTimeMs + MINUTE_MS - 1, f.quoteVolume, f.trades, f.takerBuyBase, f.takerBuyQuote, '0'];
}

export type BybitAdmission = { readonly refused: Reply } | { readonly headers: Record<string, string> };

/** Bybit's IP limit: fixed windows, then a 403 ban. */
export class BybitGate {
  private window = -1;
  private count = 0;
  private bannedUntil = 0;
  bans = 0;

  admit(nowMs: number, limits: BybitLimits): BybitAdmission {
    if (nowMs < this.bannedUntil) return { refused: forbidden() };
    const windowMs = limits.windowMs ?? 5_000;
    const limit = limits.limit ?? 600;
    const window = Math.floor(nowMs / windowMs);
    if (window !== this.window) {
      this.window = window;
      this.count = 0;
    }
    if (this.count >= limit) {
      this.bans++;
      this.bannedUntil = nowMs + (limits.banMs ?? 600_000);
      return { refused: forbidden() };
    }
    this.count++;
    return {
      headers: {
        'X-Bapi-Limit': String(limit),
        'X-Bapi-Limit-Status': String(limit - this.count),
        'X-Bapi-Limit-Reset-Timestamp': String((window + 1) * windowMs),
      },
    };
  }
}

export const BYBIT_FORBIDDEN_BODY = 'access too frequent';

function forbidden(): Reply {
  return { status: 403, headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: BYBIT_FORBIDDEN_BODY };
}

function bybitError(retCode: number, retMsg: string, nowMs: number, headers: Record<string, string>): Reply {
  return json(200, { retCode, retMsg, result: {}, retExtInfo: {}, time: nowMs }, headers);
}

export function bybitKlines(params: URLSearchParams, nowMs: number, options: ExchangeDataOptions, headers: Record<string, string>): Reply {
  const category = params.get('category') ?? 'linear';
  if (category !== 'spot' && category !== 'linear') return bybitError(10001, 'Illegal category', nowMs, headers);
  const symbol = params.get('symbol') ?? '';
  if (symbol === '' || listingOf(symbol, options) === undefined) return bybitError(10001, 'Not supported symbols', nowMs, headers);
  if (params.get('interval') !== '1') return bybitError(10001, 'Invalid period!', nowMs, headers);
  const start = intParam(params, 'start'), end = intParam(params, 'end'), limitParam = intParam(params, 'limit');
  if (start === 'bad' || end === 'bad' || limitParam === 'bad') return bybitError(10001, 'params error', nowMs, headers);
  const limit = Math.min(Math.max(limitParam ?? 200, 1), 1000);
  const market: Market = category === 'spot' ? 'bybit-spot' : 'bybit-linear';
  const rows = pageOf(market, symbol, start, Math.min(end ?? nowMs, nowMs), limit, false, options);
  const list = rows.map(bybitRow).reverse();
  return json(200, { retCode: 0, retMsg: 'OK', result: { category, symbol, list }, retExtInfo: {}, time: nowMs }, headers);
}
