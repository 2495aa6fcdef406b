/**
 * Raw Snappy decompression (the block format Parquet uses: a varint length,
 * then literals and back-references). Long literals are one `set`; short
 * literals and copies (at most 64 bytes) are byte loops, cheaper than a
 * subarray each.
 */

export class SnappyError extends Error {
  override readonly name = 'SnappyError';
}

/** Decompresses `input` into a new array of exactly `expectedLength` bytes. */
export function snappyUncompress(input: Uint8Array, expectedLength: number): Uint8Array {
  let pos = 0;
  let length = 0;
  let shift = 1;
  for (;;) {
    if (pos >= input.length) throw new SnappyError('snappy: truncated length');
    const b = (input[pos++] ?? 0);
    length += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) break;
    shift *= 128;
    if (shift > 2 ** 35) throw new SnappyError('snappy: length varint too long');
  }
  if (length !== expectedLength) {
    throw new SnappyError(`snappy: block says ${length} bytes, the page header ${expectedLength}`);
  }
  const out = new Uint8Array(length);
  let op = 0;
  const n = input.length;
  while (pos < n) {
    const tag = (input[pos++] ?? 0);
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (pos + bytes > n) throw new SnappyError('snappy: truncated literal length');
        len = 0;
        for (let i = 0; i < bytes; i++) len += (input[pos + i] ?? 0) * 2 ** (8 * i);
        pos += bytes;
      }
      len += 1;
      if (pos + len > n || op + len > length) throw new SnappyError('snappy: literal runs past the end');
      if (len <= 32) {
        // Short literals: a loop beats creating a subarray.
        for (let i = 0; i < len; i++) out[op + i] = (input[pos + i] ?? 0);
      } else {
        out.set(input.subarray(pos, pos + len), op);
      }
      pos += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= n) throw new SnappyError('snappy: truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[pos++] ?? 0);
    } else if (kind === 2) {
      if (pos + 2 > n) throw new SnappyError('snappy: truncated copy');
      len = (tag >>> 2) + 1;
      offset = (input[pos] ?? 0) | ((input[pos + 1] ?? 0) << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw new SnappyError('snappy: truncated copy');
      len = (tag >>> 2) + 1;
      offset = ((input[pos] ?? 0) | ((input[pos + 1] ?? 0) << 8) | ((input[pos + 2] ?? 0) << 16)) + (input[pos + 3] ?? 0) * 0x1000000;
      pos += 4;
    }
    if (offset === 0 || offset > op || op + len > length) throw new SnappyError('snappy: copy outside the output');
    // Copies are at most 64 bytes: a byte loop (also right when the run overlaps itself).
    const from = op - offset;
    for (let i = 0; i < len; i++) out[op + i] = (out[from + i] ?? 0);
    op += len;
  }
  if (op !== length) throw new SnappyError(`snappy: ${op} of ${length} bytes decoded`);
  return out;
}
