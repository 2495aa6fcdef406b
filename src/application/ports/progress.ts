/**
 * Port: where progress goes while a run works (adapters: a live display on a
 * terminal, periodic log lines otherwise, or nothing with --no-progress).
 * Calls are cheap and synchronous; the adapter decides how often to show them.
 */
export interface ProgressSink {
  /** The run's size: units (tickers, files) and, when known, total rows (an upper bound is fine). */
  begin(total: { units: number; rows?: number }): void;
  unitStarted(unit: string): void;
  /** `rows` more rows of `unit` were read and handed on. */
  unitRows(unit: string, rows: number): void;
  /** The unit ended; `done` false (a failure) leaves it out of the units done. */
  unitFinished(unit: string, done?: boolean): void;
  end(): void;
}

export const noProgress: ProgressSink = {
  begin() {},
  unitStarted() {},
  unitRows() {},
  unitFinished() {},
  end() {},
};
