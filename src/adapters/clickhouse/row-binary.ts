import type { ColumnarInsert, InsertColumn } from './clickhouse-gateway.js';

/**
 * Encodes a columnar insert as ClickHouse RowBinary, straight from the typed
 * arrays into one Buffer: UInt8 1 byte, Int64/UInt64 8 bytes LE, Float64 8
 * bytes LE, DateTime UInt32 LE seconds, String varint length + UTF-8 bytes,
 * Nullable a flag byte (1 = NULL) followed by the value when not NULL.
 *
 * Values are expected to be valid already (integers where integers are stored,
 * DateTime within 1970..2106); the encoder does not re-check them.
 */
export function encodeRowBinary(insert: ColumnarInsert): Buffer {
  const plan = insert.columns.map(planColumn);
  const rowMax = plan.reduce((n, p) => n + p.maxBytes, 0);
  const buf = Buffer.allocUnsafe(rowMax * insert.rows);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 0;
  for (let i = 0; i < insert.rows; i++) {
    for (const p of plan) {
      switch (p.op) {
        case Op.Bytes:
          buf.set(p.bytes, o);
          o += p.bytes.length;
          break;
        case Op.Float64:
          dv.setFloat64(o, p.values[i] ?? NaN, true);
          o += 8;
          break;
        case Op.NullableFloat64: {
          const v = p.values[i] ?? NaN;
          if (Number.isNaN(v)) {
            buf[o++] = 1;
          } else {
            buf[o++] = 0;
            dv.setFloat64(o, v, true);
            o += 8;
          }
          break;
        }
        case Op.NullableUInt64: {
          const v = p.values[i] ?? NaN;
          if (Number.isNaN(v)) {
            buf[o++] = 1;
          } else {
            buf[o++] = 0;
            writeInt64(dv, o, v);
            o += 8;
          }
          break;
        }
        case Op.Int64:
          writeInt64(dv, o, p.values[i] ?? NaN);
          o += 8;
          break;
        case Op.Int64OrOffset: {
          const v = p.values === null ? NaN : (p.values[i] ?? NaN);
          writeInt64(dv, o, Number.isNaN(v) ? (p.base[i] ?? NaN) + p.offset : v);
          o += 8;
          break;
        }
        case Op.DateTimeMs:
          dv.setUint32(o, Math.floor((p.values[i] ?? NaN) / 1000), true);
          o += 4;
          break;
        case Op.UInt8:
          buf[o++] = p.values[i] ?? 0;
          break;
      }
    }
  }
  return buf.subarray(0, o);
}

/** Unsigned LEB128, as RowBinary prefixes strings. */
export function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Uint8Array.from(out);
}

const TWO_32 = 4294967296;

/** Writes an integral float64 as a 64-bit little-endian two's complement integer. */
function writeInt64(dv: DataView, o: number, v: number): void {
  if (v >= 0) {
    dv.setUint32(o, v % TWO_32, true);
    dv.setUint32(o + 4, Math.floor(v / TWO_32), true);
  } else {
    dv.setBigInt64(o, BigInt(Math.trunc(v)), true);
  }
}

const enum Op {
  Bytes,
  Float64,
  NullableFloat64,
  NullableUInt64,
  Int64,
  Int64OrOffset,
  DateTimeMs,
  UInt8,
}

type Plan =
  | { readonly op: Op.Bytes; readonly bytes: Uint8Array; readonly maxBytes: number }
  | { readonly op: Op.Float64 | Op.NullableFloat64 | Op.NullableUInt64 | Op.Int64 | Op.DateTimeMs | Op.UInt8; readonly values: Float64Array; readonly maxBytes: number }
  | { readonly op: Op.Int64OrOffset; readonly values: Float64Array | null; readonly base: Float64Array; readonly offset: number; readonly maxBytes: number };

function constantBytes(column: InsertColumn, value: number | string | bigint): Uint8Array {
  const dv = (n: number): DataView => new DataView(new ArrayBuffer(n));
  switch (column.type) {
    case 'String': {
      const utf8 = Buffer.from(String(value), 'utf8');
      const len = varint(utf8.length);
      const out = new Uint8Array(len.length + utf8.length);
      out.set(len, 0);
      out.set(utf8, len.length);
      return out;
    }
    case 'UInt8':
      return Uint8Array.of(Number(value));
    case 'DateTime': {
      const d = dv(4);
      d.setUint32(0, Math.floor(Number(value) / 1000), true);
      return new Uint8Array(d.buffer);
    }
    case 'Float64': {
      const d = dv(8);
      d.setFloat64(0, Number(value), true);
      return new Uint8Array(d.buffer);
    }
    case 'Int64':
    case 'UInt64': {
      const d = dv(8);
      if (typeof value !== 'bigint') writeInt64(d, 0, Number(value));
      else if (column.type === 'UInt64') d.setBigUint64(0, value, true);
      else d.setBigInt64(0, value, true);
      return new Uint8Array(d.buffer);
    }
    case 'Nullable(Float64)': {
      const d = dv(9);
      d.setFloat64(1, Number(value), true);
      return new Uint8Array(d.buffer);
    }
    case 'Nullable(UInt64)': {
      const d = dv(9);
      writeInt64(d, 1, Number(value));
      return new Uint8Array(d.buffer);
    }
  }
}

function planColumn(column: InsertColumn): Plan {
  const s = column.source;
  const t = column.type;
  switch (s.kind) {
    case 'constant': {
      const bytes = constantBytes(column, s.value);
      return { op: Op.Bytes, bytes, maxBytes: bytes.length };
    }
    case 'null':
      if (!t.startsWith('Nullable(')) throw new TypeError(`column ${column.name}: NULL for non-Nullable type ${t}`);
      return { op: Op.Bytes, bytes: Uint8Array.of(1), maxBytes: 1 };
    case 'values-or-offset':
      if (t !== 'Int64' && t !== 'UInt64') throw new TypeError(`column ${column.name}: values-or-offset needs Int64 or UInt64, not ${t}`);
      return { op: Op.Int64OrOffset, values: s.values, base: s.base, offset: s.offset, maxBytes: 8 };
    case 'values':
      switch (t) {
        case 'Float64':
          return { op: Op.Float64, values: s.values, maxBytes: 8 };
        case 'Nullable(Float64)':
          return { op: Op.NullableFloat64, values: s.values, maxBytes: 9 };
        case 'Nullable(UInt64)':
          return { op: Op.NullableUInt64, values: s.values, maxBytes: 9 };
        case 'Int64':
        case 'UInt64':
          return { op: Op.Int64, values: s.values, maxBytes: 8 };
        case 'DateTime':
          return { op: Op.DateTimeMs, values: s.values, maxBytes: 4 };
        case 'UInt8':
          return { op: Op.UInt8, values: s.values, maxBytes: 1 };
        case 'String':
          throw new TypeError(`column ${column.name}: String columns must be constants`);
      }
  }
}
