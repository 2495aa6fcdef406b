import type { StopSignal } from '../../kernel/stop-signal.js';

/** Waits `ms` milliseconds; rejects early (with the signal's reason) when `signal` aborts. Injected: no timers here. */
export type Sleep = (ms: number, signal?: StopSignal) => Promise<void>;

export interface RetryPolicy {
  /** Retries after the first attempt (0: no retry). */
  readonly maxRetries: number;
  /** Base delay in ms: the cap of retry k (1-based) is min(capMs, baseMs * 2^(k-1)). */
  readonly baseMs: number;
  /** Largest delay in ms. */
  readonly capMs: number;
}

export const DEFAULT_RETRY_CAP_MS = 30_000;

/**
 * The delay before retry `k` (1-based): "full jitter", a uniform draw in
 * [0, min(cap, base * 2^(k-1))]. `random` returns a number in [0, 1).
 */
export function backoffDelay(policy: RetryPolicy, k: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, k - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  readonly random: () => number;
  /** Whether a failure may be retried (transient); others are thrown at once. */
  readonly retryable: (err: unknown) => boolean;
  /** Called before each retry's delay. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** A stop request ends the retries: the last failure is thrown. */
  readonly signal?: StopSignal;
}

/**
 * Runs `work` and retries it while it fails with a retryable error, at most
 * `policy.maxRetries` times, with exponential backoff and full jitter. The last
 * error is thrown as is; `attempts` (in the callback) says how many were made.
 */
export async function withRetries<T>(work: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (attempt > o.policy.maxRetries || !o.retryable(err) || o.signal?.aborted === true) {
        throw attachAttempts(err, attempt);
      }
      const delayMs = backoffDelay(o.policy, attempt, o.random);
      o.onRetry?.({ attempt, delayMs, error: err });
      try {
        await o.sleep(delayMs, o.signal);
      } catch {
        // Stopped while waiting: give up with the failure that made us wait.
        throw attachAttempts(err, attempt);
      }
    }
  }
}

const ATTEMPTS = new WeakMap<object, number>();

function attachAttempts(err: unknown, attempts: number): unknown {
  if (typeof err === 'object' && err !== null) ATTEMPTS.set(err, attempts);
  return err;
}

/** How many attempts `withRetries` made before throwing `err` (1 when it was not retried or not seen). */
export function attemptsOf(err: unknown): number {
  return typeof err === 'object' && err !== null ? (ATTEMPTS.get(err) ?? 1) : 1;
}
