import { describe, expect, it } from 'vitest';
import { BAR_INTERVALS } from '../../application/bar-batch.js';
import type { BarInterval } from '../../application/bar-batch.js';
import { UsageError } from '../../kernel/errors.js';
import { addDays, dayNumber, formatDay, intervalPath, isTradingDay, isWeekdayNumber, maxTradingDaysPerWindow, regularBarsPerDay, splitWindows } from './windows.js';

function tradingDaysIn(from: string, to: string): number {
  let n = 0;
  for (let d = dayNumber(from); d <= dayNumber(to); d++) if (isTradingDay(formatDay(d))) n++;
  return n;
}

describe('intervalPath', () => {
  it('maps minutes to FMP path segments', () => {
    expect(BAR_INTERVALS.map((m) => intervalPath(m))).toEqual(['1min', '5min', '15min', '30min', '1hour']);
    expect(() => intervalPath(2 as BarInterval)).toThrow(UsageError);
  });
});

describe('splitWindows', () => {
  it('sizes windows from the regular session: floor((cap - 1) / bars per day) trading days', () => {
    expect(BAR_INTERVALS.map((m) => regularBarsPerDay(m))).toEqual([390, 78, 26, 13, 7]);
    expect(maxTradingDaysPerWindow(1)).toBe(12); // 4,680 rows
    expect(maxTradingDaysPerWindow(5)).toBe(64);
    expect(maxTradingDaysPerWindow(15)).toBe(192);
    expect(maxTradingDaysPerWindow(30)).toBe(384);
    expect(maxTradingDaysPerWindow(60)).toBe(714);
    expect(maxTradingDaysPerWindow(1, 500)).toBe(1);
    expect(maxTradingDaysPerWindow(1, 781)).toBe(2);
    expect(maxTradingDaysPerWindow(1, 780)).toBe(1); // exactly the cap would look truncated
    for (const m of BAR_INTERVALS) {
      expect(maxTradingDaysPerWindow(m) * regularBarsPerDay(m)).toBeLessThan(5000);
    }
  });

  it('counts NYSE trading days: holidays cost nothing', () => {
    // 2024-01-02 .. 2024-06-28: 129 weekdays, 124 trading days (MLK, Presidents, Good Friday, Memorial, Juneteenth).
    const ws = splitWindows('2024-01-02', '2024-06-28', 1);
    expect(ws).toHaveLength(11); // ceil(124 / 12); 26 when a weekday was budgeted 16 hours
    expect(ws.slice(0, 2)).toEqual([
      { fromDate: '2024-01-02', toDate: '2024-01-18' }, // 12 trading days, MLK day (01-15) inside
      { fromDate: '2024-01-19', toDate: '2024-02-05' },
    ]);
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
          expect(tradingDaysIn(w.fromDate, w.toDate)).toBeLessThanOrEqual(maxTradingDaysPerWindow(m));
          if (i > 0) expect(isTradingDay(w.fromDate)).toBe(true);
          if (i > 0) expect(w.fromDate).toBe(addDays(ws[i - 1]!.toDate, 1));
        }
      }
    }
  });

  it('puts weekends and holidays at the end of the window they follow', () => {
    expect(splitWindows('2024-03-04', '2024-04-07', 1)).toEqual([
      { fromDate: '2024-03-04', toDate: '2024-03-19' },
      { fromDate: '2024-03-20', toDate: '2024-04-07' }, // Good Friday (03-29) inside; the weekend after
    ]);
    expect(splitWindows('2024-03-09', '2024-03-10', 1)).toEqual([{ fromDate: '2024-03-09', toDate: '2024-03-10' }]);
    expect(splitWindows('2024-03-04', '2024-03-07', 1, 500)).toHaveLength(4);
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
    expect(isTradingDay('2024-03-29')).toBe(false); // Good Friday
    expect(isTradingDay('2024-03-28')).toBe(true);
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
  });
});

describe('startsLate (truncation from the oldest side)', () => {
  it('flags an answer whose first bar is after the first trading day open', async () => {
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
    // A window starting on a holiday (Good Friday): the first trading day is the Monday after.
    expect(startsLate(newYorkToUtcMs('2024-04-01 09:30:00'), '2024-03-29', '2024-04-05')).toBe(false);
    expect(startsLate(newYorkToUtcMs('2024-04-02 09:30:00'), '2024-03-29', '2024-04-05')).toBe(true);
  });
});
