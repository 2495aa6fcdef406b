/**
 * Pure layout and time-unit inference for Parquet kline files. No Node APIs,
 * no DuckDB: these functions work on column names and DuckDB type strings
 * (as printed by `DESCRIBE`), so they are unit-tested without files.
 */
import type { TimeUnit } from '../../application/ports/candle-source.js';

export type ParquetLayout = 'binance' | 'binance-futures' | 'bybit' | 'generic';

/** One column of a file as `DESCRIBE SELECT * FROM read_parquet(...)` reports it. */
export interface ColumnDescription {
  readonly name: string;
  /** DuckDB type, e.g. `BIGINT`, `DOUBLE`, `DECIMAL(18,8)`, `TIMESTAMP WITH TIME ZONE`. */
  readonly type: string;
}

/** Which file column feeds which candle column (actual file spelling; null when absent). */
export interface LayoutColumns {
  readonly time: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly closeTime: string | null;
  readonly quoteVolume: string | null;
  readonly trades: string | null;
  readonly takerBuyBaseVolume: string | null;
  readonly takerBuyQuoteVolume: string | null;
  /** The optional `symbol` column. */
  readonly symbol: string | null;
}

export interface LayoutMatch {
  readonly layout: ParquetLayout;
  readonly columns: LayoutColumns;
}

const OHLCV = ['open', 'high', 'low', 'close', 'volume'] as const;
const BINANCE_SPOT = [
  'open_time', ...OHLCV, 'close_time', 'quote_asset_volume', 'number_of_trades',
  'taker_buy_base_asset_volume', 'taker_buy_quote_asset_volume',
] as const;
const BINANCE_FUTURES = [
  'open_time', ...OHLCV, 'close_time', 'quote_volume', 'count', 'taker_buy_volume', 'taker_buy_quote_volume',
] as const;
/** Time column names accepted by the generic layout, in order of preference. */
export const GENERIC_TIME_COLUMNS = ['timestamp', 'ts', 'date', 'time', 'open_time'] as const;

/** The expected layouts, as printed in error messages. */
export const EXPECTED_LAYOUTS_TEXT =
  `Binance spot (${BINANCE_SPOT.join(', ')}[, ignore]); ` +
  `Binance futures (${BINANCE_FUTURES.join(', ')}[, ignore]); ` +
  `Bybit (start_time or startTime, open, high, low, close, volume, turnover); ` +
  `generic (one of ${GENERIC_TIME_COLUMNS.join(', ')} plus open, high, low, close, volume); ` +
  `each optionally with a symbol column`;

/**
 * Detects the layout from the column names (case-insensitive). Returns null
 * when no layout matches; the caller turns that into an InputError.
 * Binance spot and futures are tried first, then Bybit, then generic.
 */
export function detectLayout(columnNames: readonly string[]): LayoutMatch | null {
  const byLower = new Map<string, string>();
  for (const name of columnNames) {
    const key = name.toLowerCase();
    if (!byLower.has(key)) byLower.set(key, name);
  }
  const has = (...names: readonly string[]): boolean => names.every((n) => byLower.has(n));
  const col = (n: string): string => {
    const found = byLower.get(n);
    if (found === undefined) throw new Error(`internal: column ${n} missing after match`);
    return found;
  };
  const symbol = byLower.get('symbol') ?? null;
  const fillOhlcv = (): Pick<LayoutColumns, (typeof OHLCV)[number]> => ({
    open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume'),
  });

  if (has(...BINANCE_SPOT)) {
    return {
      layout: 'binance',
      columns: {
        time: col('open_time'), ...fillOhlcv(), closeTime: col('close_time'),
        quoteVolume: col('quote_asset_volume'), trades: col('number_of_trades'),
        takerBuyBaseVolume: col('taker_buy_base_asset_volume'),
        takerBuyQuoteVolume: col('taker_buy_quote_asset_volume'), symbol,
      },
    };
  }
  if (has(...BINANCE_FUTURES)) {
    return {
      layout: 'binance-futures',
      columns: {
        time: col('open_time'), ...fillOhlcv(), closeTime: col('close_time'),
        quoteVolume: col('quote_volume'), trades: col('count'),
        takerBuyBaseVolume: col('taker_buy_volume'), takerBuyQuoteVolume: col('taker_buy_quote_volume'), symbol,
      },
    };
  }
  // `startTime` lower-cases to `starttime`.
  const bybitTime = byLower.get('start_time') ?? byLower.get('starttime');
  if (bybitTime !== undefined && has(...OHLCV, 'turnover')) {
    return {
      layout: 'bybit',
      columns: {
        time: bybitTime, ...fillOhlcv(), closeTime: null, quoteVolume: col('turnover'), trades: null,
        takerBuyBaseVolume: null, takerBuyQuoteVolume: null, symbol,
      },
    };
  }
  const genericTime = GENERIC_TIME_COLUMNS.find((n) => byLower.has(n));
  if (genericTime !== undefined && has(...OHLCV)) {
    return {
      layout: 'generic',
      columns: {
        time: col(genericTime), ...fillOhlcv(), closeTime: null, quoteVolume: null, trades: null,
        takerBuyBaseVolume: null, takerBuyQuoteVolume: null, symbol,
      },
    };
  }
  return null;
}

