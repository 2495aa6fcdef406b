import type { Logger } from '../../kernel/logger.js';
import type { StopSignal } from '../../kernel/stop-signal.js';
import { backoffDelay, type RetryPolicy, type Sleep } from './retry.js';

/** Retrying a whole unit (ticker, file) after a transient database failure; the sleep is injected. */
export interface UnitRetry {
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  /** A number in [0, 1), for the jitter. */
  readonly random: () => number;
}

/** What one attempt at a unit reports: `retryable` when it failed transiently and nothing of it was committed. */
export interface UnitAttempt {
  readonly retryable: boolean;
  readonly error?: string;
}

/**
 * Runs a unit and, while it fails transiently (its transaction rolled back, so
 * nothing of it is stored), runs it again from the start with exponential
 * backoff and full jitter, at most `retry.policy.maxRetries` times. A stop
 * request ends the retries; the last attempt's result is returned.
 */
export async function runUnitWithRetries<R extends UnitAttempt>(
  name: string,
  attempt: () => Promise<R>,
  o: { retry: UnitRetry | undefined; logger: Logger; stop: StopSignal },
): Promise<R> {
  let result = await attempt();
  const retry = o.retry;
  if (retry === undefined) return result;
  for (let k = 1; result.retryable && k <= retry.policy.maxRetries && !o.stop.aborted; k++) {
    const delay = backoffDelay(retry.policy, k, retry.random);
    o.logger.warn(`[${name}] Attempt ${k} of ${retry.policy.maxRetries + 1} failed (rolled back); retrying in ${delay} ms: ${result.error ?? 'transient failure'}`);
    try {
      await retry.sleep(delay, o.stop);
    } catch {
      break;
    }
    result = await attempt();
  }
  return result;
}
