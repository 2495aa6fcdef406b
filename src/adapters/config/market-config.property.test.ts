/**
 * Properties of the market config parser over hostile YAML: a MarketMap of
 * valid markets or a ConfigError naming the file, never another exception
 * (alias bombs, circular anchors, wrong types included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString, hasLineBreakingChars, onlyTypedErrors } from '../../../test-support/corpus/hostile.js';
import { ConfigError } from '../../kernel/errors.js';
import { InstrumentId } from '../../kernel/instrument-id.js';
import { parseMarketConfig } from './market-config.js';

const VALID = 'markets:\n  1: { venue: binance, market_type: spot }\n  4: { venue: bybit, market_type: linear }\n';
const yamlish = fc.constantFrom(
  VALID,
  'markets:\n  1: &a { venue: binance, market_type: spot }\n  2: *a\n',
  'markets: &m\n  1: *m\n',
  'a: &a [x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nmarkets: {1: {venue: a, market_type: b}}\n',
  'markets:\n  1: { venue: binance, market_type: spot }\n  1: { venue: bybit, market_type: spot }\n',
  'markets:\n  "1.0": { venue: binance, market_type: spot }\n',
  'markets:\n  0x1: { venue: binance, market_type: spot }\n',
  'markets:\n  ? [1]\n  : { venue: binance, market_type: spot }\n',
  'markets:\n  __proto__: { venue: binance, market_type: spot }\n',
  'markets: !!binary aGVsbG8=\n',
  'markets:\n  1: { venue: !!int 3, market_type: [spot] }\n',
  '%YAML 1.2\n---\nmarkets: {}\n...\n---\nmarkets: {}\n',
);

describe('parseMarketConfig (property)', () => {
  it('any text: valid markets or a ConfigError naming the file', () => {
    fc.assert(
      fc.property(anyString(yamlish), (text) => {
        const o = onlyTypedErrors(() => parseMarketConfig(text, 'cfg.yaml'));
        if (o.kind === 'value') {
          for (const id of [1, 2, 3, 4] as const) {
            const key = o.value.instrumentKey(InstrumentId.of(id, 'BTCUSDT'));
            if (key !== undefined) expect(key).toMatch(/^[a-z][a-z0-9_-]{0,31}:[a-z][a-z0-9_-]{0,31}:BTCUSDT$/);
          }
        } else {
          expect(o.error).toBeInstanceOf(ConfigError);
          expect(o.error.message.startsWith('cfg.yaml: ')).toBe(true);
          expect(hasLineBreakingChars(o.error.message)).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('generated valid configs round-trip', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,31}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(1, 2, 3, 4), { minLength: 1 }), name, name, (ids, venue, type) => {
        const text = `markets:\n${ids.map((i) => `  ${i}: { venue: "${venue}", market_type: "${type}" }`).join('\n')}\n`;
        const m = parseMarketConfig(text, 'cfg.yaml');
        for (const i of ids) expect(m.get(i)).toEqual({ marketId: i, venue, marketType: type });
      }),
    );
  });

  it('market ids are the keys as written: 1.0 and duplicate keys are refused', () => {
    expect(() => parseMarketConfig('markets:\n  "1.0": { venue: binance, market_type: spot }\n', 'c.yaml')).toThrow(/markets\.1\.0/);
    expect(() => parseMarketConfig('markets:\n  1: { venue: a, market_type: b }\n  1: { venue: c, market_type: d }\n', 'c.yaml')).toThrow(ConfigError);
  });
});

describe('parseMarketConfig limits', () => {
  it('refuses large or deeply nested text quickly, before the YAML parser can hang or overflow its stack', () => {
    expect(() => parseMarketConfig('"'.repeat(1 << 20), 'c.yaml')).toThrow(/at most 8192/);
    expect(() => parseMarketConfig('['.repeat(4000), 'c.yaml')).toThrow(/nested more than 64/);
    expect(() => parseMarketConfig('- '.repeat(4000), 'c.yaml')).toThrow(/nested more than 64/);
    expect(() => parseMarketConfig('{"a":['.repeat(1000), 'c.yaml')).toThrow(ConfigError);
  });
});
