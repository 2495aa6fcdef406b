import { describe, expect, it } from 'vitest';
import { easter, holidays, sessionOf } from './trading-calendar.js';

describe('NYSE calendar', () => {
  it('knows the 2024 holidays', () => {
    expect([...holidays(2024)].sort()).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19',
      '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
    ]);
  });
  it('observes weekend holidays, except a Saturday New Year', () => {
    expect(holidays(2021).has('2021-07-05')).toBe(true); // July 4 on a Sunday
    expect(holidays(2021).has('2021-12-24')).toBe(true); // Christmas on a Saturday
    expect(holidays(2022).has('2022-01-01')).toBe(false); // Saturday New Year's Day: not made up
    expect(holidays(2021).has('2021-12-31')).toBe(false);
    expect(holidays(2023).has('2023-01-02')).toBe(true); // Sunday New Year's Day -> Monday
    expect(holidays(2022).has('2022-06-20')).toBe(true); // Juneteenth on a Sunday
    expect(holidays(2021).has('2021-06-18')).toBe(false); // before Juneteenth was a market holiday
  });
  it('computes Easter', () => {
    expect(easter(2024)).toBe('2024-03-31');
    expect(easter(2025)).toBe('2025-04-20');
    expect(easter(2019)).toBe('2019-04-21');
  });
  it('has early closes and special closures', () => {
    expect(sessionOf('2024-07-03')?.closeMinute).toBe(13 * 60);
    expect(sessionOf('2024-11-29')?.closeMinute).toBe(13 * 60);
    expect(sessionOf('2024-12-24')?.closeMinute).toBe(13 * 60);
    expect(sessionOf('2022-07-01')?.closeMinute).toBe(16 * 60); // July 4 on a Monday: no early close
    expect(sessionOf('2012-10-29')).toBeUndefined();
    expect(sessionOf('2025-01-09')).toBeUndefined();
    expect(sessionOf('2024-03-09')).toBeUndefined(); // Saturday
    expect(sessionOf('2024-03-08')).toEqual({ openMinute: 570, closeMinute: 960 });
  });
});
