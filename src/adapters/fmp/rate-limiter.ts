/**
 * A client-side request rate limiter shared by all workers of one FMP source.
 *
 * Smooth spacing: grants are at least `(windowMs + marginMs) / requestsPerWindow`
 * apart, measured between ACTUAL grant times, so any window of `windowMs` holds
 * at most `requestsPerWindow` requests even when the event loop stalls (a stall
 * only widens gaps). The margin absorbs network jitter between our send times
 * and the server's arrival times. Waiters are served first come, first served.
 *
 * `pause(ms)` (called on a 429) holds every worker's next request back.
 */
import type { Clock } from '../../kernel/clock.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RequestRateLimiter {
  /** Resolves when the caller may send one request; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Holds all requests back for at least `ms` from now (a server said 429). */
  pause(ms: number): void;
}

export interface RateLimiterOptions {
  /** Requests allowed per window (FMP plans: 300, 750 or 3000 per minute). */
  readonly requestsPerWindow: number;
  /** Default 60,000 (per minute). */
  readonly windowMs?: number;
  /** Extra time spread over each window against network jitter; default 1% of the window (600 ms per minute). */
  readonly marginMs?: number;
  readonly clock?: Pick<Clock, 'monotonic'>;
  /** Used only for its own wake-ups; not required to honour the signal. */
  readonly sleep?: Sleep;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

const performanceClock: Pick<Clock, 'monotonic'> = { monotonic: () => performance.now() };
const timerSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

export class RateLimiter implements RequestRateLimiter {
  /** Minimum ms between two grants. */
  readonly spacingMs: number;
  private readonly clock: Pick<Clock, 'monotonic'>;
  private readonly sleep: Sleep;
  private readonly queue: Waiter[] = [];
  private lastGrant = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private wakeScheduled = false;

  constructor(options: RateLimiterOptions) {
    const n = options.requestsPerWindow;
    if (!Number.isFinite(n) || n <= 0) throw new RangeError(`requestsPerWindow must be a positive number; got ${n}`);
    const windowMs = options.windowMs ?? 60_000;
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs must be positive; got ${windowMs}`);
    const marginMs = options.marginMs ?? windowMs / 100;
    if (!Number.isFinite(marginMs) || marginMs < 0) throw new RangeError(`marginMs must be >= 0; got ${marginMs}`);
    this.spacingMs = (windowMs + marginMs) / n;
    this.clock = options.clock ?? performanceClock;
    this.sleep = options.sleep ?? timerSleep;
  }

  /** Requests waiting for a grant. */
  get waiting(): number {
    return this.queue.length;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal === undefined ? new Error('aborted') : abortReason(signal));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.monotonic() + ms);
  }

  private pump(): void {
    if (this.wakeScheduled) return;
    while (this.queue.length > 0) {
      const now = this.clock.monotonic();
      const earliest = Math.max(this.lastGrant + this.spacingMs, this.pausedUntil);
      if (now < earliest) {
        this.wakeScheduled = true;
        void this.sleep(earliest - now).then(
          () => {
            this.wake();
          },
          () => {
            this.wake();
          },
        );
        return;
      }
      const waiter = this.queue.shift();
      if (waiter === undefined) return;
      this.lastGrant = now;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
  }

  private wake(): void {
    this.wakeScheduled = false;
    this.pump();
  }
}
