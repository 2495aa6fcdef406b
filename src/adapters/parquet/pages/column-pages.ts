/**
 * Reads one column chunk of a flat Parquet file page by page: a page header,
 * its body, decompressed and decoded into doubles (NaN for a null), handed
 * out row by row. Only one page of the column is in memory at a time, so a
 * row group of a million rows costs a few megabytes, not the whole group.
 *
 * Supported (the planner sends anything else to DuckDB): physical DOUBLE,
 * FLOAT, INT32, INT64; codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD; data pages v1 and
 * v2; PLAIN, DELTA_BINARY_PACKED or BYTE_STREAM_SPLIT values, or a PLAIN dictionary
 * with RLE/bit-packed indices;
 * REQUIRED or OPTIONAL columns (RLE definition levels).
 */
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { decodeByteStreamSplit, decodeDeltaBinaryPacked } from './delta-bss.js';
import { rawPageStream, snappyPageStream, SnappyWindowError } from './byte-stream.js';
import type { PageByteStream } from './byte-stream.js';
import { decodeRleHybrid } from './rle-hybrid.js';
import { snappyUncompress } from './snappy.js';
import { ThriftOutOfData, ThriftReader, boolField, i32Field, structField } from './thrift-compact.js';
import type { ThriftStruct } from './thrift-compact.js';

export type PhysicalType = 'DOUBLE' | 'FLOAT' | 'INT32' | 'INT64';
export type Codec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'ZSTD';

export interface ColumnChunkPlan {
  readonly name: string;
  readonly physical: PhysicalType;
  readonly codec: Codec;
  /** OPTIONAL (definition levels of width 1) rather than REQUIRED. */
  readonly optional: boolean;
  /** File offset of the chunk's first page (the dictionary page when there is one). */
  readonly start: number;
  /** The chunk's total compressed size, page headers included. */
  readonly length: number;
  /** Rows in the row group. */
  readonly rows: number;
}

/** Positional reads of one file. */
export interface RandomAccessFile {
  /** `length` bytes from `position`, in a new array. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Fills `target` from `position`. */
  readInto(target: Uint8Array, position: number): Promise<void>;
}

/** A malformed or unsupported page; the scan turns it into an InputError naming file, row group and column. */
export class PageError extends Error {
  override readonly name = 'PageError';
}

const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;
const PAGE_DATA_V2 = 3;
const ENC_PLAIN = 0;
const ENC_PLAIN_DICTIONARY = 2;
const ENC_RLE = 3;
const ENC_DELTA_BINARY_PACKED = 5;
const ENC_RLE_DICTIONARY = 8;
const ENC_BYTE_STREAM_SPLIT = 9;

const WIDTH: Readonly<Record<PhysicalType, number>> = { DOUBLE: 8, FLOAT: 4, INT32: 4, INT64: 8 };

export class ColumnPageCursor {
  private next: number;
  private readonly end: number;
  private dictionary: Float64Array | null = null;
  private values: Float64Array = new Float64Array(0);
  private nulls: Uint8Array | null = null;
  private at = 0;
  private delivered = 0;
  /** A PLAIN page being decompressed as its rows are asked for (instead of `values`). */
  private stream: StreamedPage | null = null;
  /** Decode the page at this header offset whole (its stream referred beyond the window). */
  private wholeAt = -1;

  constructor(
    private readonly file: RandomAccessFile,
    private readonly plan: ColumnChunkPlan,
  ) {
    this.next = plan.start;
    this.end = plan.start + plan.length;
  }

