/**
 * The byte fast path must agree with the general path: whenever `FastBarRow`
 * accepts a row, the general parsers accept it too, with the same values; and
 * `CsvByteLines` yields the records `csvRecords` does, however the bytes are chunked.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBarTimestamp, parseExchange, parseInterval, parseNonNegative, parseTicker } from './bar-fields.js';
import { CsvByteLines, csvRecords } from './csv-records.js';
import type { CsvRecord } from './csv-records.js';
import { FastBarRow } from './fast-bar-row.js';

const COLS = { ticker: 0, exchange: 1, interval_minutes: 2, timestamp: 3, open: 4, high: 5, low: 6, close: 7, volume: 8 };

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { minLength: min, maxLength: max }).map((a) => a.join(''));

const decimalText = fc.oneof(
  fc.tuple(digits(1, 9), digits(0, 9)).map(([i, f]) => (f === '' ? i : `${i}.${f}`)),
  fc.tuple(digits(1, 3), digits(0, 3)).map(([i, f]) => `${i}.${f}`),
  fc.double({ min: 0, max: 1e9, noNaN: true }).map((x) => String(x)),
  fc.constantFrom('1.10', '0.1', '0.30000000000000004', '9007199254740993', '123456789012345', '1234567890123456', '-0', '1e3', ' 5', '.5', '5.'),
);

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const isoText = fc
  .tuple(
    fc.integer({ min: 1965, max: 2105 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 60 }),
    fc.constantFrom('00', '00', '30'),
    fc.constantFrom('Z', 'Z', 'z', '+00:00', '-05:00', '+05:30', '+24:00', '-01:60', ''),
    fc.constantFrom('T', ' '),
  )
  .map(([y, mo, d, h, mi, s, z, sep]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${s}${z}`);
const timestampText = fc.oneof(
  isoText,
  fc.integer({ min: 0, max: 4_200_000_000 }).map((x) => String(x - (x % 60))),
  fc.integer({ min: 0, max: 4_200_000_000 }).map((x) => String((x - (x % 60)) * 1000)),
  digits(1, 16),
);
const tickerText = fc.oneof({ arbitrary: fc.constantFrom('AAPL', 'brk.b', '^GSPC'), weight: 6 }, fc.constantFrom('AAPL', 'brk.b', '^GSPC', 'BF-B', 'A', 'TOOLONGTICKER1234', 'a b', '.X'), fc.string({ maxLength: 16 }));
const exchangeText = fc.oneof({ arbitrary: fc.constantFrom('NASDAQ', 'nyse'), weight: 6 }, fc.constantFrom('NASDAQ', 'nyse', 'NYSE ARCA', 'A&B_C.D-E', '-X', ''), fc.string({ maxLength: 34 }));
const intervalText = fc.oneof(
  { arbitrary: fc.constantFrom('1', '5', '15', '30', '60'), weight: 5 },
  fc.constantFrom('1', '5', '15', '30', '60', '01', '2', '', '100', 'x'),
);

describe('FastBarRow', () => {
  it('accepts only rows the general parsers accept, with the same values', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.tuple(tickerText, exchangeText, intervalText, timestampText, fc.array(decimalText, { minLength: 4, maxLength: 4 }), fc.boolean(), decimalText),
        ([t0, e0, iv0, ts0, prices, ordered, v0]) => {
          // Mostly consistent bars (low, open, close, high in order), sometimes any order.
          const p = ordered ? [...prices].sort((a, b) => Number(a) - Number(b)) : prices;
          const fields = [t0, e0, iv0, ts0, p[1] ?? '', p[3] ?? '', p[0] ?? '', p[2] ?? '', v0];
          const line = Buffer.from(`xx${fields.join(',')}yy`, 'utf8');
          const fast = new FastBarRow(COLS, 9);
          if (!fast.parse(line, 2, line.length - 2)) return;
          accepted++;
          const [t = '', e = '', iv = '', ts = '', o = '', h = '', l = '', c = '', v = ''] = fields;
          expect(parseTicker(t)).toEqual({ ok: true, value: fast.ticker });
          expect(parseExchange(e)).toEqual({ ok: true, value: fast.exchange });
          expect(parseInterval(iv)).toEqual({ ok: true, value: fast.interval });
          expect(parseBarTimestamp(ts)).toEqual({ ok: true, value: fast.timestampMs });
          expect(parseNonNegative(o, 'open')).toEqual({ ok: true, value: fast.open });
          expect(parseNonNegative(h, 'high')).toEqual({ ok: true, value: fast.high });
          expect(parseNonNegative(l, 'low')).toEqual({ ok: true, value: fast.low });
          expect(parseNonNegative(c, 'close')).toEqual({ ok: true, value: fast.close });
          expect(parseNonNegative(v, 'volume')).toEqual({ ok: true, value: fast.volume });
          expect(fast.high >= fast.low && fast.high >= Math.max(fast.open, fast.close) && fast.low <= Math.min(fast.open, fast.close)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
    // The property is only worth something if many rows take the fast path.
    expect(accepted).toBeGreaterThan(100);
  });

  it('takes the usual shapes', () => {
    const fast = new FastBarRow(COLS, 9);
    const line = Buffer.from('brk.b,nasdaq,5,2024-03-08T14:30:00Z,1.10,2,0.5,1,100');
    expect(fast.parse(line, 0, line.length)).toBe(true);
    expect([fast.ticker, fast.exchange, fast.interval, fast.timestampMs]).toEqual(['BRK.B', 'NASDAQ', 5, Date.UTC(2024, 2, 8, 14, 30)]);
    expect([fast.open, fast.high, fast.low, fast.close, fast.volume]).toEqual([1.1, 2, 0.5, 1, 100]);
    const offset = Buffer.from('X,N,1,2024-03-08 09:30:00-05:00,1,1,1,1,0');
    expect(fast.parse(offset, 0, offset.length)).toBe(true);
    expect(fast.timestampMs).toBe(Date.UTC(2024, 2, 8, 14, 30));
  });
});

async function viaText(text: Buffer): Promise<CsvRecord[]> {
  const stream = Readable.from([text]);
  stream.setEncoding('utf8');
  const out: CsvRecord[] = [];
  for await (const r of csvRecords(stream)) out.push(r);
  return out;
}

function viaBytes(text: Buffer, cuts: number[], fastLines: boolean): CsvRecord[] {
  const out: CsvRecord[] = [];
  const lines = new CsvByteLines(
    (b, s, e, line) => {
      if (!fastLines) return false;
      // Stand-in for the fast path: report the line as a record built from its bytes.
      const raw = b.toString('latin1', s, e);
      if (/[^\x20-\x7e]|"/.test(raw) || raw.trim() === '') return false;
      out.push({ line, fields: raw.split(','), problem: undefined, raw });
      return true;
    },
    (r) => out.push(r),
  );
  let at = 0;
  for (const cut of [...cuts.filter((c) => c < text.length)].sort((a, b) => a - b).concat(text.length)) {
    lines.push(text.subarray(at, cut));
    at = cut;
  }
  lines.end();
  return out;
}

describe('CsvByteLines', () => {
  it('yields the records of csvRecords, whatever the chunking', async () => {
    const piece = fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é', '\uFEFF', '""', '\r', 'x,y');
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 5 }),
        fc.boolean(),
        async (bom, pieces, cuts, fastLines) => {
          const text = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(pieces.join(''), 'utf8')]);
          expect(viaBytes(text, cuts, fastLines)).toEqual(await viaText(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
