/**
 * The input of the coverage page: what `barfill coverage` (or `gaps --html`) knows about each series, per day and
 * as merged gap ranges. Days are columnar (one array per measure, index 0 = `from`), so that 100 instruments over
 * five years stay a few small arrays, not 180,000 objects.
 */
import { InputError } from '../../kernel/errors.js';

export type CoverageKind = 'crypto' | 'equities';

/** One merged gap range, as `barfill gaps` prints it (start inclusive, end the last missing bar's start). */
export interface CoverageGap {
  readonly start: string;
  readonly end: string;
  readonly bars: number;
  /** `missing`: a hole; `known_empty`: inside a window the vendor answered with no bars. */
  readonly kind: 'missing' | 'known_empty';
}

/** Per day of the report's range, columnar: `expected[i]` is the day `from + i`. */
export interface CoverageDays {
  readonly expected: ArrayLike<number>;
  readonly present: ArrayLike<number>;
  /** Missing bars of the day that are known-empty (a subset of expected - present). */
  readonly knownEmpty: ArrayLike<number>;
}

export interface CoverageSeries {
  /** The instrument key (unique in the report). */
  readonly key: string;
  /** What the reader sees (symbol, market). */
  readonly label: string;
  readonly kind: CoverageKind;
  /** ISO instants of the first and last stored bar, or null when none. */
  readonly firstBar: string | null;
  readonly lastBar: string | null;
  /** Stored rows (all of them, including bars outside the expected slots). */
  readonly rows: number;
  readonly expected: number;
  readonly present: number;
  readonly missingKnownEmpty: number;
  readonly days: CoverageDays;
  readonly gaps: readonly CoverageGap[];
}

export interface CoverageReport {
  /** ISO instant the report was made. */
  readonly generatedAt: string;
  /** A display name of the store (engine and host); credentials in it are removed before it is shown. */
  readonly store: string;
  /** First and last day of the range, `YYYY-MM-DD` (UTC for crypto, New York for equities), inclusive. */
  readonly from: string;
  readonly to: string;
  readonly series: readonly CoverageSeries[];
}

/**
 * The cell class of a day: `q0`..`q4` completeness steps (0 %, below 50 %, below 90 %, below 100 %, complete),
 * `nt` no bar expected (a weekend or holiday for equities), `ke` every missing bar known-empty.
 */
export type DayClass = 'q0' | 'q1' | 'q2' | 'q3' | 'q4' | 'nt' | 'ke';

/** The class of one day: no bar expected, all its missing bars known-empty, else its completeness step. */
export function dayClass(expected: number, present: number, knownEmpty: number): DayClass {
  if (expected <= 0) return 'nt';
  if (present >= expected) return 'q4';
  if (knownEmpty > 0 && present + knownEmpty >= expected) return 'ke';
  const c = present / expected;
  if (present === 0) return 'q0';
  if (c < 0.5) return 'q1';
  if (c < 0.9) return 'q2';
  return 'q3';
}

/** Completeness of a series: present / expected (1 when nothing is expected). */
export function completeness(s: Pick<CoverageSeries, 'expected' | 'present'>): number {
  return s.expected > 0 ? s.present / s.expected : 1;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Days from `from` to `to`, both inclusive. */
export function daysInRange(from: string, to: string): number {
  if (!DATE_RE.test(from) || !DATE_RE.test(to)) throw new InputError(`coverage report: dates must be YYYY-MM-DD (got ${from}, ${to})`);
  const n = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (!Number.isInteger(n) || n < 1) throw new InputError(`coverage report: ${from} .. ${to} is not a range of days`);
  return n;
}

/** Throws when a series does not have one value per day of the range in each column, or keys repeat. */
export function checkReport(report: CoverageReport): number {
  const n = daysInRange(report.from, report.to);
  const keys = new Set<string>();
  for (const s of report.series) {
    if (keys.has(s.key)) throw new InputError(`coverage report: series ${JSON.stringify(s.key)} appears twice`);
    keys.add(s.key);
    const { expected, present, knownEmpty } = s.days;
    if (expected.length !== n || present.length !== n || knownEmpty.length !== n) {
      throw new InputError(`coverage report: series ${JSON.stringify(s.key)} must have ${n} days in each column`);
    }
  }
  return n;
}
