import type { RejectSink } from '../../../../src/application/ports/reject-sink.js';

/** The --reject-file sink (CSV, written atomically on close; `abort` drops its temporary file). */
export async function openRejectFile(file: string): Promise<RejectSink & { abort(): Promise<void> }> {
  const { CsvRejectFile } = await import('../../../../src/adapters/csv/csv-reject-file.js');
  return CsvRejectFile.create(file);
}
