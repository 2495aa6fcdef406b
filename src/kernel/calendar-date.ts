import { UsageError } from './errors.js';
import { quoted } from './printable.js';
import { daysInMonth } from './time-range.js';

/** A calendar day, `YYYY-MM-DD`. */
export type CalendarDate = string;

/**
 * Parses the seed's `DDMMYY` (e.g. `040325` = 4 March 2025). Two-digit years
 * follow Python's `%y`: 00..68 are 2000..2068, 69..99 are 1969..1999.
 */
export function parseDdmmyy(value: string, flag: string): CalendarDate {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(value.trim());
  if (!m) throw new UsageError(`${flag}: expected a date as DDMMYY (e.g. 040325 for 4 March 2025); got ${quoted(value, 20)}`);
  const day = Number(m[1]);
  const month = Number(m[2]);
  const yy = Number(m[3]);
  const year = yy <= 68 ? 2000 + yy : 1900 + yy;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new UsageError(`${flag}: ${quoted(value.trim(), 20)} is not a valid date (DDMMYY)`);
  }
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Parses `--start`/`--end` (both inclusive) and checks their order. */
export function parseDateRange(start: string, end: string): { from: CalendarDate; to: CalendarDate } {
  const from = parseDdmmyy(start, '--start');
  const to = parseDdmmyy(end, '--end');
  if (from > to) throw new UsageError(`--start (${start} = ${from}) is after --end (${end} = ${to})`);
  return { from, to };
}
