/**
 * Properties of the kernel parsers over hostile input: for ANY string they
 * return a valid value or throw a UsageError (never a TypeError/RangeError),
 * and valid inputs round-trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString, hasLineBreakingChars, onlyTypedErrors } from '../../test-support/corpus/hostile.js';
import { parseDateRange, parseDdmmyy } from './calendar-date.js';
import { UsageError } from './errors.js';
import { InstrumentId, parseMarketId, parseSymbol } from './instrument-id.js';
import { isValidTicker, parseTicker, parseTickers } from './ticker.js';
import { TimeRange, isoUtc, parseIsoUtc } from './time-range.js';

const RUNS = { numRuns: 1000 };
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** A valid ISO-UTC time: any instant of years 0000..9999 at ms precision, written with Z or an offset. */
const isoInstant = fc
  .record({
    ms: fc.integer({ min: Date.parse('0000-01-02T00:00:00Z'), max: Date.UTC(9999, 11, 30) }),
    offsetMin: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    fracDigits: fc.integer({ min: 0, max: 9 }),
    sep: fc.constantFrom('T', ' '),
    colon: fc.boolean(),
    z: fc.boolean(),
  })
  .map(({ ms, offsetMin, fracDigits, sep, colon, z }) => {
    const off = z ? 0 : offsetMin;
    const wall = new Date(ms + off * 60_000);
    const y = wall.getUTCFullYear();
    const frac = fracDigits === 0 ? '' : `.${pad(wall.getUTCMilliseconds(), 3).padEnd(fracDigits, '7').slice(0, fracDigits)}`;
    const truncatedMs = fracDigits >= 3 ? wall.getUTCMilliseconds() : Math.floor(wall.getUTCMilliseconds() / 10 ** (3 - fracDigits)) * 10 ** (3 - fracDigits);
    const abs = Math.abs(off);
    const zone = z ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}${colon ? ':' : ''}${pad(abs % 60, 2)}`;
    const text =
      `${pad(y, 4)}-${pad(wall.getUTCMonth() + 1, 2)}-${pad(wall.getUTCDate(), 2)}${sep}` +
      `${pad(wall.getUTCHours(), 2)}:${pad(wall.getUTCMinutes(), 2)}:${pad(wall.getUTCSeconds(), 2)}${frac}${zone}`;
    const expected = ms - wall.getUTCMilliseconds() + truncatedMs;
    return { text, expected, year: y };
  })
  .filter((x) => x.year >= 0 && x.year <= 9999);

describe('parseIsoUtc / TimeRange.parse (property)', () => {
  it('any string: a finite epoch ms or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(anyString(isoInstant.map((x) => x.text)), (s) => {
        const o = onlyTypedErrors(() => parseIsoUtc(s, '--start'));
        if (o.kind === 'value') expect(Number.isFinite(o.value)).toBe(true);
        else {
          expect(o.error).toBeInstanceOf(UsageError);
          expect(o.error.message.startsWith('--start')).toBe(true);
          expect(o.error.message.length).toBeLessThan(800);
          expect(hasLineBreakingChars(o.error.message)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('a generated valid time (years 0000..9999, any offset, 0..9 fraction digits) parses to the same millisecond', () => {
    fc.assert(
      fc.property(isoInstant, ({ text, expected }) => {
        expect(parseIsoUtc(text, '--start')).toBe(expected);
      }),
      RUNS,
    );
  });

  it('isoUtc output parses back to the same millisecond (years 1000..9999)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(parseIsoUtc(isoUtc(ms), '--end')).toBe(ms);
      }),
      RUNS,
    );
  });

  it('TimeRange.parse of any two strings: a non-empty range or a UsageError', () => {
    fc.assert(
      fc.property(anyString(isoInstant.map((x) => x.text)), anyString(isoInstant.map((x) => x.text)), (a, b) => {
        const o = onlyTypedErrors(() => TimeRange.parse(a, b));
        if (o.kind === 'value') {
          expect(o.value.startMs).toBeLessThan(o.value.endMs);
          expect(o.value.contains(o.value.startMs)).toBe(true);
          expect(o.value.contains(o.value.endMs)).toBe(false);
          expect(typeof o.value.toString()).toBe('string');
        } else expect(o.error).toBeInstanceOf(UsageError);
      }),
      RUNS,
    );
  });

  it('TimeRange.of any two numbers (NaN, infinities, beyond the Date range): a range or a UsageError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer()), fc.oneof(fc.double(), fc.integer()), (a, b) => {
        const o = onlyTypedErrors(() => TimeRange.of(a, b));
        if (o.kind === 'value') expect(typeof o.value.toString()).toBe('string');
      }),
      RUNS,
    );
  });
});

/** A valid DDMMYY and its calendar date (two-digit years as Python's %y). */
const ddmmyy = fc.date({ min: new Date(Date.UTC(1969, 0, 1)), max: new Date(Date.UTC(2068, 11, 31)), noInvalidDate: true }).map((d) => {
  const y = d.getUTCFullYear();
  return {
    text: `${pad(d.getUTCDate(), 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(y % 100, 2)}`,
    iso: `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`,
  };
});

describe('parseDdmmyy / parseDateRange (property)', () => {
  it('any string: YYYY-MM-DD or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(anyString(ddmmyy.map((x) => x.text)), (s) => {
        const o = onlyTypedErrors(() => parseDdmmyy(s, '--end'));
        if (o.kind === 'value') expect(o.value).toMatch(/^(19[6-9]\d|20[0-6]\d)-\d{2}-\d{2}$/);
        else {
          expect(o.error.message.startsWith('--end')).toBe(true);
          expect(o.error.message.length).toBeLessThan(800);
          expect(hasLineBreakingChars(o.error.message)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('every real day of 1969..2068 round-trips (and matches the Date calendar)', () => {
    fc.assert(
      fc.property(ddmmyy, ({ text, iso }) => {
        expect(parseDdmmyy(text, '--start')).toBe(iso);
      }),
      RUNS,
    );
  });

  it('parseDateRange: ordered dates or a UsageError, never anything else', () => {
    fc.assert(
      fc.property(anyString(ddmmyy.map((x) => x.text)), anyString(ddmmyy.map((x) => x.text)), (a, b) => {
        const o = onlyTypedErrors(() => parseDateRange(a, b));
        if (o.kind === 'value') expect(o.value.from <= o.value.to).toBe(true);
      }),
      RUNS,
    );
  });
});

const tickerText = fc.stringMatching(/^[A-Za-z0-9.\-^]{1,15}$/);
const symbolText = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/);

describe('tickers and symbols (property)', () => {
  it('parseTicker: an ASCII ticker of 1..15 [A-Z0-9.-^] or a UsageError', () => {
    fc.assert(
      fc.property(anyString(tickerText), (s) => {
        const o = onlyTypedErrors(() => parseTicker(s));
        if (o.kind === 'value') {
          expect(o.value).toMatch(/^[A-Z0-9.\-^]{1,15}$/);
          expect(isValidTicker(o.value)).toBe(true);
          // The ticker is the input's own characters, upper-cased: no unicode folding into ASCII.
          expect(o.value).toBe(s.trim().toUpperCase());
          expect(s.trim()).toMatch(/^[\x20-\x7e]+$/);
        } else {
          expect(o.error.message.length).toBeLessThan(800);
          expect(hasLineBreakingChars(o.error.message)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('valid tickers round-trip upper-cased; lists drop repeats and keep order', () => {
    fc.assert(
      fc.property(fc.array(tickerText, { minLength: 1, maxLength: 8 }), (ts) => {
        const out = parseTickers(ts);
        expect(out).toEqual([...new Set(ts.map((t) => t.toUpperCase()))]);
      }),
      RUNS,
    );
  });

  it('parseTickers of any list: valid distinct tickers or a UsageError', () => {
    fc.assert(
      fc.property(fc.array(anyString(tickerText), { maxLength: 5 }), (list) => {
        const o = onlyTypedErrors(() => parseTickers(list));
        if (o.kind === 'value') {
          expect(o.value.length).toBeGreaterThan(0);
          expect(new Set(o.value).size).toBe(o.value.length);
          for (const t of o.value) expect(isValidTicker(t)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('parseSymbol: an ASCII [A-Z0-9][A-Z0-9._-]{0,31} symbol or a UsageError naming --symbol', () => {
    fc.assert(
      fc.property(anyString(symbolText), (s) => {
        const o = onlyTypedErrors(() => parseSymbol(s));
        if (o.kind === 'value') {
          expect(o.value).toMatch(/^[A-Z0-9][A-Z0-9._-]{0,31}$/);
          expect(o.value).toBe(s.trim().toUpperCase());
          expect(s.trim()).toMatch(/^[\x20-\x7e]+$/);
        } else expect(o.error.message.startsWith('--symbol')).toBe(true);
      }),
      RUNS,
    );
  });

  it('InstrumentId.of any market id and symbol: a value or a UsageError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double()), anyString(symbolText), (m, s) => {
        const o = onlyTypedErrors(() => InstrumentId.of(m, s));
        if (o.kind === 'value') expect([1, 2, 3, 4]).toContain(o.value.marketId);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(anyString(fc.constantFrom('1', '2', '3', '4')), (s) => {
        onlyTypedErrors(() => parseMarketId(s));
      }),
      RUNS,
    );
  });
});
