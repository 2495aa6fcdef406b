import { describe, expect, it } from 'vitest';
import { memoryFile } from '../../../../test-support/memory-file.js';
import { ColumnPageCursor, decodePlain, PageError } from './column-pages.js';
import { decodeByteStreamSplit, decodeDeltaBinaryPacked } from './delta-bss.js';
import { decodeRleHybrid, RleError } from './rle-hybrid.js';
import { snappyUncompress, SnappyError } from './snappy.js';
import { ThriftOutOfData, ThriftReader, i32Field, structField } from './thrift-compact.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ascii = (s: string): number[] => Array.from(new TextEncoder().encode(s));

describe('snappyUncompress', () => {
  it('decodes literals and an overlapping back-reference', () => {
    // "abc", then copy 12 bytes from 3 back (overlapping: "abcabcabcabc"), then "d".
    const input = bytes(16, 0x08, ...ascii('abc'), 0x2e, 0x03, 0x00, 0x00, ...ascii('d'));
    expect(new TextDecoder().decode(snappyUncompress(input, 16))).toBe('abcabcabcabcabcd');
  });

  it('decodes a long literal (length in the following bytes) and a 1-byte-offset copy', () => {
    const lit = Array.from({ length: 70 }, (_, i) => i);
    // tag 60<<2 = literal whose length-1 is in the next byte; then copy1 of 4 bytes from 70 back... offset fits in 11 bits.
    const input = bytes(74, 60 << 2, 69, ...lit, 0x01, 70);
    const out = snappyUncompress(input, 74);
    expect(Array.from(out.subarray(0, 70))).toEqual(lit);
    expect(Array.from(out.subarray(70))).toEqual([0, 1, 2, 3]);
  });

  it('refuses a wrong length, a copy before the start, and a truncated block', () => {
    expect(() => snappyUncompress(bytes(3, 0x08, 1, 2, 3), 4)).toThrow(SnappyError);
    expect(() => snappyUncompress(bytes(8, 0x2e, 0x05, 0x00), 8)).toThrow(/copy outside/);
    expect(() => snappyUncompress(bytes(5, 0x10, 1, 2), 5)).toThrow(/literal runs past/);
    expect(() => snappyUncompress(bytes(4, 0x08, 1, 2, 3), 4)).toThrow(/3 of 4 bytes/);
  });
});

describe('decodeRleHybrid', () => {
  it('decodes a bit-packed group of width 3 (the Parquet spec example) and an RLE run', () => {
    const data = bytes(0x03, 0x88, 0xc6, 0xfa, 10, 0x04);
    const out = new Uint32Array(13);
    const end = decodeRleHybrid(data, 0, data.length, 3, 13, out);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 4, 4, 4, 4, 4]);
    expect(end).toBe(data.length);
  });

  it('stops at `count` inside a run, and fails when the data ends first', () => {
    const out = new Uint32Array(2);
    decodeRleHybrid(bytes(20, 1), 0, 2, 1, 2, out);
    expect(Array.from(out)).toEqual([1, 1]);
    expect(() => decodeRleHybrid(bytes(4, 1), 0, 2, 1, 5, new Uint32Array(5))).toThrow(RleError);
  });
});

describe('ThriftReader', () => {
  it('reads a PageHeader with a nested data page header, skipping a list', () => {
    const header = bytes(
      0x15, 0x00, // 1: type = 0
      0x15, 0xc8, 0x01, // 2: uncompressed = 100
      0x15, 0x64, // 3: compressed = 50
      0x19, 0x25, 0x02, 0x04, // 4 (delta 1): a list of 2 i32s, skipped
      0x1c, // 5: struct
      0x15, 0x14, 0x15, 0x00, 0x00, // num_values = 10, encoding = 0, stop
      0x00,
    );
    const r = new ThriftReader(header);
    const s = r.struct();
    expect([i32Field(s, 1), i32Field(s, 2), i32Field(s, 3)]).toEqual([0, 100, 50]);
    const dp = structField(s, 5);
    expect(dp === undefined ? undefined : [i32Field(dp, 1), i32Field(dp, 2)]).toEqual([10, 0]);
    expect(r.pos).toBe(header.length);
  });

  it('throws ThriftOutOfData on a header cut short', () => {
    expect(() => new ThriftReader(bytes(0x15, 0x00, 0x15)).struct()).toThrow(ThriftOutOfData);
  });
});

