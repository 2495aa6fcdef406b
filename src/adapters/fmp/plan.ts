import type { BarInterval } from '../../application/bar-batch.js';
import { splitWindows } from './windows.js';

export interface FetchPlan {
  /** Windows per ticker, and how many of them the cache already holds (no request). */
  readonly perTicker: readonly { ticker: string; windows: number; cached: number }[];
  /** Requests to send if no answer needs a retry or a truncation refetch: windows not in the cache. */
  readonly totalRequests: number;
  /** Windows already answered, kept in the cache. */
  readonly cachedWindows: number;
  /** At the client's rate limit. */
  readonly minutesNeeded: number;
  readonly dailyLimit: number | undefined;
  /** Requests already made today (from the ledger), when known. */
  readonly usedToday: number;
  readonly fitsDailyLimit: boolean;
}

/**
 * The requests a run will make: one per window per ticker (windows sized from the regular session, see
 * `splitWindows`), less the windows already in the cache; retries and answers that come back truncated
 * (extended hours) add to it.
 */
export function planFetch(o: {
  tickers: readonly string[];
  fromDate: string;
  toDate: string;
  intervalMinutes: BarInterval;
  rowCap?: number;
  requestsPerMinute: number;
  dailyLimit?: number;
  usedToday?: number;
  /** Windows of each ticker already in the cache. */
  cached?: ReadonlyMap<string, number>;
}): FetchPlan {
  const windows = splitWindows(o.fromDate, o.toDate, o.intervalMinutes, o.rowCap).length;
  const perTicker = o.tickers.map((ticker) => ({ ticker, windows, cached: Math.min(windows, o.cached?.get(ticker) ?? 0) }));
  const cachedWindows = perTicker.reduce((a, p) => a + p.cached, 0);
  const totalRequests = windows * o.tickers.length - cachedWindows;
  const used = o.usedToday ?? 0;
  return {
    perTicker,
    totalRequests,
    cachedWindows,
    minutesNeeded: totalRequests / o.requestsPerMinute,
    dailyLimit: o.dailyLimit,
    usedToday: used,
    fitsDailyLimit: o.dailyLimit === undefined || used + totalRequests <= o.dailyLimit,
  };
}

/**
 * `plan: 3 tickers x 4 windows = 12 requests, about 0.0 min at 300/min; FMP_DAILY_LIMIT 250: fits (0 used today, 12 after this run)`;
 * with cached windows: `plan: 3 tickers x 4 windows = 12 windows, 5 in the cache: 7 requests, about ...`.
 */
export function describePlan(p: FetchPlan, requestsPerMinute: number): string {
  const w = p.perTicker[0]?.windows ?? 0;
  const daily =
    p.dailyLimit === undefined
      ? 'no FMP_DAILY_LIMIT set'
      : `FMP_DAILY_LIMIT ${p.dailyLimit}: ${p.fitsDailyLimit ? 'fits' : 'DOES NOT FIT'} (${p.usedToday} used today, ${p.usedToday + p.totalRequests} after this run)`;
  const count =
    p.cachedWindows === 0
      ? `${p.totalRequests} requests`
      : `${p.totalRequests + p.cachedWindows} windows, ${p.cachedWindows} in the cache: ${p.totalRequests} requests`;
  return `plan: ${p.perTicker.length} tickers x ${w} windows = ${count}, about ${p.minutesNeeded.toFixed(1)} min at ${requestsPerMinute}/min; ${daily}`;
}
