import { describe, expect, it } from 'vitest';
import { dropUpTo, mergeAscending, parseFmpBars } from './parse-bars.js';
import type { BarColumns } from './parse-bars.js';

interface RawBar {
  date: string;
  open: number;
  low: number;
  high: number;
  close: number;
  volume: number;
}

function bar(date: string, close: number): RawBar {
  return { date, open: close - 1, low: close - 2, high: close + 1, close, volume: 100 };
}

function cols(ts: number[]): BarColumns {
  const f = (k: number): Float64Array => Float64Array.from(ts.map((t) => t + k));
  return { timestampMs: Float64Array.from(ts), open: f(1), high: f(2), low: f(3), close: f(4), volume: f(5) };
}

const ms = (iso: string): number => Date.parse(iso);

describe('parseFmpBars', () => {
  it('turns a newest-first answer into ascending UTC columns', () => {
    const body = JSON.stringify([bar('2024-03-11 09:31:00', 11), bar('2024-03-11 09:30:00', 10), bar('2024-03-08 15:59:00', 9)], null, 2);
    const r = parseFmpBars(body, '2024-03-08', '2024-03-11');
    if (!r.ok) throw new Error(r.reason);
    expect(Array.from(r.bars.columns.timestampMs)).toEqual([
      ms('2024-03-08T20:59:00Z'), // EST
      ms('2024-03-11T13:30:00Z'), // EDT
      ms('2024-03-11T13:31:00Z'),
    ]);
    expect(Array.from(r.bars.columns.close)).toEqual([9, 10, 11]);
    expect(Array.from(r.bars.columns.open)).toEqual([8, 9, 10]);
    expect(Array.from(r.bars.columns.low)).toEqual([7, 8, 9]);
    expect(Array.from(r.bars.columns.high)).toEqual([10, 11, 12]);
    expect(r.bars.rowCount).toBe(3);
    expect(r.bars.oldestDate).toBe('2024-03-08');
  });

  it('yields every bar once, ascending, from a shuffled answer with duplicates', () => {
    const dates = ['2024-01-02 09:30:00', '2024-01-02 09:31:00', '2024-01-02 09:32:00', '2024-01-02 09:33:00'];
    const rows = [bar(dates[2]!, 3), bar(dates[0]!, 1), bar(dates[3]!, 4), bar(dates[0]!, 1), bar(dates[1]!, 2), bar(dates[2]!, 99)];
    const r = parseFmpBars(JSON.stringify(rows), '2024-01-02', '2024-01-02');
    if (!r.ok) throw new Error(r.reason);
    expect(Array.from(r.bars.columns.close)).toEqual([1, 2, 3, 4]);
    expect(r.bars.duplicates).toBe(2);
    expect(r.bars.conflicts).toBe(1);
    const ts = Array.from(r.bars.columns.timestampMs);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('drops bars dated outside the window', () => {
    const rows = [bar('2024-01-04 09:30:00', 3), bar('2024-01-03 09:30:00', 2), bar('2024-01-02 09:30:00', 1)];
    const r = parseFmpBars(JSON.stringify(rows), '2024-01-03', '2024-01-03');
    if (!r.ok) throw new Error(r.reason);
    expect(Array.from(r.bars.columns.close)).toEqual([2]);
    expect(r.bars.outsideWindow).toBe(2);
    expect(r.bars.oldestDate).toBe('2024-01-02');
  });

  it('reads [] as an empty answer', () => {
    const r = parseFmpBars('[ ]', '2024-01-01', '2024-01-05');
    expect(r.ok && r.bars.rowCount === 0 && r.bars.oldestDate === undefined).toBe(true);
  });

  it('rejects malformed answers with a reason', () => {
    const good = bar('2024-01-02 09:30:00', 1);
    const cases: [string, RegExp][] = [
      ['[{"date": "2024-01-02 09:30:00", "open": 1', /not valid JSON/],
      ['{"Error Message": "x"}', /got an object/],
      ['<html></html>', /not valid JSON/],
      [JSON.stringify([good, 5]), /element 1 is a number/],
      [JSON.stringify([{ ...good, date: '2024-01-02T09:30:00' }]), /no valid date/],
      [JSON.stringify([{ ...good, date: 20240102 }]), /no valid date/],
      [JSON.stringify([{ ...good, open: null }]), /not a finite number/],
      [JSON.stringify([{ ...good, volume: '100' }]), /not a finite number/],
      [JSON.stringify([{ date: good.date, open: 1, high: 1, low: 1, close: 1 }]), /not a finite number/],
    ];
    for (const [body, why] of cases) {
      const r = parseFmpBars(body, '2024-01-01', '2024-01-05');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(why);
    }
  });
});

describe('column helpers', () => {
  it('mergeAscending keeps each timestamp once, the first set winning ties', () => {
    const a = cols([1, 2, 3, 10]);
    const b = cols([3, 4, 10, 11]);
    b.close[0] = -1;
    const m = mergeAscending(a, b);
    expect(Array.from(m.timestampMs)).toEqual([1, 2, 3, 4, 10, 11]);
    expect(m.close[2]).toBe(7); // a's bar at 3
    expect(mergeAscending(cols([]), b)).toBe(b);
    expect(mergeAscending(a, cols([]))).toBe(a);
  });

  it('dropUpTo keeps bars strictly after a time', () => {
    expect(Array.from(dropUpTo(cols([1, 2, 3]), 2).timestampMs)).toEqual([3]);
    expect(Array.from(dropUpTo(cols([1, 2, 3]), Number.NEGATIVE_INFINITY).timestampMs)).toEqual([1, 2, 3]);
  });
});
