import type { InstrumentId } from '../../kernel/instrument-id.js';
import type { CandleBatch } from '../candle-batch.js';

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
  write(target: KlineTarget, batch: CandleBatch, ingestedAtMs: number): Promise<void>;
  close(): Promise<void>;
}