/** Packs values of `width` bits LSB first. */
function pack(values: readonly bigint[], width: number): number[] {
  const out = new Array<number>(Math.ceil((values.length * width) / 8)).fill(0);
  let bit = 0;
  for (const v of values) {
    for (let b = 0; b < width; b++, bit++) if (((v >> BigInt(b)) & 1n) === 1n) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}
function uvarint(n: bigint): number[] {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return out;
}
const zigzag = (n: bigint): number[] => uvarint(n >= 0n ? n << 1n : (-n << 1n) - 1n);

/** One DELTA_BINARY_PACKED block (128 values in 4 miniblocks) holding `values`. */
function deltaEncode(values: readonly bigint[]): Uint8Array {
  const deltas = values.slice(1).map((v, i) => v - values[i]!);
  const min = deltas.reduce((a, b) => (b < a ? b : a), deltas[0] ?? 0n);
  const adjusted = deltas.map((d) => d - min);
  const width = adjusted.reduce((w, d) => Math.max(w, d.toString(2).length), 0);
  const mini = [...adjusted, ...new Array<bigint>(32 - adjusted.length).fill(0n)];
  return bytes(...uvarint(128n), ...uvarint(4n), ...uvarint(BigInt(values.length)), ...zigzag(values[0]!), ...zigzag(min), width, 0, 0, 0, ...pack(mini, width));
}

describe('decodeDeltaBinaryPacked', () => {
  it('decodes small integers with negative deltas', () => {
    const values = [7n, 5n, 3n, 100n, 101n, -40n];
    const enc = deltaEncode(values);
    expect(Array.from(decodeDeltaBinaryPacked(enc, 0, enc.length, values.length, 'INT64'))).toEqual(values.map(Number));
  });

  it('decodes 64-bit values beyond 2^53 exactly before rounding each once', () => {
    const base = 2n ** 60n + 12345n;
    const values = [base, base + 1n, base + 3n, base - (2n ** 40n)];
    const enc = deltaEncode(values);
    expect(Array.from(decodeDeltaBinaryPacked(enc, 0, enc.length, values.length, 'INT64'))).toEqual(values.map(Number));
  });

  it('refuses a malformed block header', () => {
    const enc = bytes(...uvarint(100n), ...uvarint(4n), 1, 0);
    expect(() => decodeDeltaBinaryPacked(enc, 0, enc.length, 1, 'INT64')).toThrow(/block of 100 values/);
  });
});

describe('decodeByteStreamSplit and decodePlain', () => {
  it('joins the byte streams of doubles', () => {
    const vals = new Float64Array([1.5, -2.25, 1e300]);
    const raw = new Uint8Array(vals.buffer);
    const split = new Uint8Array(24);
    for (let i = 0; i < 3; i++) for (let k = 0; k < 8; k++) split[k * 3 + i] = raw[i * 8 + k]!;
    expect(Array.from(decodeByteStreamSplit(split, 0, 24, 3, 'DOUBLE'))).toEqual([1.5, -2.25, 1e300]);
  });

  it('reads misaligned PLAIN INT64 and FLOAT values', () => {
    const i64 = new BigInt64Array([-5n, 2n ** 62n]);
    const buf = new Uint8Array(17);
    buf.set(new Uint8Array(i64.buffer), 1);
    expect(Array.from(decodePlain(buf, 1, 2, 'INT64'))).toEqual([-5, Number(2n ** 62n)]);
    const f32 = new Float32Array([0.1, 3]);
    const fb = new Uint8Array(9);
    fb.set(new Uint8Array(f32.buffer), 1);
    expect(Array.from(decodePlain(fb, 1, 2, 'FLOAT'))).toEqual([Math.fround(0.1), 3]);
    expect(() => decodePlain(fb, 1, 3, 'FLOAT')).toThrow(/need 12 bytes/);
  });
});


describe('ColumnPageCursor', () => {
  const plan = { name: 'open', physical: 'DOUBLE' as const, codec: 'UNCOMPRESSED' as const, optional: false, start: 0, rows: 3 };
  /** A v1 data page header (PLAIN) for `n` values with the given sizes. */
  const header = (uncompressed: number, compressed: number, n: number): number[] => [
    0x15, 0x00, 0x15, ...zigzag(BigInt(uncompressed)), 0x15, ...zigzag(BigInt(compressed)),
    0x2c, 0x15, ...zigzag(BigInt(n)), 0x15, 0x00, 0x00, 0x00,
  ];

  it('streams an uncompressed PLAIN page in pieces', async () => {
    const values = new Uint8Array(new Float64Array([1.5, 2.5, 3.5]).buffer);
    const file = Uint8Array.from([...header(24, 24, 3), ...values]);
    const cursor = new ColumnPageCursor(memoryFile(file), { ...plan, length: file.length });
    const out = new Float64Array(3);
    await cursor.read(out, 0, 2);
    await cursor.read(out, 2, 1);
    expect(Array.from(out)).toEqual([1.5, 2.5, 3.5]);
    await expect(cursor.read(out, 0, 1)).rejects.toThrow(/past the row group/);
  });

  it('refuses a page header claiming more bytes than the row group can hold, before allocating them', async () => {
    const file = Uint8Array.from([...header(2 ** 30, 24, 3), ...new Uint8Array(24)]);
    const cursor = new ColumnPageCursor(memoryFile(file), { ...plan, length: file.length });
    await expect(cursor.read(new Float64Array(3), 0, 3)).rejects.toThrow(PageError);
    await expect(new ColumnPageCursor(memoryFile(file), { ...plan, length: file.length }).read(new Float64Array(3), 0, 3)).rejects.toThrow(/says 1073741824 bytes/);
  });
});
