/**
 * Hostile inputs for property tests: arbitrary strings of every kind (full
 * unicode, lone surrogates, control characters, very long), near-misses of
 * valid inputs, and a checker that a parser either returns or throws one of
 * barfill's typed errors (a `BarfillError` subclass) and never anything else.
 *
 * Pure: no Node APIs, so kernel and adapter property tests can share it.
 */
import fc from 'fast-check';
import { BarfillError } from '../../src/kernel/errors.js';

/** Characters that break naive parsers: controls, quotes, separators, BOM, line/paragraph separators, NUL, RTL marks. */
export const NASTY_CHARS = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\v', '\f', '\r', '\u001b', '\u007f', '\u0085', '\u00a0',
  '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\ufffd', '\ud800', '\udfff', '\ud83d\ude00',
  '"', "'", '`', '\\', ',', ';', '#', '=', ':', '-', '+', '.', '^', '*', '?', '[', ']', '{', '}', '%', '$', '/',
  ' ', 'ß', 'ſ', 'ı', 'ﬀ', 'K', 'Å', '٣', '０', 'e', 'E', 'Z', 'T', 'x',
] as const;

const nastyChar = fc.constantFrom(...NASTY_CHARS);

/** A string built from nasty characters and digits: dense in edge cases. */
export const nastyString = fc
  .array(fc.oneof(nastyChar, fc.constantFrom('0', '1', '2', '9'), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 40 })
  .map((parts) => parts.join(''));

/** Inserts, deletes or replaces characters of a valid input: near misses. */
export function mutate(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.oneof(nastyChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }))), { minLength: 1, maxLength: 3 }))
    .map(([s, edits]) => {
      let out = s;
      for (const [pos, op, ch] of edits) {
        const i = out.length === 0 ? 0 : pos % (out.length + 1);
        if (op === 'insert') out = out.slice(0, i) + ch + out.slice(i);
        else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
        else out = out.slice(0, i) + ch + out.slice(i + 1);
      }
      return out;
    });
}

/** Very long inputs: a repeated fragment (up to ~1 MB), optionally wrapped in white space. */
export const hugeString = fc
  .tuple(fc.oneof(nastyString, fc.constantFrom('9', ' ', '"', 'A', '0,', '\n', '{"a":[', '[')), fc.integer({ min: 10_000, max: 1 << 20 }))
  .map(([frag, n]) => (frag === '' ? 'x' : frag).repeat(Math.ceil(n / Math.max(1, frag.length))).slice(0, n));

/** Any string: unicode of every kind, nasty characters, near misses of `valid`, and (rarely) huge ones. */
export function anyString(valid?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const parts: fc.Arbitrary<string>[] = [
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    nastyString,
  ];
  if (valid !== undefined) parts.push(valid, mutate(valid), mutate(valid));
  return fc.oneof(...parts.map((arbitrary) => ({ arbitrary, weight: 10 })), { arbitrary: hugeString, weight: 1 });
}

/** The outcome of calling a parser: a value, a typed barfill error, or anything else (a defect). */
export type Outcome<T> = { readonly kind: 'value'; readonly value: T } | { readonly kind: 'typed'; readonly error: BarfillError } | { readonly kind: 'untyped'; readonly error: unknown };

export function outcome<T>(f: () => T): Outcome<T> {
  try {
    return { kind: 'value', value: f() };
  } catch (error) {
    return error instanceof BarfillError ? { kind: 'typed', error } : { kind: 'untyped', error };
  }
}

/** Throws (failing the property) when `f` throws anything but a BarfillError; returns the outcome otherwise. */
export function onlyTypedErrors<T>(f: () => T): Exclude<Outcome<T>, { readonly kind: 'untyped' }> {
  const o = outcome(f);
  if (o.kind === 'untyped') {
    const e = o.error;
    throw new Error(`untyped exception ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
  return o;
}

/** True when `s` holds a C0 control character or a line/paragraph separator (a hostile value could forge a line). */
export function hasLineBreakingChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}
