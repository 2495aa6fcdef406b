import { describe, expect, it } from 'vitest';
import { InstrumentId, parseMarketId, parseSymbol } from './instrument-id.js';
import { TimeRange, parseIsoUtc, isoUtc } from './time-range.js';
import { parseDdmmyy, parseDateRange } from './calendar-date.js';
import { parseTicker, parseTickers } from './ticker.js';
import { MarketMap } from './market-map.js';
import { UsageError } from './errors.js';
import { FixedClock } from './clock.js';

describe('InstrumentId', () => {
  it('accepts markets 1..4 and upper-cases the symbol', () => {
    const id = InstrumentId.of(4, 'btcusdt');
    expect(id.marketId).toBe(4);
    expect(id.symbol).toBe('BTCUSDT');
    expect(id.toString()).toBe('4:BTCUSDT');
  });
  it.each([0, 5, -1, 1.5])('rejects market id %s', (m) => {
    expect(() => parseMarketId(m)).toThrow(UsageError);
  });
  it('rejects symbols with SQL or spaces', () => {
    expect(() => parseSymbol("BTC'; DROP TABLE x")).toThrow(/--symbol/);
    expect(() => parseSymbol('')).toThrow(UsageError);
    expect(() => parseSymbol('A'.repeat(33))).toThrow(UsageError);
  });
});

describe('TimeRange', () => {
  it('parses Z and offsets to UTC, half-open', () => {
    const r = TimeRange.parse('2024-01-01T00:00:00Z', '2024-01-01T03:00:00+02:00');
    expect(r.startMs).toBe(Date.UTC(2024, 0, 1));
    expect(r.endMs).toBe(Date.UTC(2024, 0, 1, 1));
    expect(r.contains(r.startMs)).toBe(true);
    expect(r.contains(r.endMs)).toBe(false);
    expect(r.toString()).toBe('[2024-01-01T00:00:00Z, 2024-01-01T01:00:00Z)');
  });
  it('refuses naive times, bad dates and empty ranges', () => {
    expect(() => parseIsoUtc('2024-01-01T00:00:00', '--start')).toThrow(/timezone-aware/);
    expect(() => parseIsoUtc('2024-02-30T00:00:00Z', '--start')).toThrow(/not a valid/);
    expect(() => TimeRange.parse('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z')).toThrow(/before/);
    expect(() => TimeRange.parse('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')).toThrow(UsageError);
  });
  it('formats without milliseconds when whole', () => {
    expect(isoUtc(Date.UTC(2024, 2, 10, 7, 30))).toBe('2024-03-10T07:30:00Z');
    expect(isoUtc(Date.UTC(2024, 2, 10, 7, 30, 0, 5))).toBe('2024-03-10T07:30:00.005Z');
  });
});

describe('DDMMYY', () => {
  it('parses the seed example', () => {
    expect(parseDdmmyy('040325', '--start')).toBe('2025-03-04');
    expect(parseDdmmyy('311299', '--end')).toBe('1999-12-31');
  });
  it('refuses invalid dates and order', () => {
    expect(() => parseDdmmyy('310225', '--start')).toThrow(/not a valid date/);
    expect(() => parseDdmmyy('2025-01-01', '--start')).toThrow(/DDMMYY/);
    expect(() => parseDateRange('050125', '010125')).toThrow(/after --end/);
    expect(parseDateRange('010125', '010125')).toEqual({ from: '2025-01-01', to: '2025-01-01' });
  });
});

describe('tickers', () => {
  it('validates and upper-cases', () => {
    expect(parseTicker('brk.b')).toBe('BRK.B');
    expect(parseTicker('^gspc')).toBe('^GSPC');
    expect(parseTickers(['aapl', 'MSFT', 'AAPL'])).toEqual(['AAPL', 'MSFT']);
  });
  it('names a bad ticker', () => {
    expect(() => parseTickers(['AAPL', 'BAD TICKER'])).toThrow(/BAD TICKER/);
    expect(() => parseTicker('A'.repeat(16))).toThrow(UsageError);
    expect(() => parseTicker("X'OR'1")).toThrow(UsageError);
  });
});

describe('MarketMap', () => {
  it('builds canonical keys', () => {
    const m = new MarketMap([{ marketId: 4, venue: 'bybit', marketType: 'linear' }]);
    expect(m.instrumentKey(InstrumentId.of(4, 'BTCUSDT'))).toBe('bybit:linear:BTCUSDT');
    expect(m.instrumentKey(InstrumentId.of(1, 'BTCUSDT'))).toBeUndefined();
  });
});

describe('FixedClock', () => {
  it('advances wall and monotonic time together', () => {
    const c = new FixedClock(1000);
    c.advance(500);
    expect(c.now()).toBe(1500);
    expect(c.monotonic()).toBe(500);
  });
});
