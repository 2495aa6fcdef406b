import type { BarBatch } from '../../application/bar-batch.js';
import { isoUtc } from '../../kernel/time-range.js';
import { AtomicFile, csvField } from './atomic-file.js';

export const COMBINED_HEADER = 'ticker,exchange,interval_minutes,timestamp,open,high,low,close,volume';

/** Rows of a batch as combined-CSV lines: UTC ISO times, shortest round-trip numbers. */
export function combinedCsvLines(batch: BarBatch): string {
  const prefixes = batch.series.map((s) => `${csvField(s.ticker)},${csvField(s.exchange)},${s.intervalMinutes},`);
  const parts = new Array<string>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const prefix = prefixes[batch.seriesIndex[i] ?? 0];
    if (prefix === undefined) throw new RangeError(`row ${i} names series ${batch.seriesIndex[i]} of ${prefixes.length}`);
    parts[i] =
      `${prefix}${isoUtc(batch.timestampMs[i] ?? NaN)},${String(batch.open[i])},${String(batch.high[i])},` +
      `${String(batch.low[i])},${String(batch.close[i])},${String(batch.volume[i])}\n`;
  }
  return parts.join('');
}

/**
 * The combined CSV (`--output-filename`): rows of many tickers in one file,
 * written to a temporary file and renamed into place on `commit()` (see
 * `AtomicFile`). `append` may be called from concurrent async code: each batch
 * is written whole, in call order.
 */
export class CombinedCsvWriter {
  private readonly file: AtomicFile;
  private rowCount = 0;

  private constructor(file: AtomicFile) {
    this.file = file;
  }

  static async open(destination: string): Promise<CombinedCsvWriter> {
    const file = await AtomicFile.create(destination, '--output-filename');
    const w = new CombinedCsvWriter(file);
    await file.write(`${COMBINED_HEADER}\n`);
    return w;
  }

  get destination(): string {
    return this.file.destination;
  }

  get rows(): number {
    return this.rowCount;
  }

  async append(batch: BarBatch): Promise<void> {
    if (batch.length === 0) return;
    const text = combinedCsvLines(batch);
    await this.file.write(text);
    this.rowCount += batch.length;
  }

  commit(): Promise<void> {
    return this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}
