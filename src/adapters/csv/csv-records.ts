import type { Readable } from 'node:stream';

/** One CSV record: its 1-based first line, its fields, and its raw text. */
export interface CsvRecord {
  readonly line: number;
  /** undefined when the record is malformed (see `problem`). */
  readonly fields: string[] | undefined;
  readonly problem: string | undefined;
  readonly raw: string;
}

/** A record may span lines only inside quotes; past this size it is given up as unterminated. */
const MAX_RECORD_CHARS = 1 << 20;

type Parsed = { fields: string[] } | { unterminated: true } | { problem: string };

/** Splits one record (RFC 4180: `"` quotes, `""` escapes, commas and newlines inside quotes). */
export function parseCsvRecord(text: string): Parsed {
  if (!text.includes('"')) return { fields: text.split(',') };
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return { unterminated: true };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Spaces between the closing quote and the comma are tolerated.
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (i < n && text[i] !== ',') return { problem: `unexpected characters after a closing quote in field ${fields.length + 1}` };
      fields.push(value);
    } else {
      const c = text.indexOf(',', i);
      const end = c === -1 ? n : c;
      fields.push(text.slice(i, end));
      i = end;
    }
    if (i >= n) return { fields };
    i++; // the comma
    if (i === n) {
      fields.push('');
      return { fields };
    }
  }
}

/**
 * Assembles records from physical lines (without their `\n`): strips a `\r`,
 * skips blank lines, joins the lines of a quoted field that spans several, and
 * numbers records by the physical line they start on.
 */
export class CsvRecordAssembler {
  private lineNo = 0;
  private pending: { start: number; text: string } | undefined;

  /** True while a quoted field is open: the next line continues a record. */
  get inRecord(): boolean {
    return this.pending !== undefined;
  }

  /** The number the next physical line will have. */
  get nextLine(): number {
    return this.lineNo + 1;
  }

  /** Counts a line that was handled elsewhere (only when not `inRecord`); returns its 1-based number. */
  skipLine(): number {
    return ++this.lineNo;
  }

  /** Takes the next physical line; returns the record it completes, if any. */
  line(physical: string): CsvRecord | undefined {
    this.lineNo++;
    const lineText = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    const pending = this.pending;
    const start = pending?.start ?? this.lineNo;
    const candidate = pending === undefined ? lineText : `${pending.text}\n${lineText}`;
    if (pending === undefined && lineText.trim() === '') return undefined;
    const parsed = parseCsvRecord(candidate);
    if ('unterminated' in parsed) {
      if (candidate.length > MAX_RECORD_CHARS) {
        this.pending = undefined;
        return { line: start, fields: undefined, problem: 'a quoted field is never closed', raw: candidate.slice(0, 2000) };
      }
      this.pending = { start, text: candidate };
      return undefined;
    }
    this.pending = undefined;
    if ('problem' in parsed) return { line: start, fields: undefined, problem: parsed.problem, raw: candidate };
    return { line: start, fields: parsed.fields, problem: undefined, raw: candidate };
  }

  /** At the end of the input: the record left open, if any. */
  finish(): CsvRecord | undefined {
    const p = this.pending;
    if (p === undefined) return undefined;
    this.pending = undefined;
    return { line: p.start, fields: undefined, problem: 'a quoted field is never closed', raw: p.text.slice(0, 2000) };
  }
}

/**
 * Reads CSV records from a text stream without holding more than one chunk and
 * one record: strips a UTF-8 BOM, accepts LF and CRLF, skips blank lines, and
 * numbers records by the physical line they start on.
 */
export async function* csvRecords(text: Readable): AsyncGenerator<CsvRecord> {
  let carry = '';
  let first = true;
  const assembler = new CsvRecordAssembler();
  for await (const chunk of text) {
    let s = carry + (chunk as string);
    if (first) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    let pos = 0;
    for (;;) {
      const nl = s.indexOf('\n', pos);
      if (nl === -1) break;
      const rec = assembler.line(s.slice(pos, nl));
      if (rec !== undefined) yield rec;
      pos = nl + 1;
    }
    carry = s.slice(pos);
  }
  if (carry !== '') {
    const rec = assembler.line(carry);
    if (rec !== undefined) yield rec;
  }
  const last = assembler.finish();
  if (last !== undefined) yield last;
}

/**
 * Splits a byte stream into physical lines, synchronously, chunk by chunk,
 * with the semantics of `csvRecords` (the same records, line numbers and
 * UTF-8 decoding), but without a string per line on the fast path: each line
 * outside a quoted field (without its `\n`, `\r` and, on the first line, a
 * UTF-8 BOM) is offered to `fast` as bytes; when `fast` returns false, the
 * line is decoded and assembled into a `CsvRecord` passed to `record`.
 */
export class CsvByteLines {
  private readonly assembler = new CsvRecordAssembler();
  private carry: Buffer | undefined;
  private first = true;
  private readonly fast: (bytes: Buffer, start: number, end: number, line: number) => boolean;
  private readonly record: (rec: CsvRecord) => void;

  constructor(
    fast: (bytes: Buffer, start: number, end: number, line: number) => boolean,
    record: (rec: CsvRecord) => void,
  ) {
    this.fast = fast;
    this.record = record;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.carry !== undefined) {
      const nl = chunk.indexOf(0x0a);
      if (nl === -1) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = undefined;
      this.take(line, 0, line.length);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) break;
      this.take(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.carry = Buffer.from(chunk.subarray(pos));
  }

  end(): void {
    const carry = this.carry;
    this.carry = undefined;
    if (carry !== undefined && carry.length > 0) this.take(carry, 0, carry.length);
    const last = this.assembler.finish();
    if (last !== undefined) this.record(last);
  }

  private take(bytes: Buffer, start: number, end: number): void {
    if (this.first) {
      this.first = false;
      if (end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
    }
    const assembler = this.assembler;
    if (!assembler.inRecord) {
      const e = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
      if (e > start && this.fast(bytes, start, e, assembler.nextLine)) {
        assembler.skipLine();
        return;
      }
    }
    const rec = assembler.line(bytes.toString('utf8', start, end));
    if (rec !== undefined) this.record(rec);
  }
}
