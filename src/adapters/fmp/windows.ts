/**
 * Calendar-day arithmetic and the split of a date range into request windows
 * small enough that FMP's silent row cap is never reached.
 */
import type { BarInterval } from '../../application/bar-batch.js';
import { UsageError } from '../../kernel/errors.js';

const DAY_MS = 86_400_000;

/** Hours of bars a trading day may have, extended hours included (04:00..20:00). */
export const BUDGET_HOURS_PER_DAY = 16;

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

/** Whether a Monday..Friday lies in `[fromDate, beforeDate)`. */
export function hasWeekdayBefore(fromDate: string, beforeDate: string): boolean {
  const end = dayNumber(beforeDate);
  for (let d = dayNumber(fromDate); d < end; d++) if (isWeekdayNumber(d)) return true;
  return false;
}

/** The most weekdays one window may hold so that it stays below `rowCap` rows. */
export function maxWeekdaysPerWindow(intervalMinutes: BarInterval, rowCap = DEFAULT_ROW_CAP): number {
  if (!Number.isInteger(rowCap) || rowCap < 2) throw new UsageError(`rowCap must be an integer >= 2; got ${rowCap}`);
  const barsPerDay = Math.ceil((BUDGET_HOURS_PER_DAY * 60) / intervalMinutes);
  return Math.max(1, Math.floor((rowCap - 1) / barsPerDay));
}

export interface DateWindow {
  /** Inclusive `YYYY-MM-DD`. */
  readonly fromDate: string;
  /** Inclusive `YYYY-MM-DD`. */
  readonly toDate: string;
}

/**
 * Splits `[fromDate, toDate]` (inclusive) into consecutive windows, oldest
 * first, each holding at most `maxWeekdaysPerWindow` weekdays: a weekday is
 * budgeted 16 hours of bars (extended hours), so a full window stays below
 * `rowCap` rows. Weekend days cost nothing (equities have no weekend bars) and
 * are appended to the window they follow.
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
  const maxWeekdays = maxWeekdaysPerWindow(intervalMinutes, rowCap);
  const windows: DateWindow[] = [];
  let start = first;
  let weekdays = 0;
  for (let d = first; d <= last; d++) {
    if (!isWeekdayNumber(d)) continue;
    if (weekdays === maxWeekdays) {
      windows.push({ fromDate: formatDay(start), toDate: formatDay(d - 1) });
      start = d;
      weekdays = 0;
    }
    weekdays++;
  }
  windows.push({ fromDate: formatDay(start), toDate: formatDay(last) });
  return windows;
}
