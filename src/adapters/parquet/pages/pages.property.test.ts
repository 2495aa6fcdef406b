/**
 * Properties of the page decoders: on any bytes they return or throw their own
 * named error (never a RangeError or TypeError, never hang); on valid Snappy
 * the streamed decoder, read in pieces of any size, gives what the whole-page
 * decoder gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryFile } from '../../../../test-support/memory-file.js';
import { rawPageStream, snappyPageStream } from './byte-stream.js';
import { ColumnPageCursor, PageError, decodePlain } from './column-pages.js';
import type { Codec, PhysicalType } from './column-pages.js';
import { EncodingError, decodeByteStreamSplit, decodeDeltaBinaryPacked } from './delta-bss.js';
import { RleError, decodeRleHybrid } from './rle-hybrid.js';
import { SnappyError, snappyUncompress } from './snappy.js';
import { ThriftError, ThriftReader } from './thrift-compact.js';

const RUNS = { numRuns: 500 };
const NAMED = [SnappyError, RleError, EncodingError, PageError, ThriftError];


function expectNamed(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(NAMED.some((E) => err instanceof E), String(err)).toBe(true);
  }
}

/** Reads every row of a one-chunk column: rows, or a named error. */
async function expectRowsOrNamed(file: Uint8Array, plan: { codec: Codec; physical: PhysicalType; optional: boolean; rows: number }): Promise<void> {
  const cursor = new ColumnPageCursor(memoryFile(file), { name: 'c', start: 0, length: file.length, ...plan });
  await expectNamedAsync(() => cursor.read(new Float64Array(plan.rows), 0, plan.rows, new Uint8Array(plan.rows)));
}

async function expectNamedAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    expect(NAMED.some((E) => err instanceof E), String(err)).toBe(true);
  }
}

/** A Snappy block built from random literals and back-references, with the bytes it stands for. */
const snappyBlock = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant('lit' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 80 }) }),
      fc.record({ kind: fc.constant('copy' as const), len: fc.integer({ min: 4, max: 64 }), back: fc.integer({ min: 1, max: 5000 }) }),
    ),
    { maxLength: 60 },
  )
  .map((ops) => {
    const out: number[] = [];
    const enc: number[] = [];
    for (const op of ops) {
      if (op.kind === 'lit') {
        const n = op.bytes.length - 1;
        if (n < 60) enc.push(n << 2);
        else enc.push(60 << 2, n);
        enc.push(...op.bytes);
        out.push(...op.bytes);
      } else {
        if (out.length === 0) continue;
        const offset = Math.min(op.back, out.length);
        enc.push(((op.len - 1) << 2) | 2, offset & 0xff, offset >> 8);
        for (let i = 0; i < op.len; i++) out.push(out[out.length - offset] ?? 0);
      }
    }
    const head: number[] = [];
    let n = out.length;
    do {
      head.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return { compressed: Uint8Array.from([...head, ...enc]), plain: Uint8Array.from(out) };
  });

/** Any column chunk plan: codec, physical type, OPTIONAL or not, 1..50 rows. */
const column = fc.record({
  codec: fc.constantFrom<Codec>('UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD'),
  physical: fc.constantFrom<PhysicalType>('DOUBLE', 'INT64', 'INT32', 'FLOAT'),
  optional: fc.boolean(),
  rows: fc.integer({ min: 1, max: 50 }),
});

describe('page decoders (property)', () => {
  it('snappy: whole and streamed (in pieces of any size) decode a valid block to its bytes', async () => {
    await fc.assert(
      fc.asyncProperty(snappyBlock, fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), async ({ compressed, plain }, pieces) => {
        expect(Array.from(snappyUncompress(compressed, plain.length))).toEqual(Array.from(plain));
        const stream = snappyPageStream(memoryFile(compressed), 0, compressed.length, plain.length);
        const got: number[] = [];
        let k = 0;
        while (got.length < plain.length) {
          const n = Math.min(pieces[k++ % pieces.length] ?? 1, plain.length - got.length);
          got.push(...(await stream.read(n)));
        }
        expect(got).toEqual(Array.from(plain));
        const raw = rawPageStream(memoryFile(plain), 0, plain.length);
        if (plain.length > 0) expect(Array.from(await raw.read(plain.length))).toEqual(Array.from(plain));
      }),
      RUNS,
    );
  });

  it('snappy: any bytes decode or throw SnappyError, whole or streamed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2000 }), async (bytes, size) => {
        expectNamed(() => snappyUncompress(bytes, size));
        await expectNamedAsync(() => snappyPageStream(memoryFile(bytes), 0, bytes.length, size).read(Math.max(1, size)));
      }),
      RUNS,
    );
  });

  it('rle, delta, byte stream split, plain and thrift: any bytes decode or throw their own error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 33 }), (bytes, n, width) => {
        expectNamed(() => decodeRleHybrid(bytes, 0, bytes.length, width, n, new Uint32Array(n)));
        expectNamed(() => decodeDeltaBinaryPacked(bytes, 0, bytes.length, n, width % 2 === 0 ? 'INT64' : 'INT32'));
        expectNamed(() => decodeByteStreamSplit(bytes, 0, bytes.length, n, 'DOUBLE'));
        expectNamed(() => decodePlain(bytes, width % 8, n, 'INT64'));
        expectNamed(() => new ThriftReader(bytes).struct());
      }),
      RUNS,
    );
  });

  it('a valid data page header over any body (any codec, level and value bytes) yields its rows or throws a named error', async () => {
    const zz = (n: number): number[] => {
      const out: number[] = [];
      let v = n * 2;
      do {
        out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v = Math.floor(v / 128);
      } while (v > 0);
      return out;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        column,
        fc.integer({ min: 0, max: 600 }),
        fc.constantFrom(0, 2, 5, 8, 9),
        async (body, { codec, physical, optional, rows }, uncompressed, encoding) => {
          // PageHeader { type: DATA_PAGE, sizes, data_page_header { num_values, encoding, RLE levels } }
          const header = [0x15, 0x00, 0x15, ...zz(uncompressed), 0x15, ...zz(body.length), 0x2c, 0x15, ...zz(rows), 0x15, ...zz(encoding), 0x15, 0x06, 0x00, 0x00];
          await expectRowsOrNamed(Uint8Array.from([...header, ...body]), { codec, physical, optional, rows });
        },
      ),
      RUNS,
    );
  });

  it('a column chunk of any bytes yields its rows or throws a named error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), column, (bytes, plan) => expectRowsOrNamed(bytes, plan)),
      RUNS,
    );
  });
});
