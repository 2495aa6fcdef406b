import type { BarBatch } from '../../application/bar-batch.js';
import { isoUtc } from '../../kernel/time-range.js';

/** The columns barfill writes, in COPY / INSERT order. */
export const BAR_COLUMNS = 'ticker, exchange, interval_minutes, "timestamp", open, high, low, close, volume, source';

/** Escapes a value for PostgreSQL's COPY text format. */
export function copyTextEscape(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

/**
 * Shortest round-trip decimal form of a double (`String(x)`): PostgreSQL's
 * float8 input reads it back to the same bits (`1e+21`, `NaN`, `Infinity` included).
 */
export function float8Text(x: number): string {
  return String(x);
}

/**
 * Formats rows `[from, to)` of a batch as COPY text lines (tab-separated,
 * newline-terminated), in `BAR_COLUMNS` order.
 */
export function batchToCopyText(batch: BarBatch, source: string, from = 0, to = batch.length): string {
  const prefixes = batch.series.map(
    (s) => `${copyTextEscape(s.ticker)}\t${copyTextEscape(s.exchange)}\t${s.intervalMinutes}\t`,
  );
  const suffix = `\t${copyTextEscape(source)}\n`;
  const { seriesIndex, timestampMs, open, high, low, close, volume } = batch;
  const parts: string[] = new Array<string>(to - from);
  for (let i = from; i < to; i++) {
    const prefix = prefixes[seriesIndex[i] ?? 0];
    if (prefix === undefined) throw new RangeError(`row ${i} names series ${seriesIndex[i]} of ${prefixes.length}`);
    parts[i - from] =
      prefix +
      isoUtc(timestampMs[i] ?? NaN) +
      '\t' +
      float8Text(open[i] ?? NaN) +
      '\t' +
      float8Text(high[i] ?? NaN) +
      '\t' +
      float8Text(low[i] ?? NaN) +
      '\t' +
      float8Text(close[i] ?? NaN) +
      '\t' +
      float8Text(volume[i] ?? NaN) +
      suffix;
  }
  return parts.join('');
}
