import type { Sleep } from '../../../src/application/use-cases/retry.js';
import { DEFAULT_RETRY_CAP_MS, type RetryPolicy } from '../../../src/application/use-cases/retry.js';
import { ConfigError } from '../../../src/kernel/errors.js';

/** A timer-based Sleep that rejects with the signal's reason when the signal aborts. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * A retry policy from two environment variables, e.g. CH_MAX_RETRIES and
 * CH_RETRY_BASE_MS (the cap is 30 s). Bad values are configuration errors.
 */
export function retryPolicyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  names: { retries: string; baseMs: string },
  defaults: { retries: number; baseMs: number },
): RetryPolicy {
  const int = (name: string, fallback: number, max: number): number => {
    const v = env[name]?.trim();
    if (v === undefined || v === '') return fallback;
    if (!/^\d{1,9}$/.test(v) || Number(v) > max) {
      throw new ConfigError(`${name}: expected an integer 0..${max}; got '${v.slice(0, 20)}'`);
    }
    return Number(v);
  };
  return {
    maxRetries: int(names.retries, defaults.retries, 100),
    baseMs: int(names.baseMs, defaults.baseMs, DEFAULT_RETRY_CAP_MS),
    capMs: DEFAULT_RETRY_CAP_MS,
  };
}
