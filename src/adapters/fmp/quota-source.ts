import { SourceError } from '../../kernel/errors.js';
import type { BarBatch } from '../../application/bar-batch.js';
import type { BarFetchObserver, BarFetchRequest, BarSource } from '../../application/ports/bar-source.js';

/**
 * A BarSource that stops before a daily request budget is exceeded: the
 * request that would pass `dailyLimit` (counting `usedToday` from earlier runs)
 * is not sent; the run stops with a fatal error and resumes another day with
 * `--resume`. `onCount` receives every request made, for keeping the tally.
 */
export class QuotaGuardedBarSource implements BarSource {
  private used: number;

  constructor(
    private readonly inner: BarSource,
    private readonly o: { dailyLimit: number; usedToday: number; day: string; onCount: (n: number) => void },
  ) {
    this.used = o.usedToday;
  }

  /** Requests counted today, this run included. */
  get usedToday(): number {
    return this.used;
  }

  fetch(request: BarFetchRequest, observer?: BarFetchObserver): AsyncIterable<BarBatch> {
    const guard: BarFetchObserver = {
      ...observer,
      onRequest: (info) => {
        if (this.used + 1 > this.o.dailyLimit) {
          throw new SourceError(
            `FMP_DAILY_LIMIT reached: ${this.used} of ${this.o.dailyLimit} requests made on ${this.o.day} (UTC); ` +
              `stopped before exceeding it: rerun with --resume last tomorrow`,
            { retryable: false, fatal: true },
          );
        }
        this.used += 1;
        this.o.onCount(1);
        observer?.onRequest?.(info);
      },
    };
    return this.inner.fetch(request, guard);
  }
}
