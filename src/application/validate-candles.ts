import type { CandleBatch } from './candle-batch.js';

/** Why a candle row was rejected. Stable names: they appear in reports and reject files. */
export type CandleRejectReason =
  | 'time_not_minute_aligned'
  | 'non_finite_value'
  | 'negative_value'
  | 'high_low_inconsistent';

export const CANDLE_REJECT_REASONS: readonly CandleRejectReason[] = [
  'time_not_minute_aligned',
  'non_finite_value',
  'negative_value',
  'high_low_inconsistent',
];

/**
 * Checks row `i` of a batch. Returns undefined when valid, else the reason and a detail.
 * A row is valid when its open time is on a minute boundary, every present value is
 * finite and non-negative (NaN in an optional column means "unknown" and is allowed),
 * and low <= min(open, close) <= max(open, close) <= high.
 */
export function checkCandle(b: CandleBatch, i: number): { reason: CandleRejectReason; detail: string } | undefined {
  const t = b.openTimeMs[i] ?? NaN;
  if (!Number.isFinite(t)) return { reason: 'non_finite_value', detail: 'open time is missing or not a number' };
  if (t % 60_000 !== 0) return { reason: 'time_not_minute_aligned', detail: `open time ${t} ms is not on a minute boundary` };
  const o = b.open[i] ?? NaN, h = b.high[i] ?? NaN, l = b.low[i] ?? NaN, c = b.close[i] ?? NaN, v = b.volume[i] ?? NaN;
  if (!Number.isFinite(o) || !Number.isFinite(h) || !Number.isFinite(l) || !Number.isFinite(c) || !Number.isFinite(v)) {
    return { reason: 'non_finite_value', detail: 'open, high, low, close and volume must be finite numbers' };
  }
  if (o < 0 || h < 0 || l < 0 || c < 0 || v < 0) return { reason: 'negative_value', detail: 'prices and volume must be >= 0' };
  for (const col of [b.quoteVolume, b.trades, b.takerBuyBaseVolume, b.takerBuyQuoteVolume]) {
    if (col === null) continue;
    const x = col[i] ?? NaN;
    if (x === Infinity || x === -Infinity) return { reason: 'non_finite_value', detail: 'an optional volume column is infinite' };
    if (x < 0) return { reason: 'negative_value', detail: 'volumes and trade counts must be >= 0' };
  }
  if (l > o || l > c || h < o || h < c || l > h) {
    return { reason: 'high_low_inconsistent', detail: `low ${l} / high ${h} do not bound open ${o} and close ${c}` };
  }
  return undefined;
}