  /**
   * Copies the next `count` rows into `target[offset ..]` (NaN for a null), and,
   * when `nullsTarget` is given, 1 there for each null row.
   */
  async read(target: Float64Array, offset: number, count: number, nullsTarget?: Uint8Array): Promise<void> {
    if (this.delivered + count > this.plan.rows) {
      throw new PageError(`asked for rows past the row group's ${this.plan.rows}`);
    }
    let done = 0;
    while (done < count) {
      if (this.stream !== null) {
        done += await this.readStreamed(this.stream, target, offset + done, count - done, nullsTarget);
        continue;
      }
      if (this.at >= this.values.length) {
        await this.loadPage();
        continue;
      }
      const take = Math.min(count - done, this.values.length - this.at);
      target.set(this.values.subarray(this.at, this.at + take), offset + done);
      if (nullsTarget !== undefined) {
        if (this.nulls === null) nullsTarget.fill(0, offset + done, offset + done + take);
        else nullsTarget.set(this.nulls.subarray(this.at, this.at + take), offset + done);
      }
      this.at += take;
      done += take;
    }
    this.delivered += count;
  }

  /** Up to `want` rows of a streamed page; returns how many were copied. */
  private async readStreamed(page: StreamedPage, target: Float64Array, at: number, want: number, nullsTarget?: Uint8Array): Promise<number> {
    const take = Math.min(want, page.rows - page.rowAt);
    let present = take;
    if (page.defs !== null) {
      present = 0;
      for (let i = page.rowAt; i < page.rowAt + take; i++) present += (page.defs[i] ?? 0);
    }
    let bytes: Uint8Array;
    try {
      bytes = await page.bytes.read(present * WIDTH[this.plan.physical]);
    } catch (err) {
      if (!(err instanceof SnappyWindowError)) throw err;
      // Decode this page whole, and go on from the same row.
      this.stream = null;
      this.wholeAt = page.headerAt;
      this.next = page.headerAt;
      const skip = page.rowAt;
      await this.loadPage();
      this.at = skip;
      return 0;
    }
    const defs = page.defs;
    if (present === take || defs === null) {
      decodePlainInto(bytes, present, this.plan.physical, target, at);
      if (nullsTarget !== undefined) nullsTarget.fill(0, at, at + take);
    } else {
      const vals = decodePlain(bytes, 0, present, this.plan.physical);
      let k = 0;
      for (let i = 0; i < take; i++) {
        const isNull = defs[page.rowAt + i] === 0;
        target[at + i] = isNull ? NaN : (vals[k++] ?? NaN);
        if (nullsTarget !== undefined) nullsTarget[at + i] = isNull ? 1 : 0;
      }
    }
    page.rowAt += take;
    if (page.rowAt === page.rows) this.stream = null;
    return take;
  }

  /** Whether a data page of this encoding can be decompressed as it is read (PLAIN, raw or Snappy). */
  private streamable(headerAt: number, encoding: number, compressed: boolean): boolean {
    return headerAt !== this.wholeAt && encoding === ENC_PLAIN && (!compressed || this.plan.codec === 'UNCOMPRESSED' || this.plan.codec === 'SNAPPY');
  }

  private bodyStream(start: number, length: number, uncompressedLength: number, compressed: boolean): PageByteStream {
    return compressed && this.plan.codec === 'SNAPPY'
      ? snappyPageStream(this.file, start, length, uncompressedLength)
      : rawPageStream(this.file, start, length);
  }

