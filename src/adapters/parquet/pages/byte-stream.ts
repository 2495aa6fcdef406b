/**
 * The bytes of one page, decompressed as they are needed: a page of a million
 * values (DuckDB writes one page per column chunk) is read through a 256 KB
 * input buffer and a window of the last 64 KB of output, never whole.
 *
 * Snappy encoders split their input into 64 KB blocks and never refer back
 * across them, so a 64 KB window is enough; a stream that refers further back
 * throws `SnappyWindowError` and the caller decodes that page whole instead.
 */
import type { RandomAccessFile } from './column-pages.js';
import { SnappyError } from './snappy.js';

export class SnappyWindowError extends Error {
  override readonly name = 'SnappyWindowError';
}

const IN_CHUNK = 256 * 1024;
const WINDOW = 64 * 1024;

export interface PageByteStream {
  /** The next `n` bytes (a view, valid until the next call). */
  read(n: number): Promise<Uint8Array>;
}

/** Compressed bytes of one file range, read in chunks into one reused buffer. */
class Input {
  /** data[pos, lim) holds the bytes fetched and not yet consumed. */
  data: Uint8Array = new Uint8Array(0);
  pos = 0;
  lim = 0;
  private next: number;
  private readonly end: number;

  constructor(
    private readonly file: RandomAccessFile,
    start: number,
    length: number,
  ) {
    this.next = start;
    this.end = start + length;
  }

  get available(): number {
    return this.lim - this.pos;
  }

  /** Every byte of the range has been fetched (what is in `data` is all there is). */
  get fetchedAll(): boolean {
    return this.next >= this.end;
  }

  /** Makes at least `k` bytes available if the range holds them; returns how many are. */
  async ensure(k: number): Promise<number> {
    if (this.available >= k || this.fetchedAll) return this.available;
    const keep = this.available;
    const want = Math.min(Math.max(IN_CHUNK, k), keep + (this.end - this.next));
    if (this.data.length < want) {
      const grown = new Uint8Array(Math.max(want, IN_CHUNK));
      grown.set(this.data.subarray(this.pos, this.lim), 0);
      this.data = grown;
    } else {
      this.data.copyWithin(0, this.pos, this.lim);
    }
    this.pos = 0;
    this.lim = keep;
    const len = Math.min(this.data.length - keep, this.end - this.next);
    await this.file.readInto(this.data.subarray(keep, keep + len), this.next);
    this.next += len;
    this.lim = keep + len;
    return this.available;
  }
}

/** An uncompressed page body, read straight from the file. */
export function rawPageStream(file: RandomAccessFile, start: number, length: number): PageByteStream {
  const input = new Input(file, start, length);
  return {
    async read(n: number): Promise<Uint8Array> {
      if ((await input.ensure(n)) < n) throw new SnappyError(`the page ends ${n - input.available} bytes short`);
      const out = input.data.subarray(input.pos, input.pos + n);
      input.pos += n;
      return out;
    },
  };
}

/** A Snappy-compressed page body of `uncompressedLength` bytes. */
export function snappyPageStream(file: RandomAccessFile, start: number, length: number, uncompressedLength: number): PageByteStream {
  return new SnappyStream(new Input(file, start, length), uncompressedLength);
}

class SnappyStream implements PageByteStream {
  private out: Uint8Array = new Uint8Array(WINDOW * 2);
  /** out[0, readPos) is history, out[readPos, end) produced but not yet read. */
  private readPos = 0;
  private end = 0;
  private totalOut = 0;
  private started = false;

  constructor(
    private readonly input: Input,
    private readonly expected: number,
  ) {}

  async read(n: number): Promise<Uint8Array> {
    if (!this.started) await this.start();
    // Keep the last WINDOW bytes of output (or everything unread) at the front.
    const keepFrom = Math.max(0, Math.min(this.readPos, this.end - WINDOW));
    if (keepFrom > 0) {
      this.out.copyWithin(0, keepFrom, this.end);
      this.readPos -= keepFrom;
      this.end -= keepFrom;
    }
    this.reserve(n + 64);
    let need = 5;
    while (this.end - this.readPos < n) {
      if (this.totalOut >= this.expected) throw new SnappyError(`snappy: the page holds ${this.expected} bytes, ${n} more were asked`);
      if ((await this.input.ensure(Math.max(need, 4096))) === 0) {
        throw new SnappyError(`snappy: input ended after ${this.totalOut} of ${this.expected} bytes`);
      }
      need = this.decode(this.readPos + n);
    }
    const view = this.out.subarray(this.readPos, this.readPos + n);
    this.readPos += n;
    return view;
  }

