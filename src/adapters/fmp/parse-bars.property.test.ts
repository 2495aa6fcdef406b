/**
 * Properties of the FMP body parser and the FMP settings (`.env`, variables)
 * over hostile input: `parseFmpBars` never throws (a malformed body is a
 * result the source retries), `parseDotenv` never throws and round-trips,
 * `resolveFmpConfig` gives settings or a ConfigError that never echoes the key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString, hugeString, onlyTypedErrors } from '../../../test-support/corpus/hostile.js';
import { ConfigError } from '../../kernel/errors.js';
import { parseDotenv, resolveFmpConfig } from './fmp-config.js';
import { utcMsToNewYork, newYorkOffsetMs, tryNewYorkToUtcMs } from './new-york-time.js';
import { parseFmpBars } from './parse-bars.js';

const RUNS = { numRuns: 500 };

/** A bar minute between 1970 and 2099 (UTC). */
const utcMinute = fc.integer({ min: Date.UTC(1970, 0, 1) / 60_000, max: Date.UTC(2099, 11, 31) / 60_000 }).map((m) => m * 60_000);
const price = fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true });

/** A JSON value of any shape, including the shapes of a bar with wrong types. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.string(),
    fc.constantFrom('2024-03-08 09:30:00', '2024-02-30 09:30:00', '1900-01-01 00:00:00', '2024-03-10 02:30:00', 'NaN', '1e999'),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('date', 'open', 'high', 'low', 'close', 'volume', '__proto__', 'constructor'), tie('v')),
  ),
})).v;

describe('parseFmpBars (property)', () => {
  it('any body text: ok with ascending distinct finite bars inside the window, or a reason; never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyString(fc.constant('[]')), jsonish.map((v) => JSON.stringify(v) ?? 'undefined'), hugeString), (body) => {
        const r = parseFmpBars(body, '2024-01-01', '2024-12-31');
        if (!r.ok) {
          expect(r.reason.length).toBeGreaterThan(0);
          expect(r.reason.length).toBeLessThan(400);
          return;
        }
        const ts = r.bars.columns.timestampMs;
        for (let i = 1; i < ts.length; i++) expect((ts[i] ?? 0) > (ts[i - 1] ?? 0)).toBe(true);
        for (const col of Object.values(r.bars.columns)) for (const x of col) expect(Number.isFinite(x)).toBe(true);
      }),
      RUNS,
    );
  });

  it('generated bars (New York labels, newest first, shuffled or repeated) parse back to their UTC instants and values', () => {
    const bars = fc.uniqueArray(fc.record({ t: utcMinute, o: price, h: price, l: price, c: price, v: price }), { selector: (b) => b.t, maxLength: 30 });
    fc.assert(
      fc.property(bars, fc.constantFrom('desc', 'shuffled', 'repeated'), fc.nat(), (list, order, seed) => {
        const asc = [...list].sort((a, b) => a.t - b.t);
        // Wall times in the fall-back hour occur twice; the parser takes the earlier (EDT) instant, so skip the later one.
        const unambiguous = asc.filter((b) => tryNewYorkToUtcMs(utcMsToNewYork(b.t)) === b.t);
        let sent = [...unambiguous].reverse();
        if (order === 'shuffled') sent = sent.map((b, i) => ({ b, k: (i * 7919 + seed) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.b);
        if (order === 'repeated' && sent.length > 0) sent = [...sent, sent[seed % sent.length]!];
        const body = JSON.stringify(sent.map((b) => ({ date: utcMsToNewYork(b.t), open: b.o, low: b.l, high: b.h, close: b.c, volume: b.v })), null, 2);
        const r = parseFmpBars(body, '1969-01-01', '2100-12-31');
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect([...r.bars.columns.timestampMs]).toEqual(unambiguous.map((b) => b.t));
        expect([...r.bars.columns.open]).toEqual(unambiguous.map((b) => b.o));
        expect([...r.bars.columns.volume]).toEqual(unambiguous.map((b) => b.v));
        expect(r.bars.duplicates).toBe(order === 'repeated' && sent.length > 0 ? 1 : 0);
        expect(r.bars.conflicts).toBe(0);
      }),
      RUNS,
    );
  });

  it('New York labels stay consistent with the offset: label(t) read back is t, and the offset is -4 h or -5 h', () => {
    fc.assert(
      fc.property(utcMinute, (t) => {
        const off = newYorkOffsetMs(t);
        expect([-4 * 3_600_000, -5 * 3_600_000]).toContain(off);
        const label = utcMsToNewYork(t);
        expect(label).toBe(new Date(t + off).toISOString().slice(0, 19).replace('T', ' '));
        const r = parseFmpBars(JSON.stringify([{ date: label, open: 1, high: 1, low: 1, close: 1, volume: 1 }]), '1969-01-01', '2100-12-31');
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const back = r.bars.columns.timestampMs[0] ?? NaN;
        // Ambiguous labels (the repeated fall-back hour) read as the earlier instant: one hour before t at most.
        expect(back === t || back === t - 3_600_000).toBe(true);
        expect(utcMsToNewYork(back)).toBe(label);
      }),
      RUNS,
    );
  });
});

const keyName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/);

describe('parseDotenv (property)', () => {
  it('any text: values and invalid line numbers, never an exception', () => {
    fc.assert(
      fc.property(anyString(fc.constantFrom('FMP_API_KEY=abc', 'export A="x\\ny" # c', "B='q'")), (text) => {
        const f = parseDotenv(text);
        const lineCount = text.split(/\r?\n/).length;
        for (const n of f.invalidLines) expect(n >= 1 && n <= lineCount).toBe(true);
      }),
      RUNS,
    );
  });

  it('KEY=VALUE round trip: bare, single-quoted and double-quoted (escaped) values', () => {
    const bare = fc.string({ unit: 'binary' }).filter((v) => !/[\r\n]/.test(v) && !/\s#/.test(v) && !v.startsWith('"') && !v.startsWith("'") && !v.startsWith('#')).map((v) => v.trim());
    const single = fc.string({ unit: 'binary' }).filter((v) => !/['\r\n]/.test(v));
    const dbl = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(keyName, bare, single, dbl, fc.boolean(), (k, b, s, d, exp) => {
        const esc = d.replace(/[\\"\n\t\r]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\${c}`));
        const prefix = exp ? 'export ' : '';
        const f = parseDotenv(`${prefix}${k}_B=${b}\n${k}_S = '${s}' # note\r\n${k}_D="${esc}"\n`);
        expect(f.invalidLines).toEqual([]);
        expect(f.values.get(`${k}_B`)).toBe(b.trim());
        expect(f.values.get(`${k}_S`)).toBe(s);
        expect(f.values.get(`${k}_D`)).toBe(d);
      }),
      RUNS,
    );
  });

  it('is linear: 200,000 spaces inside a value do not take seconds', () => {
    const line = `FMP_API_KEY=x${' '.repeat(200_000)}y`;
    const f = parseDotenv(`${line}\nA=${'\t'.repeat(200_000)}#\n`);
    expect(f.values.get('FMP_API_KEY')).toBe(`x${' '.repeat(200_000)}y`);
    expect(f.values.get('A')).toBe('#'); // as before: a comment needs white space before '#' inside the value
  });
});

describe('resolveFmpConfig (property)', () => {
  const names = ['FMP_API_KEY', 'FMP_BASE_URL', 'FMP_RATE_LIMIT', 'FMP_MAX_RETRIES', 'FMP_TIMEOUT_MS', 'FMP_ROW_CAP'] as const;
  it('any variables: settings or a ConfigError that does not contain the API key', () => {
    const env = fc.record(Object.fromEntries(names.map((n) => [n, fc.option(anyString(fc.constantFrom('300', 'http://127.0.0.1:1', 'k3y-s3cr3t')), { nil: undefined })])) as Record<(typeof names)[number], fc.Arbitrary<string | undefined>>, { requiredKeys: [] });
    fc.assert(
      fc.property(env, fc.string({ minLength: 8, maxLength: 40 }).filter((k) => !/\s/.test(k) && !'FMP_API_KEY is not set'.includes(k)), (vars, secret) => {
        const e: Record<string, string | undefined> = { ...vars, FMP_API_KEY: vars.FMP_API_KEY === undefined ? undefined : secret };
        const o = onlyTypedErrors(() => resolveFmpConfig(e, undefined));
        if (o.kind === 'value') {
          expect(o.value.apiKey).toBe(secret.trim());
          expect(['http:', 'https:']).toContain(new URL(o.value.baseUrl).protocol);
          expect(Number.isSafeInteger(o.value.requestsPerMinute) && o.value.requestsPerMinute >= 1).toBe(true);
        } else {
          expect(o.error).toBeInstanceOf(ConfigError);
          expect(o.error.message.includes(secret)).toBe(false);
        }
      }),
      RUNS,
    );
  });
});
