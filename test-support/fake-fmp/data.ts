/**
 * Deterministic bars for the fake FMP server, and the exact bars tests expect.
 *
 * - Every Monday..Friday is a trading day (no exchange holidays), unless listed
 *   in `closedDates`. Regular session 09:30..16:00 New York time, or 04:00..20:00
 *   with `extendedHours`.
 * - A 1-minute random walk per (symbol, day), seeded from the symbol and the
 *   date, so a bar is the same whatever range is asked. Prices have 2 to 4
 *   decimals (per symbol); volumes are integers. Longer intervals aggregate the
 *   1-minute bars in buckets anchored at the session start (the last bucket may
 *   be shorter: the 15:30 hour bar covers 15:30..16:00).
 * - New York wall-clock labels are turned into UTC with Intl (the tz database),
 *   an implementation independent of the client's rule table.
 */
import { hash32, seededRandom } from '../seeded-random.js';


export interface FakeDataOptions {
  /** 04:00..20:00 instead of 09:30..16:00. */
  readonly extendedHours?: boolean;
  /** Weekdays without bars (holidays), `YYYY-MM-DD`. */
  readonly closedDates?: readonly string[];
}

/** One bar as the real API labels it, plus its UTC start. */
export interface FakeBar {
  /** New York wall-clock start, `YYYY-MM-DD HH:MM:SS`. */
  readonly date: string;
  readonly timestampMs: number;
  readonly open: number;
  readonly low: number;
  readonly high: number;
  readonly close: number;
  readonly volume: number;
}

/** Columns, ascending by time. */
export interface ExpectedBars {
  readonly date: string[];
  readonly timestampMs: number[];
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
  readonly volume: number[];
}

const DAY_MS = 86_400_000;

export { seededRandom };

const nyFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** New York's UTC offset (ms, e.g. -4 h) at a UTC instant, from the tz database. */
export function intlNewYorkOffsetMs(utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of nyFormat.formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts['year'] ?? 0,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

function dayNumberOf(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new Error(`bad date '${date}'`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isWeekday(day: number): boolean {
  const dow = (((day + 4) % 7) + 7) % 7;
  return dow !== 0 && dow !== 6;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

interface SymbolProfile {
  readonly basePrice: number;
  readonly decimals: number;
  readonly phase: number;
}

function profile(symbol: string): SymbolProfile {
  const rnd = seededRandom(hash32(`profile:${symbol}`));
  return { basePrice: 5 + rnd() * 495, decimals: 2 + Math.floor(rnd() * 3), phase: rnd() * 2 * Math.PI };
}

function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** The bars of one day, ascending. */
export function dayBars(symbol: string, intervalMinutes: number, date: string, options: FakeDataOptions = {}): FakeBar[] {
  const day = dayNumberOf(date);
  if (!isWeekday(day) || (options.closedDates?.includes(date) ?? false)) return [];
  const sessionStart = options.extendedHours === true ? 4 * 60 : 9 * 60 + 30;
  const sessionEnd = options.extendedHours === true ? 20 * 60 : 16 * 60;
  const p = profile(symbol);
  const rnd = seededRandom(hash32(`${symbol}|${date}`));
  let price = p.basePrice * (1 + 0.25 * Math.sin(day / 37 + p.phase)) * (1 + (rnd() - 0.5) * 0.02);
  // The offset is the same all session long (DST changes at 02:00); take it at noon.
  const offset = intlNewYorkOffsetMs(day * DAY_MS + 12 * 3_600_000 + 5 * 3_600_000);
  const minutes = sessionEnd - sessionStart;
  const o = new Array<number>(minutes), h = new Array<number>(minutes), l = new Array<number>(minutes);
  const c = new Array<number>(minutes), v = new Array<number>(minutes);
  for (let i = 0; i < minutes; i++) {
    const open = roundTo(price, p.decimals);
    price = price * (1 + (rnd() - 0.5) * 0.003);
    const close = roundTo(price, p.decimals);
    const high = Math.max(roundTo(Math.max(open, close) * (1 + rnd() * 0.001), p.decimals), open, close);
    const low = Math.min(roundTo(Math.min(open, close) * (1 - rnd() * 0.001), p.decimals), open, close);
    o[i] = open;
    c[i] = close;
    h[i] = high;
    l[i] = low;
    v[i] = 100 + Math.floor(rnd() * 20_000);
  }
  const out: FakeBar[] = [];
  for (let s = 0; s < minutes; s += intervalMinutes) {
    const e = Math.min(s + intervalMinutes, minutes);
    let high = -Infinity, low = Infinity, volume = 0;
    for (let i = s; i < e; i++) {
      high = Math.max(high, h[i]!);
      low = Math.min(low, l[i]!);
      volume += v[i]!;
    }
    const minuteOfDay = sessionStart + s;
    const hh = Math.floor(minuteOfDay / 60), mm = minuteOfDay % 60;
    out.push({
      date: `${date} ${pad2(hh)}:${pad2(mm)}:00`,
      timestampMs: day * DAY_MS + minuteOfDay * 60_000 - offset,
      open: o[s]!,
      low,
      high,
      close: c[e - 1]!,
      volume,
    });
  }
  return out;
}

/** Every bar of `[fromDate, toDate]` (inclusive New York dates), ascending. */
export function barsInRange(
  symbol: string,
  intervalMinutes: number,
  fromDate: string,
  toDate: string,
  options: FakeDataOptions = {},
): FakeBar[] {
  const out: FakeBar[] = [];
  const last = dayNumberOf(toDate);
  for (let d = dayNumberOf(fromDate); d <= last; d++) {
    for (const bar of dayBars(symbol, intervalMinutes, formatDay(d), options)) out.push(bar);
  }
  return out;
}

/** The exact bars a complete fetch of `[fromDate, toDate]` must yield, ascending. */
export function expectedBars(
  symbol: string,
  intervalMinutes: number,
  fromDate: string,
  toDate: string,
  options: FakeDataOptions = {},
): ExpectedBars {
  const bars = barsInRange(symbol, intervalMinutes, fromDate, toDate, options);
  return {
    date: bars.map((b) => b.date),
    timestampMs: bars.map((b) => b.timestampMs),
    open: bars.map((b) => b.open),
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: bars.map((b) => b.close),
    volume: bars.map((b) => b.volume),
  };
}
