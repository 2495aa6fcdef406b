/**
 * America/New_York wall-clock time <-> UTC, from an own rule table (no Intl,
 * no tz database): deterministic on every machine.
 *
 * Rules (US federal law, which New York follows):
 * - 2007 onwards: DST from the 2nd Sunday of March 02:00 EST to the 1st Sunday of November 02:00 EDT.
 * - 1987..2006: 1st Sunday of April to last Sunday of October.
 * - 1967..1986: last Sunday of April to last Sunday of October, except 1974 (from 6 January) and 1975 (from 23 February).
 * Years before 1967 are refused. The 2007 rules are assumed to continue.
 *
 * Wall times that occur twice (the fall-back hour 01:00..01:59) resolve to the
 * EARLIER instant (EDT); wall times that do not exist (the spring-forward hour
 * 02:00..02:59) are read with the offset in force before the change (EST), so
 * 02:30 becomes 03:30 EDT. This is Temporal's `disambiguation: 'compatible'`.
 */
import { InputError } from './errors.js';

const HOUR_MS = 3_600_000;
const EST_OFFSET_MS = -5 * HOUR_MS;
const EDT_OFFSET_MS = -4 * HOUR_MS;
const FIRST_SUPPORTED_YEAR = 1967;

interface DstBounds {
  /** First UTC instant of DST. */
  readonly startMs: number;
  /** First UTC instant after DST. */
  readonly endMs: number;
}

const boundsCache = new Map<number, DstBounds>();

/** Day of the month of the n-th (1-based) Sunday of `month0` (0 = January). */
function nthSunday(year: number, month0: number, n: number): number {
  const firstDow = new Date(Date.UTC(year, month0, 1)).getUTCDay();
  return 1 + ((7 - firstDow) % 7) + 7 * (n - 1);
}

function lastSunday(year: number, month0: number): number {
  const lastDay = new Date(Date.UTC(year, month0 + 1, 0));
  return lastDay.getUTCDate() - lastDay.getUTCDay();
}

/** The UTC bounds of New York's DST in `year`. */
export function dstBoundsUtc(year: number): DstBounds {
  const cached = boundsCache.get(year);
  if (cached !== undefined) return cached;
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR) {
    throw new InputError(`America/New_York time before ${FIRST_SUPPORTED_YEAR} is not supported (year ${year})`);
  }
  let startMonth0: number, startDay: number, endMonth0: number, endDay: number;
  if (year >= 2007) {
    startMonth0 = 2;
    startDay = nthSunday(year, 2, 2);
    endMonth0 = 10;
    endDay = nthSunday(year, 10, 1);
  } else if (year >= 1987) {
    startMonth0 = 3;
    startDay = nthSunday(year, 3, 1);
    endMonth0 = 9;
    endDay = lastSunday(year, 9);
  } else {
    if (year === 1974) {
      startMonth0 = 0;
      startDay = 6;
    } else if (year === 1975) {
      startMonth0 = 1;
      startDay = 23;
    } else {
      startMonth0 = 3;
      startDay = lastSunday(year, 3);
    }
    endMonth0 = 9;
    endDay = lastSunday(year, 9);
  }
  // 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC.
  const bounds: DstBounds = {
    startMs: Date.UTC(year, startMonth0, startDay, 7),
    endMs: Date.UTC(year, endMonth0, endDay, 6),
  };
  boundsCache.set(year, bounds);
  return bounds;
}

/** Whether New York observes daylight saving time at this UTC instant. */
export function isNewYorkDst(utcMs: number): boolean {
  const b = dstBoundsUtc(new Date(utcMs).getUTCFullYear());
  return utcMs >= b.startMs && utcMs < b.endMs;
}

/** New York's UTC offset in milliseconds at a UTC instant (-4 h or -5 h). */
export function newYorkOffsetMs(utcMs: number): number {
  return isNewYorkDst(utcMs) ? EDT_OFFSET_MS : EST_OFFSET_MS;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * `YYYY-MM-DD HH:MM:SS` New York wall-clock time to UTC epoch ms; NaN when the
 * text is not such a time (wrong shape, month 13, 31 April, hour 24...).
 */
export function tryNewYorkToUtcMs(text: string): number {
  if (text.length !== 19) return NaN;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return NaN;
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  const month = digit(text, 5) * 10 + digit(text, 6);
  const day = digit(text, 8) * 10 + digit(text, 9);
  const hour = digit(text, 11) * 10 + digit(text, 12);
  const minute = digit(text, 14) * 10 + digit(text, 15);
  const second = digit(text, 17) * 10 + digit(text, 18);
  // NaN fails every comparison below.
  if (!(year >= FIRST_SUPPORTED_YEAR && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59)) {
    return NaN;
  }
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return NaN;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const asEdt = wall - EDT_OFFSET_MS;
  const asEst = wall - EST_OFFSET_MS;
  const edtValid = isNewYorkDst(asEdt);
  const estValid = !isNewYorkDst(asEst);
  if (edtValid) return asEdt; // also the earlier of two when ambiguous
  if (estValid) return asEst;
  return asEst; // non-existent (spring-forward gap): pre-transition offset
}

/** `YYYY-MM-DD HH:MM:SS` New York wall-clock time to UTC epoch ms; throws `InputError` on bad text. */
export function newYorkToUtcMs(text: string): number {
  const ms = tryNewYorkToUtcMs(text);
  if (Number.isNaN(ms)) {
    throw new InputError(`not a New York date and time (expected YYYY-MM-DD HH:MM:SS): '${text.slice(0, 40)}'`);
  }
  return ms;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTC epoch ms to `YYYY-MM-DD HH:MM:SS` New York wall-clock time (whole seconds, truncated). */
export function utcMsToNewYork(utcMs: number): string {
  if (!Number.isFinite(utcMs)) throw new InputError(`not a finite epoch time: ${utcMs}`);
  const d = new Date(utcMs + newYorkOffsetMs(utcMs));
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}