  /** Reads pages until a data page is decoded (dictionary pages are kept on the way). */
  private async loadPage(): Promise<void> {
    for (;;) {
      if (this.next >= this.end) throw new PageError(`the column chunk ended after ${this.delivered + this.at} of ${this.plan.rows} rows`);
      const headerAt = this.next;
      const { header, headerLength } = await this.readHeader();
      const type = i32Field(header, 1);
      const uncompressedSize = i32Field(header, 2);
      const compressedSize = i32Field(header, 3);
      if (type === undefined || uncompressedSize === undefined || compressedSize === undefined || uncompressedSize < 0 || compressedSize < 0) {
        throw new PageError('a page header lacks its type or sizes');
      }
      // No page of this row group can decode to more than its rows' PLAIN size (plus levels and slack):
      // a header saying otherwise is corrupt, and is not allowed to make us allocate gigabytes.
      if (uncompressedSize > this.plan.rows * 9 + (1 << 20)) {
        throw new PageError(`a page header says ${uncompressedSize} bytes, more than ${this.plan.rows} rows can hold`);
      }
      const bodyStart = this.next + headerLength;
      if (bodyStart + compressedSize > this.end) throw new PageError('a page runs past the end of its column chunk');
      this.next = bodyStart + compressedSize;
      if (type === PAGE_DICTIONARY) {
        const dict = structField(header, 7);
        const n = dict === undefined ? undefined : i32Field(dict, 1);
        const enc = dict === undefined ? undefined : i32Field(dict, 2);
        if (n === undefined || (enc !== ENC_PLAIN && enc !== ENC_PLAIN_DICTIONARY)) throw new PageError('unsupported dictionary page');
        const body = this.decompress(await this.file.read(bodyStart, compressedSize), uncompressedSize);
        this.dictionary = decodePlain(body, 0, n, this.plan.physical);
        continue;
      }
      if (type === PAGE_DATA) {
        const h = structField(header, 5);
        const n = h === undefined ? undefined : i32Field(h, 1);
        const enc = h === undefined ? undefined : i32Field(h, 2);
        const defEnc = h === undefined ? undefined : i32Field(h, 3);
        if (n === undefined || enc === undefined) throw new PageError('a data page header lacks its value count or encoding');
        if (this.streamable(headerAt, enc, true)) {
          const bytes = this.bodyStream(bodyStart, compressedSize, uncompressedSize, true);
          let defs: Uint32Array | null = null;
          if (this.plan.optional) {
            if (defEnc !== ENC_RLE) throw new PageError(`unsupported definition level encoding ${String(defEnc)}`);
            const lenBytes = await bytes.read(4);
            const len = ((lenBytes[0] ?? 0) | ((lenBytes[1] ?? 0) << 8) | ((lenBytes[2] ?? 0) << 16)) + (lenBytes[3] ?? 0) * 0x1000000;
            if (4 + len > uncompressedSize) throw new PageError('definition levels run past the page');
            defs = decodeDefLevels(await bytes.read(len), 0, len, n);
          }
          this.stream = { bytes, rows: n, defs, rowAt: 0, headerAt };
          return;
        }
        const body = this.decompress(await this.file.read(bodyStart, compressedSize), uncompressedSize);
        let pos = 0;
        let defs: Uint32Array | null = null;
        if (this.plan.optional) {
          if (defEnc !== ENC_RLE) throw new PageError(`unsupported definition level encoding ${String(defEnc)}`);
          if (body.length < 4) throw new PageError('a data page ends inside its definition levels');
          const len = ((body[0] ?? 0) | ((body[1] ?? 0) << 8) | ((body[2] ?? 0) << 16)) + (body[3] ?? 0) * 0x1000000;
          if (4 + len > body.length) throw new PageError('definition levels run past the page');
          defs = decodeDefLevels(body, 4, 4 + len, n);
          pos = 4 + len;
        }
        this.setPage(body, pos, body.length, n, enc, defs);
        return;
      }
      if (type === PAGE_DATA_V2) {
        const h = structField(header, 8);
        const n = h === undefined ? undefined : i32Field(h, 1);
        const enc = h === undefined ? undefined : i32Field(h, 4);
        const defLen = h === undefined ? undefined : i32Field(h, 5);
        const repLen = h === undefined ? undefined : i32Field(h, 6);
        const compressed = h === undefined ? true : (boolField(h, 7) ?? true);
        if (n === undefined || enc === undefined || defLen === undefined || repLen === undefined || defLen < 0 || repLen !== 0) {
          throw new PageError('unsupported or incomplete data page v2 header');
        }
        if (defLen > compressedSize) throw new PageError('definition levels run past the page');
        if (this.streamable(headerAt, enc, compressed)) {
          let defs: Uint32Array | null = null;
          if (this.plan.optional) {
            defs = decodeDefLevels(await this.file.read(bodyStart, defLen), 0, defLen, n);
          } else if (defLen !== 0) {
            throw new PageError('a REQUIRED column has definition levels');
          }
          const bytes = this.bodyStream(bodyStart + defLen, compressedSize - defLen, uncompressedSize - defLen, compressed);
          this.stream = { bytes, rows: n, defs, rowAt: 0, headerAt };
          return;
        }
        const raw = await this.file.read(bodyStart, compressedSize);
        let defs: Uint32Array | null = null;
        if (this.plan.optional) {
          defs = decodeDefLevels(raw, 0, defLen, n);
        } else if (defLen !== 0) {
          throw new PageError('a REQUIRED column has definition levels');
        }
        const valueBytes = raw.subarray(defLen);
        const body = compressed ? this.decompress(valueBytes, uncompressedSize - defLen) : valueBytes;
        this.setPage(body, 0, body.length, n, enc, defs);
        return;
      }
      // Index pages and anything newer: skipped, as readers do.
    }
  }

