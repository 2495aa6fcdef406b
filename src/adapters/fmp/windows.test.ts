import { describe, expect, it } from 'vitest';
import { BAR_INTERVALS } from '../../application/bar-batch.js';
import type { BarInterval } from '../../application/bar-batch.js';
import { UsageError } from '../../kernel/errors.js';
import { addDays, dayNumber, hasWeekdayBefore, intervalPath, isWeekdayNumber, maxWeekdaysPerWindow, splitWindows } from './windows.js';

function weekdaysIn(from: string, to: string): number {
  let n = 0;
  for (let d = dayNumber(from); d <= dayNumber(to); d++) if (isWeekdayNumber(d)) n++;
  return n;
}

describe('intervalPath', () => {
  it('maps minutes to FMP path segments', () => {
    expect(BAR_INTERVALS.map((m) => intervalPath(m))).toEqual(['1min', '5min', '15min', '30min', '1hour']);
    expect(() => intervalPath(2 as BarInterval)).toThrow(UsageError);
  });
});

describe('splitWindows', () => {
  it('sizes windows so 16 h of bars per weekday stay below the cap', () => {
    expect(maxWeekdaysPerWindow(1)).toBe(5); // 960 bars/day
    expect(maxWeekdaysPerWindow(5)).toBe(26); // 192
    expect(maxWeekdaysPerWindow(15)).toBe(78); // 64
    expect(maxWeekdaysPerWindow(30)).toBe(156); // 32
    expect(maxWeekdaysPerWindow(60)).toBe(312); // 16
    expect(maxWeekdaysPerWindow(1, 500)).toBe(1);
    for (const m of BAR_INTERVALS) {
      expect(maxWeekdaysPerWindow(m) * Math.ceil(960 / m)).toBeLessThan(5000);
    }
  });

  it('covers the range exactly, oldest first, for every interval', () => {
    for (const m of BAR_INTERVALS) {
      for (const [from, to] of [['2023-12-30', '2025-02-11'], ['2024-03-04', '2024-03-15'], ['2024-06-01', '2024-06-02'], ['2024-06-05', '2024-06-05']] as const) {
        const ws = splitWindows(from, to, m);
        expect(ws[0]?.fromDate).toBe(from);
        expect(ws.at(-1)?.toDate).toBe(to);
        for (let i = 0; i < ws.length; i++) {
          const w = ws[i]!;
          expect(w.fromDate <= w.toDate).toBe(true);
          expect(weekdaysIn(w.fromDate, w.toDate)).toBeLessThanOrEqual(maxWeekdaysPerWindow(m));
          if (i > 0) expect(w.fromDate).toBe(addDays(ws[i - 1]!.toDate, 1));
        }
      }
    }
  });

  it('puts weekends at the end of the window they follow', () => {
    expect(splitWindows('2024-03-04', '2024-03-24', 1)).toEqual([
      { fromDate: '2024-03-04', toDate: '2024-03-10' },
      { fromDate: '2024-03-11', toDate: '2024-03-17' },
      { fromDate: '2024-03-18', toDate: '2024-03-24' },
    ]);
    expect(splitWindows('2024-03-09', '2024-03-10', 1)).toEqual([{ fromDate: '2024-03-09', toDate: '2024-03-10' }]);
    expect(splitWindows('2024-03-04', '2024-03-07', 1, 500)).toHaveLength(4);
  });

  it('uses few windows for long intervals', () => {
    expect(splitWindows('2020-01-01', '2024-12-31', 60)).toHaveLength(5);
    expect(splitWindows('2024-01-01', '2024-12-31', 1)).toHaveLength(53);
  });

  it('refuses bad or reversed dates', () => {
    expect(() => splitWindows('2024-03-05', '2024-03-04', 1)).toThrow(UsageError);
    expect(() => splitWindows('2024-02-30', '2024-03-04', 1)).toThrow(UsageError);
    expect(() => splitWindows('20240301', '2024-03-04', 1)).toThrow(UsageError);
  });
});

describe('day helpers', () => {
  it('knows weekdays and counts them', () => {
    expect(isWeekdayNumber(dayNumber('2024-03-09'))).toBe(false); // Saturday
    expect(isWeekdayNumber(dayNumber('2024-03-10'))).toBe(false);
    expect(isWeekdayNumber(dayNumber('2024-03-11'))).toBe(true);
    expect(isWeekdayNumber(dayNumber('1969-12-31'))).toBe(true); // Wednesday, negative day number
    expect(hasWeekdayBefore('2024-03-09', '2024-03-11')).toBe(false);
    expect(hasWeekdayBefore('2024-03-08', '2024-03-11')).toBe(true);
    expect(hasWeekdayBefore('2024-03-11', '2024-03-11')).toBe(false);
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
  });
});

describe('startsLate (truncation from the oldest side)', () => {
  it('flags an answer whose first bar is after the first weekday open', async () => {
    const { startsLate } = await import('./fmp-bar-source.js');
    const { newYorkToUtcMs } = await import('./new-york-time.js');
    // Monday 2024-03-04 .. Friday 2024-03-08
    expect(startsLate(newYorkToUtcMs('2024-03-04 09:30:00'), '2024-03-04', '2024-03-08')).toBe(false);
    expect(startsLate(newYorkToUtcMs('2024-03-04 04:00:00'), '2024-03-04', '2024-03-08')).toBe(false);
    expect(startsLate(newYorkToUtcMs('2024-03-04 12:41:00'), '2024-03-04', '2024-03-08')).toBe(true);
    expect(startsLate(newYorkToUtcMs('2024-03-06 09:30:00'), '2024-03-04', '2024-03-08')).toBe(true);
    // A window starting on Saturday: the first weekday is Monday.
    expect(startsLate(newYorkToUtcMs('2024-03-04 09:30:00'), '2024-03-02', '2024-03-08')).toBe(false);
    expect(startsLate(undefined, '2024-03-02', '2024-03-08')).toBe(false);
  });
});
