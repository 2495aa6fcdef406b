import { describe, expect, it } from 'vitest';
import { dayBars, expectedBars, intlNewYorkOffsetMs } from './data.js';

describe('fake FMP data', () => {
  it('has regular-session bars on weekdays only, labelled like FMP', () => {
    const one = dayBars('AAPL', 1, '2024-03-08');
    expect(one).toHaveLength(390);
    expect(one[0]?.date).toBe('2024-03-08 09:30:00');
    expect(one.at(-1)?.date).toBe('2024-03-08 15:59:00');
    expect(dayBars('AAPL', 5, '2024-03-08').map((b) => b.date.slice(11))).toContain('15:55:00');
    expect(dayBars('AAPL', 5, '2024-03-08')).toHaveLength(78);
    expect(dayBars('AAPL', 15, '2024-03-08')).toHaveLength(26);
    expect(dayBars('AAPL', 30, '2024-03-08')).toHaveLength(13);
    expect(dayBars('AAPL', 60, '2024-03-08').map((b) => b.date.slice(11))).toEqual([
      '09:30:00', '10:30:00', '11:30:00', '12:30:00', '13:30:00', '14:30:00', '15:30:00',
    ]);
    expect(dayBars('AAPL', 1, '2024-03-09')).toEqual([]);
    expect(dayBars('AAPL', 1, '2024-03-08', { closedDates: ['2024-03-08'] })).toEqual([]);
    expect(dayBars('AAPL', 1, '2024-03-08', { extendedHours: true })).toHaveLength(960);
  });

  it('puts the session at 14:30Z in winter and 13:30Z in summer', () => {
    expect(dayBars('MSFT', 1, '2024-03-08')[0]?.timestampMs).toBe(Date.parse('2024-03-08T14:30:00Z'));
    expect(dayBars('MSFT', 1, '2024-03-11')[0]?.timestampMs).toBe(Date.parse('2024-03-11T13:30:00Z'));
    expect(dayBars('MSFT', 1, '2024-11-01')[0]?.timestampMs).toBe(Date.parse('2024-11-01T13:30:00Z'));
    expect(dayBars('MSFT', 1, '2024-11-04')[0]?.timestampMs).toBe(Date.parse('2024-11-04T14:30:00Z'));
    expect(intlNewYorkOffsetMs(Date.parse('2024-07-01T12:00:00Z'))).toBe(-4 * 3_600_000);
  });

  it('is deterministic, consistent across intervals and well formed', () => {
    const a = expectedBars('IBM', 5, '2024-03-04', '2024-03-15');
    expect(expectedBars('IBM', 5, '2024-03-04', '2024-03-15')).toEqual(a);
    expect(expectedBars('IBM', 5, '2024-03-11', '2024-03-11').close).toEqual(dayBars('IBM', 5, '2024-03-11').map((b) => b.close));
    expect(expectedBars('IBN', 5, '2024-03-04', '2024-03-15').close).not.toEqual(a.close);
    const ones = dayBars('IBM', 1, '2024-03-11');
    const fives = dayBars('IBM', 5, '2024-03-11');
    expect(fives[0]?.open).toBe(ones[0]?.open);
    expect(fives[0]?.close).toBe(ones[4]?.close);
    expect(fives[0]?.volume).toBe(ones.slice(0, 5).reduce((s, b) => s + b.volume, 0));
    for (let i = 0; i < a.timestampMs.length; i++) {
      expect(a.high[i]!).toBeGreaterThanOrEqual(Math.max(a.open[i]!, a.close[i]!));
      expect(a.low[i]!).toBeLessThanOrEqual(Math.min(a.open[i]!, a.close[i]!));
      expect(Number.isInteger(a.volume[i])).toBe(true);
      if (i > 0) expect(a.timestampMs[i]!).toBeGreaterThan(a.timestampMs[i - 1]!);
    }
  });
});
