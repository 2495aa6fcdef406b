/**
 * Parquet's RLE / bit-packed hybrid encoding (definition levels and
 * dictionary indices): runs of one repeated value, or groups of 8 values
 * packed in `bitWidth` bits each, least significant bit first.
 */

export class RleError extends Error {
  override readonly name = 'RleError';
}

/**
 * Decodes `count` values from `bytes[start, end)` into `out` (from 0).
 * Returns the position after the last run read.
 */
export function decodeRleHybrid(bytes: Uint8Array, start: number, end: number, bitWidth: number, count: number, out: Uint32Array): number {
  if (bitWidth < 0 || bitWidth > 32) throw new RleError(`rle: bit width ${bitWidth} out of range`);
  let pos = start;
  let i = 0;
  const byteWidth = (bitWidth + 7) >>> 3;
  while (i < count) {
    if (pos >= end) throw new RleError(`rle: data ended after ${i} of ${count} values`);
    let header = 0;
    let mul = 1;
    for (;;) {
      if (pos >= end) throw new RleError('rle: truncated run header');
      const b = (bytes[pos++] ?? 0);
      header += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 35) throw new RleError('rle: run header too long');
    }
    if (header % 2 === 0) {
      const run = header / 2;
      if (pos + byteWidth > end) throw new RleError('rle: truncated run value');
      let v = 0;
      for (let k = 0; k < byteWidth; k++) v += (bytes[pos + k] ?? 0) * 2 ** (8 * k);
      pos += byteWidth;
      const stop = Math.min(count, i + run);
      out.fill(v, i, stop);
      i = stop;
    } else {
      const groups = (header - 1) / 2;
      const total = groups * 8;
      const bytesNeeded = groups * bitWidth;
      if (pos + bytesNeeded > end) throw new RleError('rle: truncated bit-packed run');
      if (bitWidth === 0) {
        const stop = Math.min(count, i + total);
        out.fill(0, i, stop);
        i = stop;
      } else if (bitWidth <= 24) {
        // A bit accumulator: each byte is read once.
        const mask = (1 << bitWidth) - 1;
        const stop = Math.min(count, i + total);
        let acc = 0;
        let bits = 0;
        let p = pos;
        while (i < stop) {
          while (bits < bitWidth) {
            acc |= (bytes[p++] ?? 0) << bits;
            bits += 8;
          }
          out[i++] = acc & mask;
          acc >>>= bitWidth;
          bits -= bitWidth;
        }
      } else {
        let bitPos = 0;
        const base = pos;
        for (let k = 0; k < total; k++) {
          let v = 0;
          let got = 0;
          while (got < bitWidth) {
            const byteIndex = base + (bitPos >>> 3);
            const bitOffset = bitPos & 7;
            const take = Math.min(8 - bitOffset, bitWidth - got);
            const bits = ((bytes[byteIndex] ?? 0) >>> bitOffset) & ((1 << take) - 1);
            v += bits * 2 ** got;
            got += take;
            bitPos += take;
          }
          if (i < count) out[i++] = v;
        }
      }
      pos += bytesNeeded;
    }
  }
  return pos;
}
