import type { BarInterval } from '../../application/bar-batch.js';
import { splitWindows } from './windows.js';

export interface FetchPlan {
  readonly perTicker: readonly { ticker: string; windows: number }[];
  /** Requests if no answer needs a retry or a truncation refetch. */
  readonly totalRequests: number;
  /** At the client's rate limit. */
  readonly minutesNeeded: number;
  readonly dailyLimit: number | undefined;
  /** Requests already made today (from the ledger), when known. */
  readonly usedToday: number;
  readonly fitsDailyLimit: boolean;
}

/** The requests a run will make: one per window per ticker (before retries). */
export function planFetch(o: {
  tickers: readonly string[];
  fromDate: string;
  toDate: string;
  intervalMinutes: BarInterval;
  rowCap?: number;
  requestsPerMinute: number;
  dailyLimit?: number;
  usedToday?: number;
}): FetchPlan {
  const windows = splitWindows(o.fromDate, o.toDate, o.intervalMinutes, o.rowCap).length;
  const perTicker = o.tickers.map((ticker) => ({ ticker, windows }));
  const totalRequests = windows * o.tickers.length;
  const used = o.usedToday ?? 0;
  return {
    perTicker,
    totalRequests,
    minutesNeeded: totalRequests / o.requestsPerMinute,
    dailyLimit: o.dailyLimit,
    usedToday: used,
    fitsDailyLimit: o.dailyLimit === undefined || used + totalRequests <= o.dailyLimit,
  };
}

/** `plan: 3 tickers x 4 windows = 12 requests, about 0.0 min at 300/min; FMP_DAILY_LIMIT 250: fits (0 used today)` */
export function describePlan(p: FetchPlan, requestsPerMinute: number): string {
  const w = p.perTicker[0]?.windows ?? 0;
  const daily =
    p.dailyLimit === undefined
      ? 'no FMP_DAILY_LIMIT set'
      : `FMP_DAILY_LIMIT ${p.dailyLimit}: ${p.fitsDailyLimit ? 'fits' : 'DOES NOT FIT'} (${p.usedToday} used today, ${p.usedToday + p.totalRequests} after this run)`;
  return `plan: ${p.perTicker.length} tickers x ${w} windows = ${p.totalRequests} requests, about ${p.minutesNeeded.toFixed(1)} min at ${requestsPerMinute}/min; ${daily}`;
}
