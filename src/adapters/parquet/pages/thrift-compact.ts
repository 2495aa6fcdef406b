/**
 * Just enough of Thrift's compact protocol to read a Parquet `PageHeader`:
 * a struct becomes a map of field id to value (nested structs as maps; lists,
 * sets, maps and binaries are skipped or kept as bytes). Throws
 * `ThriftOutOfData` when the buffer ends before the struct does, so the
 * caller can read more bytes and try again.
 */

/** Bytes that are not a Thrift compact struct. */
export class ThriftError extends Error {
  override readonly name: string = 'ThriftError';
}

export class ThriftOutOfData extends ThriftError {
  override readonly name = 'ThriftOutOfData';
  constructor() {
    super('thrift: the buffer ended inside the struct');
  }
}

export type ThriftValue = number | boolean | Uint8Array | ThriftStruct | null;
export type ThriftStruct = Map<number, ThriftValue>;

const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** A cursor over bytes; `pos` is where the next read starts. */
export class ThriftReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new ThriftOutOfData();
    return (this.bytes[this.pos++] ?? 0);
  }

  /** Unsigned varint (up to 2^53, which is all a page header holds). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ThriftError('thrift: varint longer than 10 bytes');
  }

  zigzag(): number {
    const n = this.varint();
    // n is below 2^53: undo zigzag without 32-bit operators.
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** Reads one struct (after its opening, up to and including its STOP). */
  struct(depth = 0): ThriftStruct {
    if (depth > 16) throw new ThriftError('thrift: structs nested too deep');
    const out: ThriftStruct = new Map();
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === STOP) return out;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag() : lastId + delta;
      lastId = id;
      out.set(id, this.value(type, depth));
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case TRUE:
        return true;
      case FALSE:
        return false;
      case BYTE:
        return this.byte();
      case I16:
      case I32:
      case I64:
        return this.zigzag();
      case DOUBLE:
        this.skip(8);
        return null;
      case BINARY: {
        const n = this.varint();
        const start = this.pos;
        this.skip(n);
        return this.bytes.subarray(start, start + n);
      }
      case LIST:
      case SET: {
        const h = this.byte();
        const size = (h >> 4) === 15 ? this.varint() : h >> 4;
        const elem = h & 0x0f;
        for (let i = 0; i < size; i++) this.element(elem, depth);
        return null;
      }
      case MAP: {
        const size = this.varint();
        if (size > 0) {
          const kv = this.byte();
          for (let i = 0; i < size; i++) {
            this.element(kv >> 4, depth);
            this.element(kv & 0x0f, depth);
          }
        }
        return null;
      }
      case STRUCT:
        return this.struct(depth + 1);
      default:
        throw new ThriftError(`thrift: unknown field type ${type}`);
    }
  }

  /** A list/set/map element: booleans are one byte there, not part of a field header. */
  private element(type: number, depth: number): void {
    if (type === TRUE || type === FALSE) this.byte();
    else this.value(type, depth);
  }

  private skip(n: number): void {
    if (this.pos + n > this.bytes.length) throw new ThriftOutOfData();
    this.pos += n;
  }
}

export function i32Field(s: ThriftStruct, id: number): number | undefined {
  const v = s.get(id);
  return typeof v === 'number' ? v : undefined;
}

export function structField(s: ThriftStruct, id: number): ThriftStruct | undefined {
  const v = s.get(id);
  return v instanceof Map ? v : undefined;
}

export function boolField(s: ThriftStruct, id: number): boolean | undefined {
  const v = s.get(id);
  return typeof v === 'boolean' ? v : undefined;
}
