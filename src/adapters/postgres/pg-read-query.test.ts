import { describe, expect, it } from 'vitest';
import { pgTextValue } from './pg-read-query.js';

describe('pgTextValue', () => {
  it('integers exact in a double as numbers, larger ones as strings', () => {
    expect(pgTextValue('42', 20)).toBe(42);
    expect(pgTextValue('-9007199254740991', 20)).toBe(-9007199254740991);
    expect(pgTextValue('9223372036854775807', 20)).toBe('9223372036854775807');
    expect(pgTextValue('7', 23)).toBe(7);
  });
  it('floats, numerics, booleans, JSON, NULL', () => {
    expect(pgTextValue('1.5', 701)).toBe(1.5);
    expect(pgTextValue('NaN', 701)).toBe('NaN');
    expect(pgTextValue('Infinity', 700)).toBe('Infinity');
    expect(pgTextValue('12.50', 1700)).toBe('12.50');
    expect(pgTextValue('t', 16)).toBe(true);
    expect(pgTextValue('f', 16)).toBe(false);
    expect(pgTextValue('{"a":[1,2]}', 3802)).toEqual({ a: [1, 2] });
    expect(pgTextValue(null, 20)).toBe(null);
  });
  it('timestamptz in UTC as JavaScript writes dates (at least milliseconds, microseconds kept); other text as it is', () => {
    expect(pgTextValue('2024-03-04 14:30:00+00', 1184)).toBe('2024-03-04T14:30:00.000Z');
    expect(pgTextValue('2024-03-04 14:30:00.25+00', 1184)).toBe('2024-03-04T14:30:00.250Z');
    expect(pgTextValue('2024-03-04 14:30:00.123456+00', 1184)).toBe('2024-03-04T14:30:00.123456Z');
    expect(pgTextValue('2024-03-04', 1082)).toBe('2024-03-04');
    expect(pgTextValue('AAPL', 25)).toBe('AAPL');
  });
});
