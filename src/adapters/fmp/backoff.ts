/** Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay, ms. */
  readonly baseMs: number;
  /** Largest ceiling, ms. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/** The ceiling of the delay before retry number `retry` (0 = first retry): `min(cap, base * 2^retry)`. */
export function backoffCeilingMs(retry: number, policy: BackoffPolicy): number {
  const exp = policy.baseMs * 2 ** Math.min(Math.max(0, retry), 52);
  return Math.min(policy.capMs, exp);
}

/** A delay drawn uniformly from `[0, ceiling)`; `random` returns a number in `[0, 1)`. */
export function fullJitterDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
  return Math.floor(unit * backoffCeilingMs(retry, policy));
}
