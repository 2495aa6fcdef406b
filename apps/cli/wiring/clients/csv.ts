import type { BarFileReader } from '../../../../src/application/ports/bar-file-reader.js';
import { CsvBarFileReader } from '../../../../src/adapters/csv/csv-bar-file-reader.js';

/** The inject-csv reader: CSV and gzipped CSV, columns matched by header name. */
export function createCsvBarFileReader(): BarFileReader {
  return new CsvBarFileReader();
}
