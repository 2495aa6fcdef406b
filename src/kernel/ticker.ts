import { UsageError } from './errors.js';
import { quoted } from './printable.js';

const TICKER = /^[A-Z0-9.\-^]{1,15}$/;
/** Checked BEFORE upper-casing: `toUpperCase` folds some non-ASCII letters into ASCII ('ſ' → 'S', 'ﬀ' → 'FF'). */
const TICKER_ANY_CASE = /^[A-Za-z0-9.\-^]{1,15}$/;

/** Validates and upper-cases a ticker: letters, digits, `.`, `-`, `^`, up to 15 characters. */
export function parseTicker(value: string, where = '--tickers'): string {
  const trimmed = value.trim();
  const t = trimmed.toUpperCase();
  if (!TICKER_ANY_CASE.test(trimmed) || !TICKER.test(t)) {
    throw new UsageError(
      `${where}: invalid ticker ${quoted(value, 40)} (letters, digits, '.', '-', '^', up to 15 characters)`,
    );
  }
  return t;
}

export function isValidTicker(value: string): boolean {
  return TICKER.test(value);
}

/** Validates a list, upper-cases it and drops repeats (first occurrence kept). */
export function parseTickers(values: readonly string[], where = '--tickers'): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      if (part.trim() === '') continue;
      const t = parseTicker(part, where);
      if (!out.includes(t)) out.push(t);
    }
  }
  if (out.length === 0) throw new UsageError(`${where}: no tickers given`);
  return out;
}
