import type { BarBatch } from '../../application/bar-batch.js';
import type { BarExport, BarExportUnit } from '../../application/ports/bar-export.js';
import { CombinedCsvWriter } from '../csv/combined-csv-writer.js';

/**
 * The `--output-filename` export (BarExport port) over the combined CSV writer.
 * Each unit's batches are kept apart until the unit commits, then appended, so
 * a failed ticker leaves no rows. The file appears at the destination only on
 * `finish` (temporary file + rename; a link planted there is replaced, never followed).
 */
export class CsvBarExport implements BarExport {
  private constructor(private readonly writer: CombinedCsvWriter) {}

  static async create(destination: string): Promise<CsvBarExport> {
    return new CsvBarExport(await CombinedCsvWriter.open(destination));
  }

  begin(): Promise<BarExportUnit> {
    let batches: BarBatch[] = [];
    const unit: BarExportUnit = {
      write: (batch) => {
        // Own a copy: callers may reuse their arrays.
        batches.push(copyBatch(batch));
        return Promise.resolve();
      },
      commit: async () => {
        const mine = batches;
        batches = [];
        for (const b of mine) await this.writer.append(b);
      },
      discard: () => {
        batches = [];
        return Promise.resolve();
      },
    };
    return Promise.resolve(unit);
  }

  async finish(): Promise<{ rows: number }> {
    await this.writer.commit();
    return { rows: this.writer.rows };
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

function copyBatch(b: BarBatch): BarBatch {
  return {
    length: b.length,
    series: b.series,
    seriesIndex: b.seriesIndex.slice(),
    timestampMs: b.timestampMs.slice(),
    open: b.open.slice(),
    high: b.high.slice(),
    low: b.low.slice(),
    close: b.close.slice(),
    volume: b.volume.slice(),
  };
}