  private setPage(body: Uint8Array, pos: number, end: number, rows: number, encoding: number, defs: Uint32Array | null): void {
    let present = rows;
    if (defs !== null) present = checkLevels(defs);
    let vals: Float64Array;
    if (encoding === ENC_PLAIN) {
      vals = decodePlain(body.subarray(0, end), pos, present, this.plan.physical);
    } else if (encoding === ENC_RLE_DICTIONARY || encoding === ENC_PLAIN_DICTIONARY) {
      const dict = this.dictionary;
      if (dict === null) throw new PageError('a dictionary-encoded page without a dictionary page');
      vals = new Float64Array(present);
      if (present > 0) {
        if (pos >= end) throw new PageError('a dictionary-encoded page without its bit width');
        const width = (body[pos] ?? 0);
        const idx = new Uint32Array(present);
        decodeRleHybrid(body, pos + 1, end, width, present, idx);
        for (let i = 0; i < present; i++) {
          const k = (idx[i] ?? 0);
          if (k >= dict.length) throw new PageError(`dictionary index ${k} past the dictionary's ${dict.length} values`);
          vals[i] = (dict[k] ?? NaN);
        }
      }
    } else if (encoding === ENC_DELTA_BINARY_PACKED) {
      vals = decodeDeltaBinaryPacked(body, pos, end, present, this.plan.physical);
    } else if (encoding === ENC_BYTE_STREAM_SPLIT) {
      vals = decodeByteStreamSplit(body, pos, end, present, this.plan.physical);
    } else {
      throw new PageError(`unsupported value encoding ${encoding}`);
    }
    if (defs === null || present === rows) {
      this.values = vals;
      this.nulls = null;
    } else {
      const out = new Float64Array(rows);
      const nulls = new Uint8Array(rows);
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (defs[i] === 1) out[i] = (vals[k++] ?? NaN);
        else {
          out[i] = NaN;
          nulls[i] = 1;
        }
      }
      this.values = out;
      this.nulls = nulls;
    }
    this.at = 0;
  }

  private decompress(bytes: Uint8Array, size: number): Uint8Array {
    switch (this.plan.codec) {
      case 'UNCOMPRESSED':
        if (bytes.length !== size) throw new PageError(`an uncompressed page of ${bytes.length} bytes says ${size}`);
        return bytes;
      case 'SNAPPY':
        return snappyUncompress(bytes, size);
      case 'ZSTD': {
        let out: Uint8Array;
        try {
          out = zstdDecompress(bytes, new Uint8Array(size));
        } catch (err) {
          throw new PageError(`zstd: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        if (out.length !== size) throw new PageError(`a zstd page inflated to ${out.length} bytes, its header says ${size}`);
        return out;
      }
      case 'GZIP': {
        let out: Buffer;
        try {
          out = gunzipSync(bytes, { maxOutputLength: Math.max(size, 1) });
        } catch (err) {
          throw new PageError(`gzip: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        if (out.length !== size) throw new PageError(`a gzip page inflated to ${out.length} bytes, its header says ${size}`);
        return new Uint8Array(out.buffer, out.byteOffset, out.length);
      }
    }
  }

  /** Reads and parses the page header at `next`, reading more bytes when a long header needs them. */
  private async readHeader(): Promise<{ header: ThriftStruct; headerLength: number }> {
    let want = 256;
    for (;;) {
      const len = Math.min(want, this.end - this.next);
      const bytes = await this.file.read(this.next, len);
      const reader = new ThriftReader(bytes);
      try {
        const header = reader.struct();
        return { header, headerLength: reader.pos };
      } catch (err) {
        if (!(err instanceof ThriftOutOfData) || len >= this.end - this.next || want >= 1 << 24) {
          throw new PageError(`unreadable page header (${err instanceof Error ? err.message : String(err)})`);
        }
        want *= 16;
      }
    }
  }
}

/** `n` PLAIN values from the start of `bytes`, written as doubles into `target[at ..]` without a temporary array. */
export function decodePlainInto(bytes: Uint8Array, n: number, physical: PhysicalType, target: Float64Array, at: number): void {
  const width = WIDTH[physical];
  if (n * width > bytes.length) throw new PageError(`${n} ${physical} values need ${n * width} bytes, the page has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * width);
  switch (physical) {
    case 'DOUBLE':
      if (bytes.byteOffset % 8 === 0) target.set(new Float64Array(bytes.buffer, bytes.byteOffset, n), at);
      else for (let i = 0; i < n; i++) target[at + i] = view.getFloat64(i * 8, true);
      return;
    case 'FLOAT':
      for (let i = 0; i < n; i++) target[at + i] = view.getFloat32(i * 4, true);
      return;
    case 'INT32':
      for (let i = 0; i < n; i++) target[at + i] = view.getInt32(i * 4, true);
      return;
    case 'INT64':
      for (let i = 0; i < n; i++) {
        const lo = view.getUint32(i * 8, true);
        const hi = view.getInt32(i * 8 + 4, true);
        target[at + i] = hi >= -0x200000 && hi < 0x200000 ? hi * 4294967296 + lo : Number(view.getBigInt64(i * 8, true));
      }
      return;
  }
}

/**
 * Definition levels of a flat OPTIONAL column: null when every row is present (one
 * RLE run of 1s, how writers store a column without NULLs), else the checked levels.
 */
function decodeDefLevels(bytes: Uint8Array, start: number, end: number, n: number): Uint32Array | null {
  if (n === 0) return null;
  let pos = start;
  let header = 0;
  let mul = 1;
  while (pos < end && mul <= 2 ** 35) {
    const b = (bytes[pos++] ?? 0);
    header += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (header % 2 === 0 && header / 2 >= n && pos < end && bytes[pos] === 1) return null;
      break;
    }
    mul *= 128;
  }
  const defs = new Uint32Array(n);
  decodeRleHybrid(bytes, start, end, 1, n, defs);
  checkLevels(defs);
  return defs;
}

/** Checks that every definition level is 0 or 1 (a flat column) and returns how many are 1. */
function checkLevels(defs: Uint32Array): number {
  let present = 0;
  for (let i = 0; i < defs.length; i++) {
    const d = (defs[i] ?? 0);
    if (d > 1) throw new PageError(`definition level ${d} in a flat column`);
    present += d;
  }
  return present;
}

interface StreamedPage {
  readonly bytes: PageByteStream;
  readonly rows: number;
  readonly defs: Uint32Array | null;
  rowAt: number;
  /** File offset of the page header (to decode the page whole instead). */
  readonly headerAt: number;
}

/** `n` PLAIN values from `bytes[pos ..]` as a new array of doubles (INT64 exactly where a double can hold it, else rounded). */
export function decodePlain(bytes: Uint8Array, pos: number, n: number, physical: PhysicalType): Float64Array {
  const out = new Float64Array(n);
  decodePlainInto(bytes.subarray(pos), n, physical, out, 0);
  return out;
}
