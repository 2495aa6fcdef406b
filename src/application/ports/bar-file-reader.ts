import type { BarBatch, BarInterval } from '../bar-batch.js';
import type { RejectedRow } from './reject-sink.js';

export interface BarFileReadOptions {
  /** Used when the file has no `exchange` column. */
  readonly defaultExchange: string;
  /** Used when the file has no `interval_minutes` column. */
  readonly defaultIntervalMinutes: BarInterval;
  /** Called for every malformed row (file, line, reason); the other rows still load. */
  readonly onReject: (row: RejectedRow) => void;
}

/** One bar's key in `market_data`. */
export interface BarKey {
  readonly ticker: string;
  readonly intervalMinutes: number;
  readonly timestampMs: number;
}

/**
 * Port: reads bar files (adapter: CSV and gzipped CSV). Yields columnar
 * batches; rejects a file that cannot be opened with an InputError naming it.
 */
export interface BarFileReader {
  read(file: string, options: BarFileReadOptions): AsyncIterable<BarBatch>;
  /** The 1-based lines of the file holding the bar with this key (rows that would be rejected are not counted). */
  linesOf(file: string, options: BarFileReadOptions, key: BarKey): Promise<number[]>;
}
