/**
 * Calendar-day arithmetic and the split of a date range into request windows
 * sized from the regular session's bar count so that FMP's silent row cap is
 * not reached by a complete answer.
 */
import type { BarInterval } from '../../application/bar-batch.js';
import { UsageError } from '../../kernel/errors.js';
import { sessionOf } from '../../kernel/trading-calendar.js';

const DAY_MS = 86_400_000;

/** 1-minute bars of a regular session (09:30..16:00 New York). */
export const REGULAR_SESSION_MINUTES = 390;

/** Rows per response assumed safe (FMP truncates at about 5,000 rows). */
export const DEFAULT_ROW_CAP = 5000;

export type FmpIntervalPath = '1min' | '5min' | '15min' | '30min' | '1hour';

/** The path segment of FMP's historical-chart endpoint for an interval in minutes. */
export function intervalPath(minutes: BarInterval): FmpIntervalPath {
  switch (minutes) {
    case 1:
      return '1min';
    case 5:
      return '5min';
    case 15:
      return '15min';
    case 30:
      return '30min';
    case 60:
      return '1hour';
    default:
      throw new UsageError(`FMP has no ${String(minutes)}-minute bars (expected 1, 5, 15, 30 or 60)`);
  }
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date; throws `UsageError` when it is not a real date. */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new UsageError(`expected a date as YYYY-MM-DD; got '${date.slice(0, 40)}'`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new UsageError(`'${date}' is not a valid date`);
  }
  return ms / DAY_MS;
}

/** `YYYY-MM-DD` of a day number. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return formatDay(dayNumber(date) + days);
}

/** Monday..Friday. */
export function isWeekdayNumber(day: number): boolean {
  const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return dow !== 0 && dow !== 6;
}

/** Whether NYSE/NASDAQ trade on a `YYYY-MM-DD` day (the kernel's calendar: weekends, holidays, closures). */
export function isTradingDay(date: string): boolean {
  return sessionOf(date) !== undefined;
}

/** Bars of one regular session at an interval (the last bar of a day may be shorter: 7 hourly bars). */
export function regularBarsPerDay(intervalMinutes: BarInterval): number {
  return Math.ceil(REGULAR_SESSION_MINUTES / intervalMinutes);
}

/**
 * The most trading days one window may hold so that a complete answer of regular-session bars stays
 * strictly below `rowCap` rows (an answer of exactly `rowCap` rows cannot be told from a truncated one):
 * floor((rowCap - 1) / bars per day), at least 1. 12 days of 1-minute bars at the default cap of 5,000.
 */
export function maxTradingDaysPerWindow(intervalMinutes: BarInterval, rowCap = DEFAULT_ROW_CAP): number {
  if (!Number.isInteger(rowCap) || rowCap < 2) throw new UsageError(`rowCap must be an integer >= 2; got ${rowCap}`);
  return Math.max(1, Math.floor((rowCap - 1) / regularBarsPerDay(intervalMinutes)));
}

export interface DateWindow {
  /** Inclusive `YYYY-MM-DD`. */
  readonly fromDate: string;
  /** Inclusive `YYYY-MM-DD`. */
  readonly toDate: string;
}

/**
 * Splits `[fromDate, toDate]` (inclusive) into consecutive windows, oldest
 * first, each holding at most `maxTradingDaysPerWindow` NYSE trading days of
 * regular-session bars, so a complete window stays below `rowCap` rows. Days
 * without a session (weekends, holidays) cost nothing and are appended to the
 * window they follow. Answers with more bars than that (extended hours, a
 * vendor with bars on a holiday) come back truncated and are split by the
 * source, never lost.
 */
export function splitWindows(
  fromDate: string,
  toDate: string,
  intervalMinutes: BarInterval,
  rowCap = DEFAULT_ROW_CAP,
): DateWindow[] {
  const first = dayNumber(fromDate);
  const last = dayNumber(toDate);
  if (first > last) throw new UsageError(`date range is empty: ${fromDate} is after ${toDate}`);
  intervalPath(intervalMinutes);
  const maxDays = maxTradingDaysPerWindow(intervalMinutes, rowCap);
  const windows: DateWindow[] = [];
  let start = first;
  let days = 0;
  for (let d = first; d <= last; d++) {
    if (!isTradingDay(formatDay(d))) continue;
    if (days === maxDays) {
      windows.push({ fromDate: formatDay(start), toDate: formatDay(d - 1) });
      start = d;
      days = 0;
    }
    days++;
  }
  windows.push({ fromDate: formatDay(start), toDate: formatDay(last) });
  return windows;
}
