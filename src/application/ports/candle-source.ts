import type { InstrumentId } from '../../kernel/instrument-id.js';
import type { TimeRange } from '../../kernel/time-range.js';
import type { CandleBatch } from '../candle-batch.js';

/** How the time column of an input was read. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

/** What a source found out about one input file before reading it. */
export interface InputFileInfo {
  readonly path: string;
  /** `binance`, `binance-futures`, `bybit` or `generic`. */
  readonly layout: string;
  /** The column the open time was taken from. */
  readonly timeColumn: string;
  /** The inferred unit (integer epochs) or the Parquet TIMESTAMP unit. */
  readonly timeUnit: TimeUnit;
  /** Whether the time column is a Parquet TIMESTAMP (true) or an integer epoch (false). */
  readonly timeIsTimestampType: boolean;
  /** Rows in the file (all symbols, all times). */
  readonly totalRows: number;
  readonly hasSymbolColumn: boolean;
}

/** An input left out of the run, and why (for example a file named for another symbol). */
export interface SkippedInput {
  readonly path: string;
  readonly reason: string;
}

/** A batch read from one file, with the 1-based row number of every row in that file. */
export interface SourceChunk {
  readonly file: string;
  readonly batch: CandleBatch;
  readonly rowNumbers: Float64Array;
}

export interface CandleScanRequest {
  readonly instrument: InstrumentId;
  readonly range: TimeRange;
}

/**
 * An opened scan: every input was found, opened and its layout inferred before
 * `open` resolved, so a bad file fails the run before anything is written.
 */
export interface CandleScan {
  /** The files to read, in the run's input order (their ordinal decides which file wins an overlap). */
  readonly files: readonly InputFileInfo[];
  /** Inputs found but not read. */
  readonly skipped: readonly SkippedInput[];
  /**
   * Batches of rows of the requested symbol inside the requested range, file
   * after file. Memory is bounded by the batch size, not the file size. A
   * chunk's arrays are valid until the next chunk is asked for: an adapter may
   * refill the same arrays, so a consumer copies what it keeps.
   */
  batches(): AsyncIterable<SourceChunk>;
  close(): Promise<void>;
}

/** Port: where 1-minute candles come from (adapter: Parquet). */
export interface CandleSource {
  open(request: CandleScanRequest): Promise<CandleScan>;
}
