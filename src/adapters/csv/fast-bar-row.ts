import { BAR_INTERVALS } from '../../application/bar-batch.js';
import type { BarInterval } from '../../application/bar-batch.js';

/** Which column holds each field (-1: absent), as `mapHeader` gives it. */
export interface FastColumns {
  readonly ticker: number;
  readonly exchange: number;
  readonly interval_minutes: number;
  readonly timestamp: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);
const EPOCH_MS_THRESHOLD = 1e11;
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MONTH_DAYS: readonly number[] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `INTERVAL_OF[n]`: the interval of n minutes, if it is one. */
const INTERVAL_OF: readonly (BarInterval | undefined)[] = (() => {
  const out: (BarInterval | undefined)[] = [];
  for (const iv of BAR_INTERVALS) out[iv] = iv;
  return out;
})();

const C_COMMA = 0x2c;
const C_QUOTE = 0x22;
const C_DOT = 0x2e;
const C_0 = 0x30;
const C_9 = 0x39;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

function isAlnum(c: number): boolean {
  return (c >= C_0 && c <= C_9) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Whether `b` holds the bytes of `cached` at `s` (a loop: cheaper than `Buffer.compare` for a few bytes). */
function same(b: Uint8Array, s: number, cached: Uint8Array): boolean {
  for (let k = 0; k < cached.length; k++) if (b[s + k] !== cached[k]) return false;
  return true;
}

/** Two ASCII digits at `i`, or -1. */
function two(b: Uint8Array, i: number): number {
  const x = (b[i] ?? 0) - C_0;
  const y = (b[i + 1] ?? 0) - C_0;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * A fast path for the common shape of a bar row, on the line's bytes: printable
 * ASCII, no quotes, no spaces around values, plain decimals (at most 15
 * digits), ISO timestamps `YYYY-MM-DDTHH:MM:00` with `Z` or `+HH:MM`, or
 * integer epochs. It accepts only rows the general path (`parseCsvRecord` and
 * bar-fields.ts) would accept, with the very same values: a decimal of at most
 * 15 digits is an exact integer divided by an exact power of ten, one correctly
 * rounded IEEE division, which is what `Number()` returns. Anything else (an
 * unusual form, or a row to reject) returns false and goes to the general path.
 */
export class FastBarRow {
  private readonly cols: FastColumns;
  private readonly fieldCount: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private tickerBytes = Buffer.alloc(0);
  private exchangeBytes = Buffer.alloc(0);
  private dateBytes = Buffer.alloc(10);
  private dateMs = NaN;

  /** The last row's values (valid after `parse` returned true). */
  ticker = '';
  exchange = '';
  interval: BarInterval = 1;
  timestampMs = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;

  constructor(cols: FastColumns, fieldCount: number) {
    this.cols = cols;
    this.fieldCount = fieldCount;
    this.starts = new Int32Array(fieldCount);
    this.ends = new Int32Array(fieldCount);
  }

  parse(b: Buffer, start: number, end: number): boolean {
    const n = this.fieldCount;
    const starts = this.starts;
    const ends = this.ends;
    let f = 0;
    starts[0] = start;
    for (let i = start; i < end; i++) {
      const c = b[i] ?? 0;
      if (c === C_COMMA) {
        ends[f] = i;
        f++;
        if (f >= n) return false;
        starts[f] = i + 1;
      } else if (c < 0x20 || c > 0x7e || c === C_QUOTE) {
        return false;
      }
    }
    ends[f] = end;
    if (f !== n - 1) return false;
    const cols = this.cols;
    if (!this.parseTicker(b, starts[cols.ticker] ?? 0, ends[cols.ticker] ?? 0)) return false;
    if (cols.exchange !== -1 && !this.parseExchange(b, starts[cols.exchange] ?? 0, ends[cols.exchange] ?? 0)) return false;
    if (cols.interval_minutes !== -1 && !this.parseInterval(b, starts[cols.interval_minutes] ?? 0, ends[cols.interval_minutes] ?? 0)) return false;
    const ts = this.parseTimestamp(b, starts[cols.timestamp] ?? 0, ends[cols.timestamp] ?? 0);
    if (Number.isNaN(ts)) return false;
    const o = decimal(b, starts[cols.open] ?? 0, ends[cols.open] ?? 0);
    const h = decimal(b, starts[cols.high] ?? 0, ends[cols.high] ?? 0);
    const l = decimal(b, starts[cols.low] ?? 0, ends[cols.low] ?? 0);
    const c = decimal(b, starts[cols.close] ?? 0, ends[cols.close] ?? 0);
    const v = decimal(b, starts[cols.volume] ?? 0, ends[cols.volume] ?? 0);
    // NaN (not a plain decimal) fails every comparison; an inconsistent bar is left to the general path's reject.
    if (!(v >= 0 && h >= l && h >= o && h >= c && l <= o && l <= c)) return false;
    this.timestampMs = ts;
    this.open = o;
    this.high = h;
    this.low = l;
    this.close = c;
    this.volume = v;
    return true;
  }

  private parseTicker(b: Buffer, s: number, e: number): boolean {
    const len = e - s;
    if (len < 1 || len > 15) return false;
    const cached = this.tickerBytes;
    if (cached.length === len && same(b, s, cached)) return true;
    const c0 = b[s] ?? 0;
    if (!(isAlnum(c0) || c0 === 0x5e)) return false;
    for (let i = s + 1; i < e; i++) {
      const c = b[i] ?? 0;
      if (!(isAlnum(c) || c === C_DOT || c === 0x5e || c === 0x2d)) return false;
    }
    this.tickerBytes = Buffer.from(b.subarray(s, e));
    this.ticker = b.toString('latin1', s, e).toUpperCase();
    return true;
  }

  private parseExchange(b: Buffer, s: number, e: number): boolean {
    const len = e - s;
    if (len < 1 || len > 32) return false;
    const cached = this.exchangeBytes;
    if (cached.length === len && same(b, s, cached)) return true;
    if (!isAlnum(b[s] ?? 0)) return false;
    for (let i = s + 1; i < e; i++) {
      const c = b[i] ?? 0;
      // '.', '_', '&', '-' (no spaces: a value with spaces goes to the general path, which trims).
      if (!(isAlnum(c) || c === C_DOT || c === 0x5f || c === 0x26 || c === 0x2d)) return false;
    }
    this.exchangeBytes = Buffer.from(b.subarray(s, e));
    this.exchange = b.toString('latin1', s, e).toUpperCase();
    return true;
  }

  private parseInterval(b: Buffer, s: number, e: number): boolean {
    if (e - s < 1 || e - s > 2) return false;
    let x = 0;
    for (let i = s; i < e; i++) {
      const c = b[i] ?? 0;
      if (!isDigit(c)) return false;
      x = x * 10 + (c - C_0);
    }
    const iv = INTERVAL_OF[x];
    if (iv === undefined) return false;
    this.interval = iv;
    return true;
  }

  /** Epoch ms of an accepted bar start, or NaN. */
  private parseTimestamp(b: Buffer, s: number, e: number): number {
    const len = e - s;
    if (len >= 1 && len <= 15 && isDigit(b[s] ?? 0) && isDigit(b[e - 1] ?? 0)) {
      // An integer epoch (seconds below 1e11, else milliseconds).
      let n = 0;
      for (let i = s; i < e; i++) {
        const c = b[i] ?? 0;
        if (!isDigit(c)) return NaN;
        n = n * 10 + (c - C_0);
      }
      const ms = n >= EPOCH_MS_THRESHOLD ? n : n * 1000;
      return ms >= MIN_MS && ms < MAX_MS && ms % 60_000 === 0 ? ms : NaN;
    }
    // YYYY-MM-DDTHH:MM:00 then Z (20 bytes) or +HH:MM / -HH:MM (25 bytes).
    if (len !== 20 && len !== 25) return NaN;
    if (b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return NaN;
    const sep = b[s + 10];
    if (sep !== 0x54 && sep !== 0x20) return NaN;
    if (b[s + 17] !== C_0 || b[s + 18] !== C_0) return NaN;
    let offsetMin = 0;
    if (len === 20) {
      if (b[s + 19] !== 0x5a) return NaN;
    } else {
      const sign = b[s + 19];
      if ((sign !== 0x2b && sign !== 0x2d) || b[s + 22] !== 0x3a) return NaN;
      const oh = two(b, s + 20);
      const om = two(b, s + 23);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
      offsetMin = (sign === 0x2d ? -1 : 1) * (oh * 60 + om);
    }
    const hour = two(b, s + 11);
    const minute = two(b, s + 14);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
    let dayMs = this.dateMs;
    if (Number.isNaN(dayMs) || !same(b, s, this.dateBytes)) {
      const hi = two(b, s);
      const lo = two(b, s + 2);
      const month = two(b, s + 5);
      const day = two(b, s + 8);
      if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return NaN;
      const year = hi * 100 + lo;
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      if (day > (month === 2 && leap ? 29 : (MONTH_DAYS[month] ?? 0))) return NaN;
      dayMs = daysFromCivil(year, month, day) * 86_400_000;
      b.copy(this.dateBytes, 0, s, s + 10);
      this.dateMs = dayMs;
    }
    const ms = dayMs + (hour * 60 + minute - offsetMin) * 60_000;
    return ms >= MIN_MS && ms < MAX_MS ? ms : NaN;
  }
}

/** A plain non-negative decimal (`123`, `12.5`, `12.`) of at most 15 digits, or NaN. */
function decimal(b: Buffer, s: number, e: number): number {
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (let i = s; i < e; i++) {
    const c = b[i] ?? 0;
    if (isDigit(c)) {
      mant = mant * 10 + (c - C_0);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === C_DOT && frac < 0 && digits > 0) {
      frac = 0;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  return frac > 0 ? mant / (POW10[frac] ?? NaN) : mant;
}
