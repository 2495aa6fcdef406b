import type { InstrumentId } from '../../kernel/instrument-id.js';
import type { CandleBatch } from '../candle-batch.js';

/**
 * What every row of one write carries besides its candle: when it was ingested
 * (informative) and its version, which decides which row of a minute survives
 * (the highest version; see `klineVersion`).
 */
export interface KlineStamp {
  readonly ingestedAtMs: number;
  /** An unsigned 64-bit integer. */
  readonly version: bigint;
}

/** Room for the file ordinal in a version: 2^20 files per run. */
export const MAX_FILES_PER_RUN = 1 << 20;

/**
 * The version of the rows of one input file: run start (epoch ms) * 2^20 + the
 * file's 0-based ordinal in the run's input order. Within a run the later file
 * wins; a later run (a resume too) wins over an earlier one.
 */
export function klineVersion(runStartMs: number, fileOrdinal: number): bigint {
  if (!Number.isSafeInteger(runStartMs) || runStartMs < 0) throw new RangeError(`run start ${runStartMs} is not a non-negative integer of ms`);
  if (!Number.isInteger(fileOrdinal) || fileOrdinal < 0 || fileOrdinal >= MAX_FILES_PER_RUN) {
    throw new RangeError(`file ordinal ${fileOrdinal} is outside 0..${MAX_FILES_PER_RUN - 1}`);
  }
  return BigInt(runStartMs) * BigInt(MAX_FILES_PER_RUN) + BigInt(fileOrdinal);
}

export interface KlineTarget {
  readonly instrument: InstrumentId;
  /** Canonical key, e.g. `binance:spot:BTCUSDT`. */
  readonly instrumentKey: string;
}

/**
 * Port: writes 1-minute klines to the raw store. The adapter chooses the raw
 * table from the market id (callers know nothing of tables); the canonical
 * table follows from the store's own materialized views.
 */
export interface RawKlineWriter {
  /**
   * Writes one batch as one insert. Resolves once the store has accepted it;
   * rejects with a `SinkError` otherwise (nothing of the batch is then assumed written).
   * The batch's memory may be reused by the caller after the promise settles.
   */
  write(target: KlineTarget, batch: CandleBatch, stamp: KlineStamp): Promise<void>;
  close(): Promise<void>;
}
