/** Field parsers for equities bar rows: each returns a value or a reject reason. */
import { BAR_INTERVALS } from '../../application/bar-batch.js';
import type { BarInterval } from '../../application/bar-batch.js';
import { printable } from '../../kernel/printable.js';
import { daysInMonth, utcEpochMs } from '../../kernel/time-range.js';

export interface FieldProblem {
  readonly reason: string;
  readonly detail: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & FieldProblem);

function bad<T>(reason: string, detail: string): Parsed<T> {
  return { ok: false, reason, detail };
}

function good<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** The raw value in a message: cut at 60 characters, control characters escaped (no forged log lines). */
function show(raw: string): string {
  return `'${printable(raw, 60)}'`;
}

// Case-insensitive and ASCII-only, checked BEFORE upper-casing: `toUpperCase` folds some
// non-ASCII letters into ASCII ('ſ' → 'S', 'ﬀ' → 'FF'), which must not make a valid ticker.
const TICKER = /^[A-Za-z0-9^][A-Za-z0-9.^-]{0,14}$/;
const EXCHANGE = /^[A-Za-z0-9][A-Za-z0-9 ._&-]{0,31}$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH = /^\d+(?:\.\d+)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch values at or above this are milliseconds, below it seconds (1e11 s is year 5138, 1e11 ms is 1973). */
export const EPOCH_MS_THRESHOLD = 1e11;
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

/** Upper-cases and checks a ticker: letters, digits, `.`, `-`, `^`, 1 to 15 characters. */
export function parseTicker(raw: string): Parsed<string> {
  const t = raw.trim();
  if (t === '') return bad('missing_ticker', 'the ticker is empty');
  if (!TICKER.test(t)) {
    return bad('bad_ticker', `ticker ${show(raw)}: expected 1 to 15 letters, digits, '.', '-' or '^'`);
  }
  return good(t.toUpperCase());
}

/** Upper-cases and checks an exchange code such as `NASDAQ`. */
export function parseExchange(raw: string): Parsed<string> {
  const e = raw.trim();
  if (e === '') return bad('missing_exchange', 'the exchange is empty');
  if (!EXCHANGE.test(e)) return bad('bad_exchange', `exchange ${show(raw)}: expected 1 to 32 letters, digits, ' ', '.', '_', '&' or '-'`);
  return good(e.toUpperCase());
}

export function parseInterval(raw: string): Parsed<BarInterval> {
  const s = raw.trim();
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  const iv = BAR_INTERVALS.find((x) => x === n);
  if (iv === undefined) return bad('bad_interval', `interval_minutes ${show(raw)}: expected one of ${BAR_INTERVALS.join(', ')}`);
  return good(iv);
}

/** A finite, non-negative decimal number. */
export function parseNonNegative(raw: string, column: string): Parsed<number> {
  const s = raw.trim();
  if (s === '') return bad('missing_value', `${column} is empty`);
  if (!DECIMAL.test(s)) return bad('bad_number', `${column} ${show(raw)} is not a number`);
  const x = Number(s);
  if (!Number.isFinite(x)) return bad('bad_number', `${column} ${show(raw)} is not finite`);
  if (x < 0) return bad('negative_value', `${column} ${show(raw)} is negative`);
  return good(x);
}

/**
 * A bar start: ISO 8601 with `Z` or an offset (`2024-03-08T14:30:00Z`,
 * `2024-03-08 09:30:00-05:00`), or epoch seconds / milliseconds (told apart by
 * magnitude). Naive date-times are refused: their time zone would be a guess.
 * The result is a whole minute between 1970 and 2100.
 */
export function parseBarTimestamp(raw: string): Parsed<number> {
  const s = raw.trim();
  if (s === '') return bad('missing_timestamp', 'the timestamp is empty');
  let ms: number;
  if (EPOCH.test(s)) {
    const n = Number(s);
    ms = n >= EPOCH_MS_THRESHOLD ? n : n * 1000;
    if (!Number.isInteger(ms)) return bad('bad_timestamp', `timestamp ${show(raw)}: an epoch with a fraction of a millisecond`);
  } else {
    const m = ISO.exec(s);
    if (!m) {
      return bad('bad_timestamp', `timestamp ${show(raw)}: expected ISO 8601 with Z or an offset (2024-03-08T14:30:00Z) or epoch seconds/milliseconds`);
    }
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    if (h === undefined) {
      return bad('naive_timestamp', `timestamp ${show(raw)} is a date without a time; a bar needs its start time with Z or an offset`);
    }
    if (zone === undefined) {
      return bad(
        'naive_timestamp',
        `timestamp ${show(raw)} has no UTC offset; write it as ${s.replace(' ', 'T')}Z (UTC) or with an offset such as -05:00`,
      );
    }
    const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi);
    const second = sec === undefined ? 0 : Number(sec);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
      return bad('bad_timestamp', `timestamp ${show(raw)} is not a valid date and time`);
    }
    let offsetMin = 0;
    if (zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2)), om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 23 || om > 59) return bad('bad_timestamp', `timestamp ${show(raw)} has an invalid UTC offset`);
      offsetMin = sign * (oh * 60 + om);
    }
    const fracMs = frac === undefined ? 0 : Number(`0${frac}`) * 1000;
    ms = utcEpochMs(year, month, day, hour, minute, second) + fracMs - offsetMin * 60_000;
  }
  if (!(ms >= MIN_MS && ms < MAX_MS)) return bad('bad_timestamp', `timestamp ${show(raw)} is outside 1970-2099`);
  if (ms % 60_000 !== 0) return bad('bad_timestamp', `timestamp ${show(raw)} is not on a whole minute (a bar starts on a minute)`);
  return good(ms);
}
