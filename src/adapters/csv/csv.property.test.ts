/**
 * Properties of the CSV record splitter, the field parsers and the header
 * mapping over hostile input: a value, a reject reason or an InputError, never
 * an exception of another kind; quoting round-trips; chunking does not matter.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString, hasLineBreakingChars, onlyTypedErrors } from '../../../test-support/corpus/hostile.js';
import { InputError } from '../../kernel/errors.js';
import { csvField } from './atomic-file.js';
import { parseBarTimestamp, parseExchange, parseInterval, parseNonNegative, parseTicker } from './bar-fields.js';
import type { Parsed } from './bar-fields.js';
import { mapHeader, HEADER_ALIASES } from './csv-bar-file-reader.js';
import { CsvRecordAssembler, csvRecords, parseCsvRecord } from './csv-records.js';
import type { CsvRecord } from './csv-records.js';

const RUNS = { numRuns: 1000 };

function checkParsed<T>(p: Parsed<T>): void {
  if (p.ok) return;
  expect(p.reason).toMatch(/^[a-z_]+$/);
  // A reject detail is one printable line: a hostile value cannot forge log or reject-file lines.
  expect(hasLineBreakingChars(p.detail)).toBe(false);
  expect(p.detail.length).toBeLessThan(800);
}

async function collect(chunks: readonly string[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of csvRecords(Readable.from(chunks, { objectMode: true }))) out.push(r);
  return out;
}

/** Splits `text` at the given cut points (any positions, including inside a quoted field or a CRLF). */
function chunked(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(text.slice(prev, p));
    prev = Math.max(prev, p);
  }
  if (prev < text.length) out.push(text.slice(prev));
  return out;
}

const field = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"', '""', ',', ' "x" ', 'a"b', '\n', '\r\n', 'x\ny', ' '));

