import { describe, expect, it } from 'vitest';
import { FakeExchangeUsageError, parseFakeExchangeArgs } from './cli-options.js';

const REAL = Date.UTC(2026, 0, 1);

describe('fake exchange flags', () => {
  it('turns flags into options: a clock from --now, limits and archive faults', () => {
    let real = REAL;
    const { help, options } = parseFakeExchangeArgs(
      [
        '--port', '0', '--now', '2025-04-15T10:00:00Z', '--latency-ms', '5', '--spot-weight-limit', '10', '--ban-after-ignored', '2',
        '--bybit-limit', '3', '--missing', 'spot/BTCUSDT-1m-2024-03-05', '--replaced', 'spot/BTCUSDT-1m-2024-03-06=2',
        '--replaced', 'um/ETHUSDT-1m-2024-03=2025-05-01T00:00:00Z', '--replaced', 'spot/ETHUSDT-1m-2024-03-07',
        '--corrupt', 'spot/BTCUSDT-1m-2024-03-08=1', '--corrupt', 'spot/BTCUSDT-1m-2024-03-09', '--wrong-checksum', 'um/BTCUSDT-1m-2024-02',
      ],
      () => real,
    );
    expect(help).toBe(false);
    expect(options).toMatchObject({
      port: 0,
      latencyMs: 5,
      binanceSpot: { weightLimit: 10, banAfterIgnored: 2 },
      binanceFutures: { banAfterIgnored: 2 },
      bybit: { limit: 3 },
      missing: ['spot/BTCUSDT-1m-2024-03-05'],
      replaced: [
        { file: 'spot/BTCUSDT-1m-2024-03-06', afterDownloads: 2 },
        { file: 'um/ETHUSDT-1m-2024-03', atMs: Date.UTC(2025, 4, 1) },
        { file: 'spot/ETHUSDT-1m-2024-03-07' },
      ],
      corrupt: [{ file: 'spot/BTCUSDT-1m-2024-03-08', count: 1 }, { file: 'spot/BTCUSDT-1m-2024-03-09' }],
      wrongChecksum: ['um/BTCUSDT-1m-2024-02'],
    });
    expect(options.binanceFutures).not.toHaveProperty('weightLimit');
    const clock = options.now as () => number;
    expect(clock()).toBe(Date.UTC(2025, 3, 15, 10));
    real += 90_000;
    expect(clock()).toBe(Date.UTC(2025, 3, 15, 10, 1, 30));
  });

  it('refuses bad values with a usage error', () => {
    expect(() => parseFakeExchangeArgs(['--port', 'x'], () => REAL)).toThrow(FakeExchangeUsageError);
    expect(() => parseFakeExchangeArgs(['--now', 'yesterday'], () => REAL)).toThrow(/--now/);
    expect(() => parseFakeExchangeArgs(['--corrupt', 'spot/X-1m-2024-03=many'], () => REAL)).toThrow(/--corrupt/);
    expect(() => parseFakeExchangeArgs(['--nope'], () => REAL)).toThrow(FakeExchangeUsageError);
    expect(parseFakeExchangeArgs(['-h'], () => REAL).help).toBe(true);
  });
});
