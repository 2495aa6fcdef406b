import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError, errorMessage } from '../../kernel/errors.js';
import { MARKET_IDS, type MarketId } from '../../kernel/instrument-id.js';
import { MarketMap, type MarketInfo } from '../../kernel/market-map.js';
import { printable } from '../../kernel/printable.js';

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Loads the market mapping:
 *
 * ```yaml
 * markets:
 *   1: { venue: binance, market_type: spot }
 *   2: { venue: binance, market_type: usdm }
 *   3: { venue: bybit, market_type: spot }
 *   4: { venue: bybit, market_type: linear }
 * ```
 *
 * Any problem is a ConfigError naming the file and the key.
 */
export async function loadMarketConfig(path: string): Promise<MarketMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config ${path}: cannot read the market config: ${errorMessage(err)}`, { cause: err });
  }
  return parseMarketConfig(text, path);
}

/** A market config is a few lines; the YAML parser is slow (seconds) or overflows its stack on large or deeply nested hostile text. */
export const MAX_MARKET_CONFIG_CHARS = 8 * 1024;
const MAX_NESTING = 64;

/** An upper bound of the YAML nesting: open flow brackets, and compact `- `/`? `/`: ` markers on one line. */
function nestingEstimate(text: string): number {
  let flow = 0;
  let max = 0;
  for (const line of text.split('\n')) {
    let markers = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '[' || c === '{') flow++;
      else if (c === ']' || c === '}') flow = Math.max(0, flow - 1);
      else if ((c === '-' || c === '?' || c === ':') && (i === 0 || /\s/.test(line[i - 1] ?? '')) && /^\s?$/.test(line[i + 1] ?? '')) markers++;
      max = Math.max(max, flow + markers);
    }
  }
  return max;
}

export function parseMarketConfig(text: string, path: string): MarketMap {
  if (text.length > MAX_MARKET_CONFIG_CHARS) {
    throw new ConfigError(`${path}: the market config is ${text.length} characters; expected a small YAML file (at most ${MAX_MARKET_CONFIG_CHARS})`);
  }
  if (nestingEstimate(text) > MAX_NESTING) {
    throw new ConfigError(`${path}: the market config is nested more than ${MAX_NESTING} levels deep; expected markets: { <id>: { venue, market_type } }`);
  }
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, maxAliasCount: 10, logLevel: 'error' });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos?.[0] ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError(`${path}: not valid YAML${where}: ${printable(errorMessage(err).split('\n')[0] ?? '', 200)}`, { cause: err });
  }
  if (!isRecord(doc) || !isRecord(doc['markets'])) {
    throw new ConfigError(`${path}: key 'markets' is missing or not a mapping of market id to { venue, market_type }`);
  }
  const markets: MarketInfo[] = [];
  for (const [key, value] of Object.entries(doc['markets'])) {
    // The key as written: `1`..`4` only (not `1.0`, `0x1` or ` 1`, which Number() would also read as 1).
    const id = /^[1-9]\d{0,2}$/.test(key) ? Number(key) : NaN;
    if (!MARKET_IDS.includes(id as MarketId)) {
      throw new ConfigError(`${path}: key 'markets.${printable(key, 40)}': market ids are 1, 2, 3, 4`);
    }
    if (!isRecord(value)) throw new ConfigError(`${path}: key 'markets.${key}' must be a mapping with venue and market_type`);
    const venue = value['venue'];
    const marketType = value['market_type'];
    if (typeof venue !== 'string' || !NAME.test(venue)) {
      throw new ConfigError(`${path}: key 'markets.${key}.venue' must be a lower-case name such as binance; got ${describeValue(venue)}`);
    }
    if (typeof marketType !== 'string' || !NAME.test(marketType)) {
      throw new ConfigError(
        `${path}: key 'markets.${key}.market_type' must be a lower-case name such as spot; got ${describeValue(marketType)}`,
      );
    }
    markets.push({ marketId: id as MarketId, venue, marketType });
  }
  return new MarketMap(markets);
}

/** A YAML value in a message: JSON, cut to 60 characters (JSON.stringify gives undefined for undefined). */
function describeValue(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = Object.prototype.toString.call(v);
  }
  return printable(text, 60);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
