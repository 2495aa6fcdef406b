import { describe, expect, it } from 'vitest';
import { describePlan, planFetch } from './plan.js';
import { splitWindows } from './windows.js';

describe('planFetch', () => {
  it('counts one request per window per ticker and checks the daily limit', () => {
    const w = splitWindows('2024-01-01', '2024-12-31', 1).length;
    const p = planFetch({ tickers: ['AAPL', 'MSFT'], fromDate: '2024-01-01', toDate: '2024-12-31', intervalMinutes: 1, requestsPerMinute: 300, dailyLimit: 250, usedToday: 200 });
    expect(p.totalRequests).toBe(2 * w);
    expect(p.minutesNeeded).toBeCloseTo((2 * w) / 300);
    expect(p.fitsDailyLimit).toBe(200 + 2 * w <= 250);
    expect(describePlan(p, 300)).toContain(`2 tickers x ${w} windows = ${2 * w} requests`);
  });
  it('does not count the windows already in the cache', () => {
    const w = splitWindows('2024-03-04', '2024-04-30', 1).length;
    const p = planFetch({ tickers: ['A', 'B'], fromDate: '2024-03-04', toDate: '2024-04-30', intervalMinutes: 1, requestsPerMinute: 300, dailyLimit: 2 * w - 2, cached: new Map([['A', 2]]) });
    expect(p.cachedWindows).toBe(2);
    expect(p.totalRequests).toBe(2 * w - 2);
    expect(p.fitsDailyLimit).toBe(true);
    expect(describePlan(p, 300)).toContain(`2 tickers x ${w} windows = ${2 * w} windows, 2 in the cache: ${2 * w - 2} requests`);
  });
  it('fits when no daily limit is set', () => {
    const p = planFetch({ tickers: ['A'], fromDate: '2024-01-01', toDate: '2024-01-31', intervalMinutes: 60, requestsPerMinute: 300 });
    expect(p.fitsDailyLimit).toBe(true);
    expect(p.totalRequests).toBe(1);
    expect(describePlan(p, 300)).toMatch(/no FMP_DAILY_LIMIT set/);
  });
});
