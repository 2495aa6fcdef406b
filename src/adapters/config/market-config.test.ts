import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseMarketConfig } from './market-config.js';
import { InstrumentId } from '../../kernel/instrument-id.js';
import { ConfigError } from '../../kernel/errors.js';

describe('market config', () => {
  it('reads the shipped config', () => {
    const m = parseMarketConfig(readFileSync('configs/dev/market_data.yaml', 'utf8'), 'x.yaml');
    expect(m.instrumentKey(InstrumentId.of(1, 'BTCUSDT'))).toBe('binance:spot:BTCUSDT');
    expect(m.instrumentKey(InstrumentId.of(2, 'BTCUSDT'))).toBe('binance:usdm:BTCUSDT');
    expect(m.instrumentKey(InstrumentId.of(3, 'ETHUSDT'))).toBe('bybit:spot:ETHUSDT');
    expect(m.instrumentKey(InstrumentId.of(4, 'BTCUSDT'))).toBe('bybit:linear:BTCUSDT');
  });
  it.each([
    ['markets: [1, 2]', /'markets' is missing/],
    ['markets:\n  7: { venue: x, market_type: y }', /markets\.7/],
    ['markets:\n  1: { venue: Binance!, market_type: spot }', /markets\.1\.venue/],
    ['markets:\n  1: { venue: binance }', /markets\.1\.market_type/],
    ['markets: {1: {venue: a, market_type: b}, 1: {venue: c, market_type: d}}', /not valid YAML/],
    ['markets:\n  1: { venue: binance\n', /not valid YAML/],
  ])('names the file and the key: %s', (text, re) => {
    expect(() => parseMarketConfig(text, 'bad.yaml')).toThrow(ConfigError);
    expect(() => parseMarketConfig(text, 'bad.yaml')).toThrow(re);
    expect(() => parseMarketConfig(text, 'bad.yaml')).toThrow(/bad\.yaml/);
  });
});
