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
 * Whether a record that is inside a quoted field at the start of `line` (the
 * line after a newline inside quotes) is still inside one at its end. Scans
 * the line once, with the rules of `parseCsvRecord`: `""` is an escaped quote,
 * a lone `"` closes the field, a field that starts with `"` opens one, and
 * anything but a comma after a closed field ends the record (malformed).
 */
export function stillQuotedAfter(line: string): boolean {
  let i = afterClosingQuote(line, 0);
  while (i !== -1) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== ',') return false;
    i = nextQuotedField(line, i);
    if (i === -1) return false;
    i = afterClosingQuote(line, i + 1);
  }
  return true;
}

/** Inside a quoted field from `from`: the index after its closing quote, or -1 when the line ends inside it. */
function afterClosingQuote(line: string, from: number): number {
  let i = from;
  for (;;) {
    const q = line.indexOf('"', i);
    if (q === -1) return -1;
    if (line[q + 1] !== '"') return q + 1;
    i = q + 2;
  }
}

/** From the comma at `comma`: the index of the next field's opening quote, or -1 when no later field is quoted. */
function nextQuotedField(line: string, comma: number): number {
  let i = comma;
  for (;;) {
    i++;
    if (line[i] === '"') return i;
    const c = line.indexOf(',', i);
    if (c === -1) return -1;
    i = c;
  }
}

/** The lines of a record whose quoted field spans lines, kept as parts so that joining them is paid once. */
interface OpenRecord {
  readonly start: number;
  readonly parts: string[];
  chars: number;
}

function openText(open: OpenRecord): string {
  return open.parts.join('\n');
}

/**
 * Assembles records from physical lines (without their `\n`): strips a `\r`,
 * skips blank lines, joins the lines of a quoted field that spans several, and
 * numbers records by the physical line they start on. Linear in its input: a
 * line that continues an open quoted field is scanned once, and the record is
 * parsed once, when its field closes.
 */
export class CsvRecordAssembler {
  private lineNo = 0;
  private pending: OpenRecord | undefined;

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
    if (pending === undefined) return lineText.trim() === '' ? undefined : this.first(lineText);
    pending.parts.push(lineText);
    pending.chars += lineText.length + 1;
    if (stillQuotedAfter(lineText)) return this.keepOpen(pending);
    this.pending = undefined;
    return recordOf(pending.start, openText(pending));
  }

  /** At the end of the input: the record left open, if any. */
  finish(): CsvRecord | undefined {
    const p = this.pending;
    if (p === undefined) return undefined;
    this.pending = undefined;
    return unterminated(p.start, openText(p));
  }

  private first(lineText: string): CsvRecord | undefined {
    const parsed = parseCsvRecord(lineText);
    if (!('unterminated' in parsed)) return completed(this.lineNo, lineText, parsed);
    return this.keepOpen({ start: this.lineNo, parts: [lineText], chars: lineText.length });
  }

  private keepOpen(open: OpenRecord): CsvRecord | undefined {
    if (open.chars > MAX_RECORD_CHARS) {
      this.pending = undefined;
      return unterminated(open.start, openText(open));
    }
    this.pending = open;
    return undefined;
  }
}

function unterminated(line: number, text: string): CsvRecord {
  return { line, fields: undefined, problem: 'a quoted field is never closed', raw: text.slice(0, 2000) };
}

function recordOf(line: number, text: string): CsvRecord {
  const parsed = parseCsvRecord(text);
  return 'unterminated' in parsed ? unterminated(line, text) : completed(line, text, parsed);
}

function completed(line: number, text: string, parsed: { fields: string[] } | { problem: string }): CsvRecord {
  if ('problem' in parsed) return { line, fields: undefined, problem: parsed.problem, raw: text };
  return { line, fields: parsed.fields, problem: undefined, raw: text };
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
