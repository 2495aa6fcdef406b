/**
 * The symbol an exchange archive's file name names, if any. Pure.
 *
 * - Binance: `SYMBOL-<interval>-<date>...` (`BTCUSDT-1m-2025-01.parquet`), optionally after a lower-case market
 *   prefix (`spot-`, `um-`, `futures_um-`): the symbol is the upper-case token before `-<n><s|m|h|d|w|M>-`.
 * - Bybit: `SYMBOL<date>...` (`BTCUSDT2025-01-01.parquet`): the upper-case token ending in a letter, directly
 *   followed by `YYYY-MM` or `YYYY-MM-DD`.
 *
 * The symbol is the whole token (letters, digits, `_`), so `BTCUSDT_PERP-1m-...` names `BTCUSDT_PERP` and
 * `1000BTCUSDT-1m-...` names `1000BTCUSDT`, neither of them `BTCUSDT`. Names in any other form (lower case,
 * no interval or date after the token) name no symbol.
 */
const BINANCE = /^(?:[a-z][a-z0-9]*[-_])*([A-Z0-9][A-Z0-9_]*)-\d+[smhdwM]-/;
const BYBIT = /^([A-Z0-9][A-Z0-9_]*[A-Z])\d{4}-\d{2}(?:-\d{2})?(?![0-9])/;

export function symbolNamedByFile(baseName: string): string | null {
  const b = BINANCE.exec(baseName);
  if (b?.[1] !== undefined) return b[1];
  const y = BYBIT.exec(baseName);
  if (y?.[1] !== undefined) return y[1];
  return null;
}

/** Why a file is skipped for `symbol` (its name names another symbol), or null when it is read. */
export function otherSymbolReason(baseName: string, symbol: string): string | null {
  const named = symbolNamedByFile(baseName);
  if (named === null || named === symbol.toUpperCase()) return null;
  return `its name is for symbol ${named}, not ${symbol.toUpperCase()}`;
}
