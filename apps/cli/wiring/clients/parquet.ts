/**
 * The Parquet candle source. DuckDB (a native addon) is imported only when a
 * scan is opened, so commands that never read Parquet do not load it.
 */
import type { CandleScan, CandleScanRequest, CandleSource } from '../../../../src/application/ports/candle-source.js';
import type { Logger } from '../../../../src/kernel/logger.js';

export interface ParquetCandleSourceOptions {
  readonly paths: readonly string[];
  readonly logger: Logger;
  /** Rows per batch read from DuckDB (default 65,536). */
  readonly batchSize?: number;
  /** DuckDB threads decoding Parquet (default 1). */
  readonly threads?: number;
}

export function createParquetCandleSource(options: ParquetCandleSourceOptions): CandleSource {
  return {
    async open(request: CandleScanRequest): Promise<CandleScan> {
      const { DuckDbParquetCandleSource } = await import('../../../../src/adapters/parquet/duckdb-parquet-candle-source.js');
      const source = new DuckDbParquetCandleSource({
        paths: options.paths,
        logger: options.logger,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...(options.threads === undefined ? {} : { threads: options.threads }),
      });
      return source.open(request);
    },
  };
}
