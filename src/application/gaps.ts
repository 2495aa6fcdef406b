import { addDays, sessionOf } from '../kernel/trading-calendar.js';
import { newYorkToUtcMs } from '../kernel/new-york-time.js';

/** A run of consecutive missing bars: `[startMs, endMs)`, `bars` slots. */
export interface GapRange {
  readonly startMs: number;
  readonly endMs: number;
  readonly bars: number;
}

export interface GapSummary {
  readonly expected: number;
  readonly present: number;
  readonly missing: number;
  /** Stored bars that are not expected slots (off-session or misaligned). */
  readonly unexpected: number;
  /** present / expected, 1 when nothing is expected. */
  readonly completeness: number;
  readonly gaps: readonly GapRange[];
}

/** Every minute of `[startMs, endMs)`: crypto trades 24/7. */
export function* everyMinute(startMs: number, endMs: number): Generator<number> {
  const first = Math.ceil(startMs / 60_000) * 60_000;
  for (let t = first; t < endMs; t += 60_000) yield t;
}

/**
 * The regular-session bar starts of NYSE/NASDAQ days `[fromDate, toDate]`
 * (inclusive): 09:30 New York, every `intervalMinutes`, while before the close
 * (16:00, or 13:00 on early-close days); holidays and weekends have none.
 */
export function* sessionBars(fromDate: string, toDate: string, intervalMinutes: number): Generator<number> {
  for (let d = fromDate; d <= toDate; d = addDays(d, 1)) {
    const s = sessionOf(d);
    if (s === undefined) continue;
    const open = newYorkToUtcMs(`${d} 09:30:00`) - s.openMinute * 60_000;
    for (let m = s.openMinute; m < s.closeMinute; m += intervalMinutes) yield open + m * 60_000;
  }
}

/**
 * Compares expected bar starts with stored ones, both ascending. Stored
 * timestamps are fed in chunks (`add`), so a long history never has to be in
 * memory at once; `finish` returns the gaps as ranges of consecutive expected
 * slots (a range ends where a bar is present or where the expected slots jump,
 * e.g. overnight), with counts and completeness.
 */
export class GapFinder {
  private readonly expected: Iterator<number>;
  private next: number | undefined;
  private readonly gaps: GapRange[] = [];
  private open: { startMs: number; lastMs: number; bars: number } | undefined;
  private expectedCount = 0;
  private presentCount = 0;
  private unexpected = 0;
  private lastPresent = -Infinity;

  constructor(expected: Iterable<number>, private readonly stepMs: number) {
    this.expected = expected[Symbol.iterator]();
    this.advance();
  }

  /** Stored bar starts, ascending (repeats are ignored). */
  add(present: ArrayLike<number>): void {
    for (let i = 0; i < present.length; i++) {
      const t = present[i] ?? NaN;
      if (!(t > this.lastPresent)) continue;
      this.lastPresent = t;
      while (this.next !== undefined && this.next < t) this.miss(this.next);
      if (this.next === t) {
        this.presentCount += 1;
        this.close();
        this.advance();
      } else {
        this.unexpected += 1;
      }
    }
  }

  finish(): GapSummary {
    while (this.next !== undefined) this.miss(this.next);
    this.close();
    const missing = this.expectedCount - this.presentCount;
    return {
      expected: this.expectedCount,
      present: this.presentCount,
      missing,
      unexpected: this.unexpected,
      completeness: this.expectedCount === 0 ? 1 : this.presentCount / this.expectedCount,
      gaps: this.gaps,
    };
  }

  private miss(t: number): void {
    if (this.open !== undefined && t - this.open.lastMs !== this.stepMs) this.close();
    if (this.open === undefined) this.open = { startMs: t, lastMs: t, bars: 1 };
    else {
      this.open.lastMs = t;
      this.open.bars += 1;
    }
    this.advance();
  }

  private close(): void {
    if (this.open === undefined) return;
    this.gaps.push({ startMs: this.open.startMs, endMs: this.open.lastMs + this.stepMs, bars: this.open.bars });
    this.open = undefined;
  }

  private advance(): void {
    const r = this.expected.next();
    if (r.done === true) this.next = undefined;
    else {
      this.next = r.value;
      this.expectedCount += 1;
    }
  }
}