describe('parseCsvRecord (property)', () => {
  it('any text: fields, unterminated or a problem, never an exception', () => {
    fc.assert(
      fc.property(anyString(), (s) => {
        const r = parseCsvRecord(s);
        if ('fields' in r) expect(r.fields.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('quoting round trip: csvField-joined fields split back into the same fields', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        // A single empty field is an empty line (skipped by the reader); the splitter alone still gives [''].
        const text = fields.map(csvField).join(',');
        expect(parseCsvRecord(text)).toEqual({ fields });
      }),
      RUNS,
    );
  });
});

describe('csvRecords (property)', () => {
  it('records do not depend on how the text is chunked (BOM, CRLF, quotes with newlines)', async () => {
    const rowText = fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(rowText, fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), async (rows, bom, crlf, cuts) => {
        const eol = crlf ? '\r\n' : '\n';
        const text = (bom ? '\ufeff' : '') + rows.map((r) => r.map(csvField).join(',')).join(eol) + eol;
        const whole = await collect([text]);
        const parts = await collect(chunked(text, cuts));
        expect(parts).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('rows without CR and without whitespace-only lines read back exactly, each on its first physical line', async () => {
    const cleanField = field.filter((f) => !f.includes('\r'));
    const rowArb = fc.array(cleanField, { minLength: 1, maxLength: 4 }).filter((r) => r.map(csvField).join(',').trim() !== '');
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 6 }), async (rows) => {
        const lines = rows.map((r) => r.map(csvField).join(','));
        const recs = await collect([lines.join('\n')]);
        expect(recs.map((r) => r.fields)).toEqual(rows);
        let line = 1;
        recs.forEach((r, i) => {
          expect(r.line).toBe(line);
          line += (lines[i] ?? '').split('\n').length;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('any text in any chunks: records with fields or a problem, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(anyString(), fc.array(fc.nat(), { maxLength: 4 }), async (s, cuts) => {
        const recs = await collect(chunked(s, cuts));
        for (const r of recs) {
          expect(r.fields === undefined).toBe(r.problem !== undefined);
          expect(r.line).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});

/**
 * The assembler's definition, written the obvious way: append each line to the
 * open record and parse the whole of it again (quadratic, so only for tests).
 */
function referenceRecords(lines: readonly string[], maxChars: number): CsvRecord[] {
  const out: CsvRecord[] = [];
  let open: { start: number; text: string } | undefined;
  const never = (line: number, text: string): CsvRecord => ({ line, fields: undefined, problem: 'a quoted field is never closed', raw: text.slice(0, 2000) });
  lines.forEach((physical, i) => {
    const text = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    if (open === undefined && text.trim() === '') return;
    const start = open?.start ?? i + 1;
    const candidate = open === undefined ? text : `${open.text}\n${text}`;
    const parsed = parseCsvRecord(candidate);
    open = undefined;
    if ('unterminated' in parsed) {
      if (candidate.length > maxChars) out.push(never(start, candidate));
      else open = { start, text: candidate };
    } else if ('problem' in parsed) out.push({ line: start, fields: undefined, problem: parsed.problem, raw: candidate });
    else out.push({ line: start, fields: parsed.fields, problem: undefined, raw: candidate });
  });
  if (open !== undefined) out.push(never(open.start, open.text));
  return out;
}

describe('CsvRecordAssembler (property)', () => {
  const piece = fc.constantFrom('"', '""', ',', ' ', 'a', '",', ',"', '" ,', 'x"y', '\r');
  const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));

  it('gives the records of re-parsing the whole open record at every line', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const assembler = new CsvRecordAssembler();
        const got: CsvRecord[] = [];
        for (const l of lines) {
          const r = assembler.line(l);
          if (r !== undefined) got.push(r);
        }
        const last = assembler.finish();
        if (last !== undefined) got.push(last);
        expect(got).toEqual(referenceRecords(lines, 1 << 20));
      }),
      { numRuns: 3000 },
    );
  });

  it('an unclosed quote followed by 100,000 short lines: one record, never closed', () => {
    const assembler = new CsvRecordAssembler();
    const got: CsvRecord[] = [];
    for (const l of ['a,"b', ...Array.from({ length: 100_000 }, () => 'x,y')]) {
      const r = assembler.line(l);
      if (r !== undefined) got.push(r);
    }
    const last = assembler.finish();
    if (last !== undefined) got.push(last);
    expect(got.map((r) => [r.line, r.problem])).toEqual([[1, 'a quoted field is never closed']]);
  });
});

describe('bar field parsers (property)', () => {
  it('any string: a value or a reject reason with a one-line detail', () => {
    fc.assert(
      fc.property(anyString(fc.stringMatching(/^[A-Za-z0-9^][A-Za-z0-9.^-]{0,14}$/)), (s) => {
        const t = parseTicker(s);
        checkParsed(t);
        if (t.ok) {
          expect(t.value).toMatch(/^[A-Z0-9^][A-Z0-9.^-]{0,14}$/);
          expect(t.value).toBe(s.trim().toUpperCase());
        }
        const e = parseExchange(s);
        checkParsed(e);
        if (e.ok) expect(e.value).toMatch(/^[A-Z0-9][A-Z0-9 ._&-]{0,31}$/);
        checkParsed(parseInterval(s));
      }),
      RUNS,
    );
  });

  it('numbers: any string gives a finite non-negative number or a reason; decimal text round-trips', () => {
    fc.assert(
      fc.property(anyString(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map(String)), (s) => {
        const p = parseNonNegative(s, 'open');
        checkParsed(p);
        if (p.ok) {
          expect(Number.isFinite(p.value)).toBe(true);
          expect(p.value >= 0).toBe(true);
        }
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), (x) => {
        const p = parseNonNegative(String(x), 'close');
        expect(p).toEqual({ ok: true, value: x });
      }),
      RUNS,
    );
  });

  const minute = fc.integer({ min: 0, max: (Date.UTC(2100, 0, 1) - 60_000) / 60_000 }).map((m) => m * 60_000);

  it('timestamps: any string gives a whole minute in 1970..2099 or a reason', () => {
    const iso = minute.map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(anyString(fc.oneof(iso, minute.map(String), fc.constantFrom('0070-01-01T00:00:00Z', '0099-12-31T23:59:00+00:00'))), (s) => {
        const p = parseBarTimestamp(s);
        checkParsed(p);
        if (p.ok) {
          expect(p.value % 60_000).toBe(0);
          expect(p.value >= 0 && p.value < Date.UTC(2100, 0, 1)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('timestamps round-trip: ISO with Z or any offset, epoch seconds and epoch milliseconds', () => {
    fc.assert(
      fc.property(minute, fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), (ms, off) => {
        expect(parseBarTimestamp(new Date(ms).toISOString())).toEqual({ ok: true, value: ms });
        const wall = new Date(ms + off * 60_000).toISOString().slice(0, 19);
        const abs = Math.abs(off);
        const zone = `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const r = parseBarTimestamp(`${wall}${zone}`);
        // The wall time may fall outside 1970..2099 near the ends; then it is rejected, never mis-read.
        if (r.ok) expect(r.value).toBe(ms);
        if (ms >= 1e11) expect(parseBarTimestamp(String(ms))).toEqual({ ok: true, value: ms });
        if (ms / 1000 < 1e11) expect(parseBarTimestamp(String(ms / 1000))).toEqual({ ok: true, value: ms });
      }),
      RUNS,
    );
  });

  it('years 0000..0099 are not read as 1900..1999', () => {
    expect(parseBarTimestamp('0070-01-01T00:00:00Z')).toMatchObject({ ok: false, reason: 'bad_timestamp' });
    expect(parseBarTimestamp('0099-06-01T10:00:00Z')).toMatchObject({ ok: false, reason: 'bad_timestamp' });
  });
});

describe('mapHeader (property)', () => {
  const names = fc.oneof(fc.constantFrom(...Object.keys(HEADER_ALIASES), 'Ticker', ' OPEN ', 'vwap', ''), anyString());
  it('any header: a column map of in-range indexes or an InputError naming the file and line 1', () => {
    fc.assert(
      fc.property(fc.array(names, { maxLength: 14 }), (header) => {
        const o = onlyTypedErrors(() => mapHeader('f.csv', header));
        if (o.kind === 'value') {
          const used = Object.values(o.value).filter((i) => i !== -1);
          expect(new Set(used).size).toBe(used.length);
          for (const i of used) expect(i >= 0 && i < header.length).toBe(true);
        } else {
          expect(o.error).toBeInstanceOf(InputError);
          expect(o.error.message.startsWith('f.csv: line 1: ')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('a permutation of the required columns maps each name to its index', () => {
    const required = ['ticker', 'timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
    fc.assert(
      fc.property(fc.shuffledSubarray([...required, 'exchange', 'interval_minutes', 'note'], { minLength: 10, maxLength: 10 }), (header) => {
        const m = mapHeader('f.csv', header);
        for (const r of required) expect(m[r]).toBe(header.indexOf(r));
      }),
      RUNS,
    );
  });
});
