/**
 * A columnar batch of equities bars. Rows may belong to several series
 * (a combined CSV holds many tickers): `series` is a small dictionary and
 * `seriesIndex[i]` names the series of row i.
 */
export interface BarSeriesKey {
  readonly ticker: string;
  readonly exchange: string;
  readonly intervalMinutes: BarInterval;
}

export type BarInterval = 1 | 5 | 15 | 30 | 60;
export const BAR_INTERVALS: readonly BarInterval[] = [1, 5, 15, 30, 60];

export interface BarBatch {
  readonly length: number;
  readonly series: readonly BarSeriesKey[];
  readonly seriesIndex: Uint32Array;
  /** Bar start, epoch milliseconds UTC. */
  readonly timestampMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** The value columns of a batch, without its series. */
export type BarColumns = Omit<BarBatch, 'length' | 'series' | 'seriesIndex'>;

/** Zeroed value columns for `n` bars. */
export function allocateBarColumns(n: number): BarColumns {
  return {
    timestampMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** A batch of one series. */
export function singleSeriesBatch(
  key: BarSeriesKey,
  cols: Omit<BarBatch, 'length' | 'series' | 'seriesIndex'>,
): BarBatch {
  const length = cols.timestampMs.length;
  return { length, series: [key], seriesIndex: new Uint32Array(length), ...cols };
}
