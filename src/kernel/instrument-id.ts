import { UsageError } from './errors.js';
import { quoted } from './printable.js';

/** Market ids of `market_data.ref_market`: 1 Binance spot, 2 Binance USD-M futures, 3 Bybit spot, 4 Bybit linear. */
export type MarketId = 1 | 2 | 3 | 4;

export const MARKET_IDS: readonly MarketId[] = [1, 2, 3, 4];

const SYMBOL = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;
/** Checked BEFORE upper-casing: `toUpperCase` folds some non-ASCII letters into ASCII ('ſ' → 'S', 'ﬀ' → 'FF'). */
const SYMBOL_ANY_CASE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** A crypto instrument: market id and exchange symbol (upper case, e.g. BTCUSDT). */
export class InstrumentId {
  readonly marketId: MarketId;
  readonly symbol: string;

  private constructor(marketId: MarketId, symbol: string) {
    this.marketId = marketId;
    this.symbol = symbol;
  }

  static of(marketId: number, symbol: string): InstrumentId {
    return new InstrumentId(parseMarketId(marketId), parseSymbol(symbol));
  }

  toString(): string {
    return `${this.marketId}:${this.symbol}`;
  }
}

export function parseMarketId(value: number | string): MarketId {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (n === 1 || n === 2 || n === 3 || n === 4) return n;
  throw new UsageError(`--market-id: expected one of 1, 2, 3, 4; got ${typeof value === 'string' ? quoted(value, 20) : `'${String(value)}'`}`);
}

export function parseSymbol(value: string): string {
  const trimmed = value.trim();
  const s = trimmed.toUpperCase();
  if (!SYMBOL_ANY_CASE.test(trimmed) || !SYMBOL.test(s)) {
    throw new UsageError(
      `--symbol: expected 1 to 32 letters, digits, '.', '_' or '-' starting with a letter or digit; got ${quoted(value, 40)}`,
    );
  }
  return s;
}
