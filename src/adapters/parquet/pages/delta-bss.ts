/**
 * Two value encodings of Parquet's data pages v2 (DuckDB writes them): DELTA_BINARY_PACKED
 * for integers and BYTE_STREAM_SPLIT for floating point. Both decode to doubles, exactly
 * as PLAIN values of the same type would.
 */
import type { PhysicalType } from './column-pages.js';

export class EncodingError extends Error {
  override readonly name = 'EncodingError';
}

const TWO_53 = 2 ** 53;

class Bytes {
  constructor(
    private readonly b: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  byte(): number {
    if (this.pos >= this.end) throw new EncodingError('delta: data ended early');
    return (this.b[this.pos++] ?? 0);
  }

  /** Unsigned LEB128 as a bigint (up to 64 bits). */
  uvarint(): bigint {
    let out = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      out |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return out;
      shift += 7n;
    }
    throw new EncodingError('delta: varint longer than 10 bytes');
  }

  zigzag(): bigint {
    const n = this.uvarint();
    return (n >> 1n) ^ -(n & 1n);
  }

  /** `count` values of `width` bits, least significant bit first, as numbers (width <= 52) or bigints. */
  unpack(width: number, count: number, out: (i: number, v: number | bigint) => void): void {
    const bytes = Math.ceil((width * count) / 8);
    if (this.pos + bytes > this.end) throw new EncodingError('delta: miniblock runs past the page');
    const base = this.pos;
    let bit = 0;
    for (let i = 0; i < count; i++) {
      if (width <= 52) {
        let v = 0;
        let got = 0;
        while (got < width) {
          const idx = base + (bit >>> 3);
          const off = bit & 7;
          const take = Math.min(8 - off, width - got);
          v += (((this.b[idx] ?? 0) >>> off) & ((1 << take) - 1)) * 2 ** got;
          got += take;
          bit += take;
        }
        out(i, v);
      } else {
        let v = 0n;
        let got = 0;
        while (got < width) {
          const idx = base + (bit >>> 3);
          const off = bit & 7;
          const take = Math.min(8 - off, width - got);
          v |= BigInt(((this.b[idx] ?? 0) >>> off) & ((1 << take) - 1)) << BigInt(got);
          got += take;
          bit += take;
        }
        out(i, v);
      }
    }
    this.pos += bytes;
  }
}

/**
 * Decodes `n` DELTA_BINARY_PACKED values from `bytes[pos, end)`. Arithmetic is in
 * numbers while every value is a safe integer, else in bigints wrapped to the type's
 * width, so every value is the exact integer rounded once to a double.
 */
export function decodeDeltaBinaryPacked(bytes: Uint8Array, pos: number, end: number, n: number, physical: PhysicalType): Float64Array {
  if (physical !== 'INT32' && physical !== 'INT64') throw new EncodingError(`delta: ${physical} values`);
  const bits = physical === 'INT32' ? 32 : 64;
  const r = new Bytes(bytes, pos, end);
  const blockSize = Number(r.uvarint());
  const miniblocks = Number(r.uvarint());
  const total = Number(r.uvarint());
  let prev = r.zigzag();
  if (blockSize <= 0 || blockSize % 128 !== 0 || miniblocks <= 0 || blockSize % miniblocks !== 0 || (blockSize / miniblocks) % 32 !== 0) {
    throw new EncodingError(`delta: block of ${blockSize} values in ${miniblocks} miniblocks`);
  }
  if (total < n) throw new EncodingError(`delta: ${total} values for ${n} rows`);
  const perMini = blockSize / miniblocks;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const wrap = (v: bigint): bigint => (bits === 32 ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v));
  prev = wrap(prev);
  out[0] = Number(prev);
  let filled = 1;
  // Exact number arithmetic while it stays safe.
  let prevNum = Number(prev);
  let safe = Number.isSafeInteger(prevNum) && Math.abs(prevNum) < TWO_53;
  const widths = new Uint8Array(miniblocks);
  while (filled < n) {
    const minDelta = r.zigzag();
    const minNum = Number(minDelta);
    for (let m = 0; m < miniblocks; m++) widths[m] = r.byte();
    for (let m = 0; m < miniblocks && filled < n; m++) {
      const width = (widths[m] ?? 0);
      if (width > 64) throw new EncodingError(`delta: bit width ${width}`);
      r.unpack(width, perMini, (_i, packed) => {
        if (filled >= n) return;
        if (safe && typeof packed === 'number' && Number.isSafeInteger(minNum)) {
          const v = prevNum + minNum + packed;
          const wrapped = bits === 32 ? ((v | 0) === v ? v : Number(wrap(BigInt(v)))) : v;
          if (Number.isSafeInteger(wrapped)) {
            prevNum = wrapped;
            prev = BigInt(wrapped);
            out[filled++] = wrapped;
            return;
          }
        }
        safe = false;
        prev = wrap(prev + minDelta + (typeof packed === 'bigint' ? packed : BigInt(packed)));
        prevNum = Number(prev);
        out[filled++] = prevNum;
        safe = Number.isSafeInteger(prevNum);
      });
    }
  }
  return out;
}

/** Decodes `n` BYTE_STREAM_SPLIT values: byte k of value i is at `pos + k * n + i`. */
export function decodeByteStreamSplit(bytes: Uint8Array, pos: number, end: number, n: number, physical: PhysicalType): Float64Array {
  const width = physical === 'DOUBLE' || physical === 'INT64' ? 8 : 4;
  if (pos + width * n > end) throw new EncodingError(`byte stream split: ${n} values need ${width * n} bytes`);
  const joined = new Uint8Array(width * n);
  for (let k = 0; k < width; k++) {
    const s = pos + k * n;
    for (let i = 0; i < n; i++) joined[i * width + k] = (bytes[s + i] ?? 0);
  }
  switch (physical) {
    case 'DOUBLE':
      return new Float64Array(joined.buffer);
    case 'FLOAT':
      return Float64Array.from(new Float32Array(joined.buffer));
    case 'INT32':
      return Float64Array.from(new Int32Array(joined.buffer));
    case 'INT64':
      return Float64Array.from(new BigInt64Array(joined.buffer), (v) => Number(v));
  }
}
