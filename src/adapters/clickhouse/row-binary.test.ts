import { describe, expect, it } from 'vitest';
import type { ColumnarInsert } from './clickhouse-gateway.js';
import { encodeRowBinary, varint } from './row-binary.js';

const f64 = (v: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
};
const u32 = (v: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return [...b];
};
const i64 = (v: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return [...b];
};

describe('varint', () => {
  it('encodes unsigned LEB128', () => {
    expect([...varint(0)]).toEqual([0]);
    expect([...varint(127)]).toEqual([127]);
    expect([...varint(128)]).toEqual([0x80, 0x01]);
    expect([...varint(300)]).toEqual([0xac, 0x02]);
    expect([...varint(2 ** 21)]).toEqual([0x80, 0x80, 0x80, 0x01]);
  });
});

describe('encodeRowBinary', () => {
  it('encodes constants, floats, DateTime, Int64 with fallback and Nullable columns byte for byte', () => {
    const open = new Float64Array([1_700_000_000_000, 1_700_000_060_000]);
    const close = new Float64Array([1_700_000_059_999, NaN]);
    const price = new Float64Array([0.1 + 0.2, -1.5]);
    const quote = new Float64Array([NaN, 2.25]);
    const trades = new Float64Array([2 ** 40 + 3, NaN]);
    const insert: ColumnarInsert = {
      table: 'db.t',
      rows: 2,
      columns: [
        { name: 'market_id', type: 'UInt8', source: { kind: 'constant', value: 4 } },
        { name: 'symbol', type: 'String', source: { kind: 'constant', value: 'BTCÜ' } },
        { name: 'open_time', type: 'DateTime', source: { kind: 'values', values: open } },
        { name: 'price', type: 'Float64', source: { kind: 'values', values: price } },
        { name: 'close_time', type: 'Int64', source: { kind: 'values-or-offset', values: close, base: open, offset: 59_999 } },
        { name: 'quote', type: 'Nullable(Float64)', source: { kind: 'values', values: quote } },
        { name: 'trades', type: 'Nullable(UInt64)', source: { kind: 'values', values: trades } },
        { name: 'taker', type: 'Nullable(Float64)', source: { kind: 'null' } },
        { name: 'ingested_at', type: 'DateTime', source: { kind: 'constant', value: 1_717_243_200_999 } },
      ],
    };
    const symbol = [5, ...Buffer.from('BTCÜ', 'utf8')];
    const row0 = [
      4,
      ...symbol,
      ...u32(1_700_000_000),
      ...f64(0.1 + 0.2),
      ...i64(1_700_000_059_999n),
      1,
      0,
      ...i64(2n ** 40n + 3n),
      1,
      ...u32(1_717_243_200),
    ];
    const row1 = [4, ...symbol, ...u32(1_700_000_060), ...f64(-1.5), ...i64(1_700_000_119_999n), 0, ...f64(2.25), 1, 1, ...u32(1_717_243_200)];
    const out = encodeRowBinary(insert);
    expect(out.length).toBe(row0.length + row1.length);
    expect([...out]).toEqual([...row0, ...row1]);
  });

  it('uses open + offset for every row when the optional column is absent, and negative Int64 in two’s complement', () => {
    const open = new Float64Array([60_000, 120_000]);
    const out = encodeRowBinary({
      table: 'db.t',
      rows: 2,
      columns: [
        { name: 'c', type: 'Int64', source: { kind: 'values-or-offset', values: null, base: open, offset: 59_999 } },
        { name: 'n', type: 'Int64', source: { kind: 'values', values: new Float64Array([-2, 5]) } },
      ],
    });
    expect([...out]).toEqual([...i64(119_999n), ...i64(-2n), ...i64(179_999n), ...i64(5n)]);
  });

  it('encodes only the first `rows` entries and nothing for zero rows', () => {
    const v = new Float64Array([1, 2, 3]);
    const cols = [{ name: 'v', type: 'Float64', source: { kind: 'values', values: v } }] as const;
    expect(encodeRowBinary({ table: 'db.t', rows: 2, columns: cols }).length).toBe(16);
    expect(encodeRowBinary({ table: 'db.t', rows: 0, columns: cols }).length).toBe(0);
  });

  it('refuses NULL for a non-Nullable type', () => {
    expect(() => encodeRowBinary({ table: 'db.t', rows: 1, columns: [{ name: 'x', type: 'Float64', source: { kind: 'null' } }] })).toThrow(
      /non-Nullable/,
    );
  });
});
