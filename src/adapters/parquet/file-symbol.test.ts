import { describe, expect, it } from 'vitest';
import { otherSymbolReason, symbolNamedByFile } from './file-symbol.js';

describe('symbolNamedByFile', () => {
  it('reads Binance names, with or without a market prefix, and Bybit names', () => {
    expect(symbolNamedByFile('BTCUSDT-1m-2025-01.parquet')).toBe('BTCUSDT');
    expect(symbolNamedByFile('ETHUSDT-1m-2025-01-31.parquet')).toBe('ETHUSDT');
    expect(symbolNamedByFile('um-BTCUSDT-1m-2025-01.parquet')).toBe('BTCUSDT');
    expect(symbolNamedByFile('futures_um-SOLUSDT-5m-2025-01.parquet')).toBe('SOLUSDT');
    expect(symbolNamedByFile('BTCUSDT2025-01-01.parquet')).toBe('BTCUSDT');
    expect(symbolNamedByFile('1000PEPEUSDT2025-01.parquet')).toBe('1000PEPEUSDT');
  });

  it('keeps the whole token: BTCUSDT_PERP and 1000BTCUSDT are not BTCUSDT', () => {
    expect(symbolNamedByFile('BTCUSDT_PERP-1m-2025-01.parquet')).toBe('BTCUSDT_PERP');
    expect(symbolNamedByFile('1000BTCUSDT-1m-2025-01.parquet')).toBe('1000BTCUSDT');
    expect(otherSymbolReason('BTCUSDT_PERP-1m-2025-01.parquet', 'BTCUSDT')).toMatch(/BTCUSDT_PERP, not BTCUSDT/);
    expect(otherSymbolReason('1000BTCUSDT2025-01-01.parquet', 'btcusdt')).toMatch(/1000BTCUSDT, not BTCUSDT/);
    expect(otherSymbolReason('BTCUSDT-1m-2025-01.parquet', 'btcusdt')).toBeNull();
  });

  it('names no symbol for other names', () => {
    for (const n of ['candles.parquet', 'btcusdt-1m-2025-01.parquet', 'a.parquet', 'data-2024.parquet', 'BTCUSDT.parquet', 'BTCUSDT-2025-01.parquet', 'X20250101.parquet']) {
      expect(symbolNamedByFile(n)).toBeNull();
    }
  });
});
