import type { StopSignal } from '../../kernel/stop-signal.js';
import type { BarBatch, BarInterval } from '../bar-batch.js';

export interface BarFetchRequest {
  readonly ticker: string;
  readonly exchange: string;
  readonly intervalMinutes: BarInterval;
  /** First and last calendar day (America/New_York exchange dates), inclusive, `YYYY-MM-DD`. */
  readonly fromDate: string;
  readonly toDate: string;
  readonly signal?: StopSignal;
}

/** A window of the vendor's API that answered with no bars. */
export interface EmptyWindow {
  readonly fromDate: string;
  readonly toDate: string;
}

export interface BarFetchObserver {
  /** Called once per HTTP request the source makes (for plans and progress). */
  onRequest?(info: { ticker: string; fromDate: string; toDate: string; attempt: number }): void;
  onEmptyWindow?(ticker: string, window: EmptyWindow): void;
}

/**
 * Port: a vendor of equities bars (adapter: Financial Modeling Prep over HTTP).
 * Yields the bars of one ticker in ascending time, each timestamp once, in
 * batches; rejects with a `SourceError` naming the ticker, window and cause.
 */
export interface BarSource {
  fetch(request: BarFetchRequest, observer?: BarFetchObserver): AsyncIterable<BarBatch>;
}
