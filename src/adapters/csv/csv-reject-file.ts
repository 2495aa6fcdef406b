import type { RejectSink, RejectedRow } from '../../application/ports/reject-sink.js';
import { AtomicFile, csvField } from './atomic-file.js';

export const REJECT_HEADER = 'file,row,reason,detail,values';

/** Text buffered before it is handed to the file. */
const FLUSH_CHARS = 64 * 1024;

/**
 * The `--reject-file` sink: a CSV with columns file,row,reason,detail,values
 * (`values` as compact JSON), written under a temporary name and renamed into
 * place on `close()` (mode 0644), so the file is complete or absent. Memory is
 * bounded: rows are flushed to the temporary file as they come.
 */
export class CsvRejectFile implements RejectSink {
  private readonly file: AtomicFile;
  private buffer = '';
  private rows = 0;
  private closed = false;

  private constructor(file: AtomicFile) {
    this.file = file;
    this.buffer = `${REJECT_HEADER}\n`;
  }

  static async create(destination: string): Promise<CsvRejectFile> {
    return new CsvRejectFile(await AtomicFile.create(destination, '--reject-file'));
  }

  /** Rows added so far. */
  get count(): number {
    return this.rows;
  }

  get destination(): string {
    return this.file.destination;
  }

  add(row: RejectedRow): void {
    if (this.closed) return;
    this.rows++;
    this.buffer += `${[row.file, String(row.row), row.reason, row.detail, JSON.stringify(row.values)].map(csvField).join(',')}\n`;
    if (this.buffer.length >= FLUSH_CHARS) {
      const text = this.buffer;
      this.buffer = '';
      // Errors are kept by the file and raised by close().
      this.file.write(text).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.buffer !== '') {
      const text = this.buffer;
      this.buffer = '';
      await this.file.write(text).catch(() => undefined);
    }
    await this.file.commit();
  }

  /** Drops the temporary file (the run failed before the rejects mean anything). */
  async abort(): Promise<void> {
    this.closed = true;
    this.buffer = '';
    await this.file.abort();
  }
}
