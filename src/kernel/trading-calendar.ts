/**
 * The NYSE/NASDAQ regular-session calendar: which days trade, and when the
 * session opens and closes (America/New_York wall clock). A documented rule
 * table, no dependency:
 *
 * - Weekends are closed.
 * - Holidays: New Year's Day (Sunday -> Monday; a Saturday is not made up),
 *   Martin Luther King Jr. Day (3rd Monday of January, from 1998), Washington's
 *   Birthday (3rd Monday of February), Good Friday, Memorial Day (last Monday of
 *   May), Juneteenth (June 19, from 2022), Independence Day (July 4), Labor Day
 *   (1st Monday of September), Thanksgiving (4th Thursday of November),
 *   Christmas (December 25). Saturday holidays are observed on Friday and
 *   Sunday holidays on Monday, except New Year's Day as said.
 * - Early closes at 13:00: July 3 when July 4 falls Tuesday..Friday, the day
 *   after Thanksgiving, and December 24 when it falls Monday..Thursday.
 * - Special closures (SPECIAL_CLOSURES), e.g. 2012-10-29/30 (Hurricane Sandy).
 *
 * Dates are `YYYY-MM-DD` strings; the regular session is 09:30..16:00.
 */

export const SPECIAL_CLOSURES: ReadonlySet<string> = new Set([
  '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', // September 11
  '2004-06-11', // President Reagan's funeral
  '2007-01-02', // President Ford's day of mourning
  '2012-10-29', '2012-10-30', // Hurricane Sandy
  '2018-12-05', // President George H. W. Bush's day of mourning
  '2025-01-09', // President Carter's day of mourning
]);

export interface Session {
  /** Minutes after midnight, New York wall clock. */
  readonly openMinute: number;
  readonly closeMinute: number;
}

const REGULAR: Session = { openMinute: 9 * 60 + 30, closeMinute: 16 * 60 };
const EARLY: Session = { openMinute: 9 * 60 + 30, closeMinute: 13 * 60 };

const pad = (n: number): string => String(n).padStart(2, '0');
export const ymd = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;

/** 0 = Sunday .. 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The n-th (1-based) given weekday of a month, or the last when n = -1. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = weekday(ymd(year, month, 1));
    return ymd(year, month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekday(ymd(year, month, lastDay));
  return ymd(year, month, lastDay - ((last - dow + 7) % 7));
}

/** Easter Sunday (Gregorian, anonymous algorithm). */
export function easter(year: number): string {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

function observed(date: string): string {
  const w = weekday(date);
  return w === 6 ? addDays(date, -1) : w === 0 ? addDays(date, 1) : date;
}

const holidayCache = new Map<number, ReadonlySet<string>>();

/** The full-day market holidays of a year (observed dates). */
export function holidays(year: number): ReadonlySet<string> {
  const cached = holidayCache.get(year);
  if (cached !== undefined) return cached;
  const out = new Set<string>();
  const newYear = ymd(year, 1, 1);
  if (weekday(newYear) !== 6) out.add(observed(newYear));
  if (year >= 1998) out.add(nthWeekday(year, 1, 1, 3));
  out.add(nthWeekday(year, 2, 1, 3));
  out.add(addDays(easter(year), -2));
  out.add(nthWeekday(year, 5, 1, -1));
  if (year >= 2022) out.add(observed(ymd(year, 6, 19)));
  out.add(observed(ymd(year, 7, 4)));
  out.add(nthWeekday(year, 9, 1, 1));
  out.add(nthWeekday(year, 11, 4, 4));
  out.add(observed(ymd(year, 12, 25)));
  holidayCache.set(year, out);
  return out;
}

/** The day's regular session, or undefined when the market is closed. */
export function sessionOf(date: string): Session | undefined {
  const w = weekday(date);
  if (w === 0 || w === 6) return undefined;
  const year = Number(date.slice(0, 4));
  if (holidays(year).has(date) || SPECIAL_CLOSURES.has(date)) return undefined;
  const july4 = weekday(ymd(year, 7, 4));
  if (date === ymd(year, 7, 3) && july4 >= 2 && july4 <= 5) return EARLY;
  if (date === addDays(nthWeekday(year, 11, 4, 4), 1)) return EARLY;
  if (date === ymd(year, 12, 24) && w >= 1 && w <= 4) return EARLY;
  return REGULAR;
}
