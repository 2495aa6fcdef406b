import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTINGS, binanceNumber, bybitNumber, candleAt, candlesIn, hasCandle } from './data.js';

const MIN = 60_000;

describe('fake exchange data', () => {
  it('prints numbers like Binance (8 decimals) and Bybit (shortest)', () => {
    expect(binanceNumber(4_200_001, 2)).toBe('42000.01000000');
    expect(binanceNumber(5, 2)).toBe('0.05000000');
    expect(binanceNumber(123_456, 5)).toBe('1.23456000');
    expect(binanceNumber(1, 8)).toBe('0.00000001');
    expect(bybitNumber(4_200_010, 2)).toBe('42000.1');
    expect(bybitNumber(4_200_000, 2)).toBe('42000');
    expect(bybitNumber(5, 5)).toBe('0.00005');
  });

  it('is a pure function of (market, symbol, minute), well formed', () => {
    const t = Date.UTC(2024, 5, 1, 12, 34);
    expect(candleAt('binance-spot', 'BTCUSDT', t)).toEqual(candleAt('binance-spot', 'BTCUSDT', t + 59_999));
    expect(candleAt('binance-spot', 'BTCUSDT', t).close).not.toBe(candleAt('binance-um', 'BTCUSDT', t).close);
    expect(candleAt('binance-spot', 'BTCUSDT', t).close).not.toBe(candleAt('binance-spot', 'ETHUSDT', t).close);
    for (const c of candlesIn('bybit-linear', 'ETHUSDT', t, t + 600 * MIN)) {
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.low).toBeGreaterThan(0);
      expect(c.takerBuyBase).toBeLessThanOrEqual(c.volume);
      expect(Number.isSafeInteger(c.quoteVolume)).toBe(true);
    }
  });

  it('has no candle before the listing minute nor inside a maintenance window of the venue', () => {
    const listed = DEFAULT_LISTINGS['NEWUSDT']!;
    expect(hasCandle('binance-spot', 'NEWUSDT', listed - MIN)).toBe(false);
    expect(hasCandle('binance-spot', 'NEWUSDT', listed)).toBe(true);
    expect(hasCandle('binance-spot', 'NOPEUSDT', listed)).toBe(false);
    const inBinanceWindow = Date.UTC(2025, 1, 10, 3, 0);
    expect(hasCandle('binance-spot', 'BTCUSDT', inBinanceWindow)).toBe(false);
    expect(hasCandle('binance-um', 'BTCUSDT', inBinanceWindow)).toBe(false);
    expect(hasCandle('bybit-spot', 'BTCUSDT', inBinanceWindow)).toBe(true);
    expect(hasCandle('binance-spot', 'BTCUSDT', Date.UTC(2025, 1, 10, 4, 30))).toBe(true);
    expect(candlesIn('binance-spot', 'BTCUSDT', Date.UTC(2025, 1, 10, 1, 0), Date.UTC(2025, 1, 10, 5, 0))).toHaveLength(241 - 150);
  });
});

describe('fake exchange independence', () => {
  it('imports nothing from barfill (src/ or apps/)', async () => {
    const dir = new URL('.', import.meta.url);
    const offenders: string[] = [];
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.ts')) continue;
      const text = await readFile(new URL(name, dir), 'utf8');
      for (const m of text.matchAll(/from '([^']+)'/g)) {
        if (/(^|\/)(src|apps)\//.test(m[1]!)) offenders.push(`${name}: ${m[1]!}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
