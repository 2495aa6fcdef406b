/**
 * Deterministic 1-minute candles for the fake exchange, and the exact strings the venues print.
 *
 * - A candle is a pure function of (market, symbol, minute): seeded from those three, so any range,
 *   any page size and the archive all agree. Independent of barfill's own parsing and time code.
 * - Prices are whole cents, volumes whole 1e-5 units, quote volumes whole 1e-8 units: exact integers,
 *   printed by string arithmetic (Binance: always 8 decimals, `42000.01000000`; Bybit: trailing zeros cut).
 * - Venue gaps: no candle before a symbol's listing minute, none inside a maintenance window of its venue.
 */
import { hash32, seededRandom } from '../seeded-random.js';

export type Market = 'binance-spot' | 'binance-um' | 'bybit-spot' | 'bybit-linear';
export type Venue = 'binance' | 'bybit';

export interface MaintenanceWindow {
  readonly venue: Venue;
  /** Half-open [fromMs, toMs), whole minutes. */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ExchangeDataOptions {
  /** Symbol -> its first minute (ms). Other symbols are unknown. */
  readonly listings?: Readonly<Record<string, number>>;
  readonly maintenance?: readonly MaintenanceWindow[];
}

/** One candle as integers (cents, 1e-5 base units, 1e-8 quote units). */
export interface Candle {
  readonly openTimeMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly quoteVolume: number;
  readonly trades: number;
  readonly takerBuyBase: number;
  readonly takerBuyQuote: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const DEFAULT_LISTINGS: Readonly<Record<string, number>> = {
  BTCUSDT: Date.UTC(2017, 7, 17, 4, 0),
  ETHUSDT: Date.UTC(2017, 7, 17, 4, 0),
  /** Listed mid-month, mid-day: the days and minutes before it are known-empty. */
  NEWUSDT: Date.UTC(2025, 2, 15, 8, 30),
};

export const DEFAULT_MAINTENANCE: readonly MaintenanceWindow[] = [
  { venue: 'binance', fromMs: Date.UTC(2025, 1, 10, 2, 0), toMs: Date.UTC(2025, 1, 10, 4, 30) },
  { venue: 'bybit', fromMs: Date.UTC(2025, 1, 11, 6, 0), toMs: Date.UTC(2025, 1, 11, 6, 20) },
];

export function venueOf(market: Market): Venue {
  return market.startsWith('binance') ? 'binance' : 'bybit';
}

export function listingOf(symbol: string, options: ExchangeDataOptions = {}): number | undefined {
  return (options.listings ?? DEFAULT_LISTINGS)[symbol];
}

/** Whether the venue has a candle at this minute (listed, not in maintenance). */
export function hasCandle(market: Market, symbol: string, openTimeMs: number, options: ExchangeDataOptions = {}): boolean {
  const listed = listingOf(symbol, options);
  if (listed === undefined || openTimeMs < listed) return false;
  const venue = venueOf(market);
  for (const w of options.maintenance ?? DEFAULT_MAINTENANCE) {
    if (w.venue === venue && openTimeMs >= w.fromMs && openTimeMs < w.toMs) return false;
  }
  return true;
}

const profiles = new Map<string, { readonly base: number; readonly phase: number }>();

function profileOf(symbol: string): { readonly base: number; readonly phase: number } {
  let p = profiles.get(symbol);
  if (p === undefined) {
    const rnd = seededRandom(hash32(`profile:${symbol}`));
    p = { base: 20 + rnd() * 50_000, phase: rnd() * 2 * Math.PI };
    profiles.set(symbol, p);
  }
  return p;
}

function basePriceCents(market: Market, symbol: string, minute: number): number {
  const { base, phase } = profileOf(symbol);
  const venueBias = market.endsWith('um') || market.endsWith('linear') ? 1.0004 : 1;
  return base * venueBias * (1 + 0.2 * Math.sin(minute / 20_000 + phase)) * 100;
}

const seeds = new Map<string, number>();

/** The seed of one (market, symbol, minute): the pair's hash (cached) mixed with the minute. */
function seedOf(market: Market, symbol: string, minute: number): number {
  const key = `${market}|${symbol}`;
  let h = seeds.get(key);
  if (h === undefined) {
    h = hash32(key);
    seeds.set(key, h);
  }
  return Math.imul(h ^ minute, 0x9e3779b1) ^ Math.imul(minute >>> 16, 0x85ebca6b);
}

/** The candle of one minute, whatever the venue serves it through (ignores gaps: see hasCandle). */
export function candleAt(market: Market, symbol: string, openTimeMs: number): Candle {
  const minute = Math.floor(openTimeMs / MINUTE_MS);
  const rnd = seededRandom(seedOf(market, symbol, minute));
  const open = Math.max(1, Math.round(basePriceCents(market, symbol, minute) * (1 + (rnd() - 0.5) * 0.002)));
  const close = Math.max(1, Math.round(open * (1 + (rnd() - 0.5) * 0.002)));
  const high = Math.max(open, close) + Math.floor(rnd() * open * 0.0005);
  const low = Math.max(1, Math.min(open, close) - Math.floor(rnd() * open * 0.0005));
  const volume = 1 + Math.floor(rnd() * 5_000_000);
  const takerBuyBase = Math.floor(volume * rnd());
  return {
    openTimeMs: minute * MINUTE_MS,
    open,
    high,
    low,
    close,
    volume,
    // (open + close) / 2 cents * volume 1e-5 = volume * (open + close) * 5 units of 1e-8.
    quoteVolume: volume * (open + close) * 5,
    trades: 1 + Math.floor((volume / 1000) * rnd()),
    takerBuyBase,
    takerBuyQuote: takerBuyBase * (open + close) * 5,
  };
}

/** The candles the venue has in [fromMs, toMs] by open time, ascending. */
export function candlesIn(
  market: Market,
  symbol: string,
  fromMs: number,
  toMs: number,
  options: ExchangeDataOptions = {},
): Candle[] {
  const out: Candle[] = [];
  for (let t = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS; t <= toMs; t += MINUTE_MS) {
    if (hasCandle(market, symbol, t, options)) out.push(candleAt(market, symbol, t));
  }
  return out;
}

/** A non-negative integer count of 10^-scale units as a decimal with exactly `decimals` (>= scale) digits. */
export function fixedDecimal(units: number, scale: number, decimals: number): string {
  const digits = String(units).padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).padEnd(decimals, '0');
  return decimals === 0 ? int : `${int}.${frac}`;
}

/** Binance prints every decimal with 8 digits: 4200001 cents -> `42000.01000000`. */
export function binanceNumber(units: number, scale: number): string {
  return fixedDecimal(units, scale, 8);
}

/** Bybit prints the shortest form: 4200010 cents -> `42000.1`. */
export function bybitNumber(units: number, scale: number): string {
  const s = fixedDecimal(units, scale, scale);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export const PRICE_SCALE = 2;
export const VOLUME_SCALE = 5;
export const QUOTE_SCALE = 8;

/** Binance's 12 fields after the open time and close time (already strings). */
export function binanceFields(c: Candle): {
  open: string; high: string; low: string; close: string; volume: string;
  quoteVolume: string; trades: number; takerBuyBase: string; takerBuyQuote: string;
} {
  return {
    open: binanceNumber(c.open, PRICE_SCALE),
    high: binanceNumber(c.high, PRICE_SCALE),
    low: binanceNumber(c.low, PRICE_SCALE),
    close: binanceNumber(c.close, PRICE_SCALE),
    volume: binanceNumber(c.volume, VOLUME_SCALE),
    quoteVolume: binanceNumber(c.quoteVolume, QUOTE_SCALE),
    trades: c.trades,
    takerBuyBase: binanceNumber(c.takerBuyBase, VOLUME_SCALE),
    takerBuyQuote: binanceNumber(c.takerBuyQuote, QUOTE_SCALE),
  };
}

/** Bybit's row: startTime, open, high, low, close, volume, turnover, all strings. */
export function bybitRow(c: Candle): string[] {
  return [
    String(c.openTimeMs),
    bybitNumber(c.open, PRICE_SCALE),
    bybitNumber(c.high, PRICE_SCALE),
    bybitNumber(c.low, PRICE_SCALE),
    bybitNumber(c.close, PRICE_SCALE),
    bybitNumber(c.volume, VOLUME_SCALE),
    bybitNumber(c.quoteVolume, QUOTE_SCALE),
  ];
}