/**
 * The unit of an integer (or floating) epoch, from its magnitude:
 * |v| < 1e11 → seconds, < 1e14 → milliseconds, < 1e17 → microseconds, else nanoseconds.
 * (1e11 s is the year 5138; 1e11 ms is 1973-03-03; 1e14 µs is 1973-03-03 too.)
 */
export function inferEpochUnit(value: number | bigint): TimeUnit {
  const abs = typeof value === 'bigint' ? (value < 0n ? -value : value) : Math.abs(value);
  if (abs < 1e11) return 's';
  if (abs < 1e14) return 'ms';
  if (abs < 1e17) return 'us';
  return 'ns';
}

/** How a time column is stored, from its DuckDB type. */
export type TimeColumnKind =
  | { readonly kind: 'integer' }
  | { readonly kind: 'float' }
  /** DuckDB `TIMESTAMP`, `TIMESTAMP WITH TIME ZONE` (microseconds inside DuckDB). */
  | { readonly kind: 'timestamp-us'; readonly withTimeZone: boolean }
  /** DuckDB `TIMESTAMP_NS`. */
  | { readonly kind: 'timestamp-ns' }
  /** DuckDB `TIMESTAMP_MS` / `TIMESTAMP_S` (rare from Parquet: DuckDB widens them to TIMESTAMP). */
  | { readonly kind: 'timestamp-coarse'; readonly unit: 's' | 'ms' };

const INTEGER_TYPES = new Set([
  'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT',
]);

/** Classifies a DuckDB type string for use as a time column; null when it cannot be one. */
export function classifyTimeType(duckType: string): TimeColumnKind | null {
  const t = duckType.trim().toUpperCase();
  if (INTEGER_TYPES.has(t)) return { kind: 'integer' };
  if (t === 'FLOAT' || t === 'DOUBLE' || t.startsWith('DECIMAL')) return { kind: 'float' };
  if (t === 'TIMESTAMP') return { kind: 'timestamp-us', withTimeZone: false };
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return { kind: 'timestamp-us', withTimeZone: true };
  if (t === 'TIMESTAMP_NS') return { kind: 'timestamp-ns' };
  if (t === 'TIMESTAMP_MS') return { kind: 'timestamp-coarse', unit: 'ms' };
  if (t === 'TIMESTAMP_S') return { kind: 'timestamp-coarse', unit: 's' };
  return null;
}

/**
 * The unit of a Parquet TIMESTAMP column from `parquet_schema()`'s
 * `logical_type` / `converted_type` text; null when neither says.
 */
export function parquetTimestampUnit(logicalType: string | null, convertedType: string | null): TimeUnit | null {
  const l = logicalType ?? '';
  if (/MILLIS=MilliSeconds/i.test(l)) return 'ms';
  if (/MICROS=MicroSeconds/i.test(l)) return 'us';
  if (/NANOS=NanoSeconds/i.test(l)) return 'ns';
  const c = (convertedType ?? '').toUpperCase();
  if (c === 'TIMESTAMP_MILLIS') return 'ms';
  if (c === 'TIMESTAMP_MICROS') return 'us';
  return null;
}

/** Epoch units per millisecond, as exact integers where the unit is finer than ms. */
export const UNITS_PER_MS: Readonly<Record<Exclude<TimeUnit, 's'>, bigint>> = { ms: 1n, us: 1_000n, ns: 1_000_000n };

/**
 * The half-open raw-unit bounds `[lo, hi)` of an integer epoch column that
 * select exactly the rows whose time in ms lies in `[startMs, endMs)`.
 * Seconds round up (a second value s is in range iff s*1000 >= startMs).
 */
export function integerEpochBounds(unit: TimeUnit, startMs: number, endMs: number): { lo: bigint; hi: bigint } {
  const s = BigInt(Math.ceil(startMs));
  const e = BigInt(Math.ceil(endMs));
  if (unit === 's') return { lo: ceilDiv(s, 1000n), hi: ceilDiv(e, 1000n) };
  const f = UNITS_PER_MS[unit];
  return { lo: s * f, hi: e * f };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Double-quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Escapes glob characters so DuckDB's `read_parquet` / `parquet_metadata` read
 * exactly this one file: `*`, `?` and `[` become `[*]`, `[?]` and `[[]`.
 */
export function escapeGlob(filePath: string): string {
  return filePath.replace(/[*?[]/g, (ch) => `[${ch}]`);
}
