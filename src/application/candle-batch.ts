/**
 * A columnar batch of 1-minute crypto candles. Every array has `length` entries;
 * row i of the batch is the i-th entry of each array. No per-row objects.
 *
 * Times are epoch milliseconds in UTC (exact integers in a float64).
 * Optional columns are `null` when the input layout does not have them
 * (for example a generic OHLCV file has no trade count).
 */
export interface CandleBatch {
  readonly length: number;
  readonly openTimeMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Base-asset volume. */
  readonly volume: Float64Array;
  /** Binance close time (open + 59,999 ms for a complete candle). */
  readonly closeTimeMs: Float64Array | null;
  /** Quote-asset volume (Binance `quote_asset_volume`, Bybit `turnover`). */
  readonly quoteVolume: Float64Array | null;
  readonly trades: Float64Array | null;
  readonly takerBuyBaseVolume: Float64Array | null;
  readonly takerBuyQuoteVolume: Float64Array | null;
}

export type CandleColumn = Exclude<keyof CandleBatch, 'length'>;

export const REQUIRED_CANDLE_COLUMNS = ['openTimeMs', 'open', 'high', 'low', 'close', 'volume'] as const;
export const OPTIONAL_CANDLE_COLUMNS = [
  'closeTimeMs',
  'quoteVolume',
  'trades',
  'takerBuyBaseVolume',
  'takerBuyQuoteVolume',
] as const;

/** Allocates an empty batch of `capacity` rows with the given optional columns. */
export function allocateCandleBatch(
  capacity: number,
  optional: ReadonlySet<(typeof OPTIONAL_CANDLE_COLUMNS)[number]>,
): CandleBatch {
  const f = (): Float64Array => new Float64Array(capacity);
  const o = (c: (typeof OPTIONAL_CANDLE_COLUMNS)[number]): Float64Array | null => (optional.has(c) ? f() : null);
  return {
    length: capacity,
    openTimeMs: f(),
    open: f(),
    high: f(),
    low: f(),
    close: f(),
    volume: f(),
    closeTimeMs: o('closeTimeMs'),
    quoteVolume: o('quoteVolume'),
    trades: o('trades'),
    takerBuyBaseVolume: o('takerBuyBaseVolume'),
    takerBuyQuoteVolume: o('takerBuyQuoteVolume'),
  };
}

/** A view of rows `[from, to)` of a batch, sharing its memory. */
export function sliceCandleBatch(b: CandleBatch, from: number, to: number): CandleBatch {
  const s = (a: Float64Array | null): Float64Array | null => (a === null ? null : a.subarray(from, to));
  return {
    length: to - from,
    openTimeMs: b.openTimeMs.subarray(from, to),
    open: b.open.subarray(from, to),
    high: b.high.subarray(from, to),
    low: b.low.subarray(from, to),
    close: b.close.subarray(from, to),
    volume: b.volume.subarray(from, to),
    closeTimeMs: s(b.closeTimeMs),
    quoteVolume: s(b.quoteVolume),
    trades: s(b.trades),
    takerBuyBaseVolume: s(b.takerBuyBaseVolume),
    takerBuyQuoteVolume: s(b.takerBuyQuoteVolume),
  };
}