  private async start(): Promise<void> {
    this.started = true;
    await this.input.ensure(10);
    let length = 0;
    let mul = 1;
    for (;;) {
      if (this.input.available === 0) throw new SnappyError('snappy: truncated length');
      const b = (this.input.data[this.input.pos++] ?? 0);
      length += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 35) throw new SnappyError('snappy: length varint too long');
    }
    if (length !== this.expected) throw new SnappyError(`snappy: block says ${length} bytes, the page header ${this.expected}`);
  }

  /** Room for `extra` more bytes after `end`. */
  private reserve(extra: number): void {
    const need = this.end + extra;
    if (need <= this.out.length) return;
    const grown = new Uint8Array(Math.max(need, this.out.length * 2));
    grown.set(this.out.subarray(0, this.end), 0);
    this.out = grown;
  }

  /**
   * Decodes elements while the input holds them whole, until `target` bytes of output
   * exist. Returns how many input bytes the next element needs (5 when it just ran low).
   */
  private decode(target: number): number {
    const input = this.input;
    const buf = input.data;
    const n = input.lim;
    const expected = this.expected;
    let pos = input.pos;
    // Locals in the loop, written back at the end: output position and total.
    this.reserve(target - this.end + 64);
    let out = this.out;
    let end = this.end;
    let total = this.totalOut;
    try {
      while (end < target) {
        // Fewer than 5 bytes left may cut an element's header: refill first, unless that is all there is.
        if (pos + 5 > n && !this.input.fetchedAll) return 5;
        if (pos >= n) throw new SnappyError(`snappy: input ended after ${total} of ${expected} bytes`);
        const tag = (buf[pos] ?? 0);
        const kind = tag & 3;
        if (kind === 0) {
          let len = tag >>> 2;
          let head = 1;
          if (len >= 60) {
            const bytes = len - 59;
            if (pos + 1 + bytes > n) return this.short(1 + bytes);
            len = 0;
            for (let i = 0; i < bytes; i++) len += (buf[pos + 1 + i] ?? 0) * 2 ** (8 * i);
            head += bytes;
          }
          len += 1;
          if (pos + head + len > n) return this.short(head + len);
          if (total + len > expected) throw new SnappyError('snappy: literal runs past the end');
          if (end + len + 64 > out.length) {
            this.end = end;
            this.reserve(len + 64);
            out = this.out;
          }
          const at = pos + head;
          if (len <= 32) for (let i = 0; i < len; i++) out[end + i] = (buf[at + i] ?? 0);
          else out.set(buf.subarray(at, at + len), end);
          pos = at + len;
          end += len;
          total += len;
          continue;
        }
        let len: number;
        let offset: number;
        if (kind === 1) {
          if (pos + 2 > n) return this.short(2);
          len = ((tag >>> 2) & 7) + 4;
          offset = ((tag >>> 5) << 8) | (buf[pos + 1] ?? 0);
          pos += 2;
        } else if (kind === 2) {
          if (pos + 3 > n) return this.short(3);
          len = (tag >>> 2) + 1;
          offset = (buf[pos + 1] ?? 0) | ((buf[pos + 2] ?? 0) << 8);
          pos += 3;
        } else {
          if (pos + 5 > n) return this.short(5);
          len = (tag >>> 2) + 1;
          offset = ((buf[pos + 1] ?? 0) | ((buf[pos + 2] ?? 0) << 8) | ((buf[pos + 3] ?? 0) << 16)) + (buf[pos + 4] ?? 0) * 0x1000000;
          pos += 5;
        }
        if (offset === 0 || offset > total || total + len > expected) throw new SnappyError('snappy: copy outside the output');
        if (offset > end) throw new SnappyWindowError(`snappy: a copy from ${offset} bytes back, beyond the ${WINDOW}-byte window`);
        // A copy is at most 64 bytes, and 64 bytes past `end` are always reserved.
        const from = end - offset;
        for (let i = 0; i < len; i++) out[end + i] = (out[from + i] ?? 0);
        end += len;
        total += len;
        if (end + 64 > out.length) {
          this.end = end;
          this.reserve(64);
          out = this.out;
        }
      }
      return 5;
    } finally {
      input.pos = pos;
      this.end = end;
      this.totalOut = total;
    }
  }

  /** An element cut by the end of the buffer: ask for `k` bytes, or fail when the input has no more. */
  private short(k: number): number {
    if (this.input.fetchedAll) throw new SnappyError('snappy: the input ends inside an element');
    return k;
  }
}
