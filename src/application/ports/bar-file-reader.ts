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

/**
 * Port: reads bar files (adapter: CSV and gzipped CSV). Yields columnar
 * batches; rejects a file that cannot be opened with an InputError naming it.
 */
export interface BarFileReader {
  read(file: string, options: BarFileReadOptions): AsyncIterable<BarBatch>;
}
