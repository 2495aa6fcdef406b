/**
 * Builds the per-file scan query. Pure: returns SQL text with `?` placeholders
 * and a description of each parameter; the DuckDB adapter turns the
 * descriptions into typed DuckDB values. File paths and symbols are always
 * parameters; column names are quoted identifiers; only numbers produced here
 * are written into the SQL text.
 *
 * Every selected column is a non-null DOUBLE (NULL and unparsable values become
 * NaN), so the reader can copy DuckDB's vectors into Float64Arrays directly.
 */
import type { TimeUnit } from '../../application/ports/candle-source.js';
import type { LayoutColumns, TimeColumnKind } from './layout.js';
import { integerEpochBounds, quoteIdent } from './layout.js';

export type ScanParam =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bigint'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  /** A DuckDB TIMESTAMP (or TIMESTAMPTZ) value in microseconds. */
  | { readonly kind: 'timestamp-us'; readonly micros: bigint; readonly withTimeZone: boolean }
  | { readonly kind: 'timestamp-ns'; readonly nanos: bigint };

export interface TimePlan {
  readonly column: string;
  readonly kind: TimeColumnKind;
  /** For integer/float epochs: the inferred unit. For timestamps: unused by the SQL. */
  readonly unit: TimeUnit;
  /** Whether the time column may hold NULLs (those rows are read and become NaN). */
  readonly mayHaveNulls: boolean;
}

/** The optional candle columns in the order they are selected after the six required ones. */
export const OPTIONAL_SELECT_ORDER = [
  'closeTime', 'quoteVolume', 'trades', 'takerBuyBaseVolume', 'takerBuyQuoteVolume',
] as const satisfies readonly (keyof LayoutColumns)[];

export interface ScanQuery {
  readonly sql: string;
  readonly params: readonly ScanParam[];
  /** The optional columns present, in select order (after rn, time, open, high, low, close, volume). */
  readonly optionalColumns: readonly (typeof OPTIONAL_SELECT_ORDER)[number][];
}

const NAN = `'NaN'::DOUBLE`;
const DIVISOR: Readonly<Record<TimeUnit, number>> = { s: 1, ms: 1, us: 1_000, ns: 1_000_000 };

/** `x / d` as an exact DOUBLE for an integer expression `x` (integer part plus remainder). */
function exactIntDiv(x: string, d: number): string {
  return `(CAST((${x}) // ${d} AS DOUBLE) + CAST((${x}) % ${d} AS DOUBLE) / ${d})`;
}

/** SQL for the open time in epoch ms (DOUBLE, NaN when NULL). Sub-ms residues stay as fractions. */
export function openTimeMsExpr(t: TimePlan): string {
  const c = quoteIdent(t.column);
  return `COALESCE(${rawMsExpr(c, t, false)}, ${NAN})`;
}

/** SQL for a Binance close time in epoch ms, floored to the millisecond (µs files end in 999999). */
export function closeTimeMsExpr(column: string, t: TimePlan): string {
  return `COALESCE(${rawMsExpr(quoteIdent(column), t, true)}, ${NAN})`;
}

function rawMsExpr(c: string, t: TimePlan, floor: boolean): string {
  const k = t.kind;
  switch (k.kind) {
    case 'integer': {
      const x = `TRY_CAST(${c} AS BIGINT)`;
      if (t.unit === 's') return `CAST(${x} AS DOUBLE) * 1000`;
      if (t.unit === 'ms') return `CAST(${x} AS DOUBLE)`;
      const d = DIVISOR[t.unit];
      return floor ? `CAST(${x} // ${d} AS DOUBLE)` : exactIntDiv(x, d);
    }
    case 'float': {
      const x = `TRY_CAST(${c} AS DOUBLE)`;
      const v = t.unit === 's' ? `${x} * 1000` : t.unit === 'ms' ? x : `${x} / ${DIVISOR[t.unit]}`;
      return floor ? `floor(${v})` : v;
    }
    case 'timestamp-us':
      return floor ? `CAST(epoch_us(${c}) // 1000 AS DOUBLE)` : exactIntDiv(`epoch_us(${c})`, 1000);
    case 'timestamp-ns':
      return floor ? `CAST(epoch_ns(${c}) // 1000000 AS DOUBLE)` : exactIntDiv(`epoch_ns(${c})`, 1_000_000);
    case 'timestamp-coarse':
      return `CAST(epoch_ms(${c}) AS DOUBLE)`;
  }
}

/**
 * The range condition, written on the RAW time column in its own unit so that
 * DuckDB pushes it into the Parquet scan and skips row groups whose min/max
 * statistics lie outside the range.
 */
export function rangeCondition(t: TimePlan, startMs: number, endMs: number): { sql: string; params: ScanParam[] } {
  const c = quoteIdent(t.column);
  const k = t.kind;
  let sql: string;
  let params: ScanParam[];
  switch (k.kind) {
    case 'integer': {
      const { lo, hi } = integerEpochBounds(t.unit, startMs, endMs);
      sql = `${c} >= ? AND ${c} < ?`;
      params = [{ kind: 'bigint', value: lo }, { kind: 'bigint', value: hi }];
      break;
    }
    case 'float': {
      // Widened raw prefilter (for pruning) plus the exact test on the converted value.
      const perMs = t.unit === 's' ? 1 / 1000 : DIVISOR[t.unit];
      const ms = openTimeMsExpr(t);
      sql = `${c} >= ? AND ${c} <= ? AND ${ms} >= ? AND ${ms} < ?`;
      params = [
        { kind: 'double', value: startMs * perMs - 1 },
        { kind: 'double', value: endMs * perMs + 1 },
        { kind: 'double', value: startMs },
        { kind: 'double', value: endMs },
      ];
      break;
    }
    case 'timestamp-us': {
      const { lo, hi } = integerEpochBounds('us', startMs, endMs);
      sql = `${c} >= ? AND ${c} < ?`;
      params = [
        { kind: 'timestamp-us', micros: lo, withTimeZone: k.withTimeZone },
        { kind: 'timestamp-us', micros: hi, withTimeZone: k.withTimeZone },
      ];
      break;
    }
    case 'timestamp-ns': {
      const { lo, hi } = integerEpochBounds('ns', startMs, endMs);
      sql = `${c} >= ? AND ${c} < ?`;
      params = [{ kind: 'timestamp-ns', nanos: lo }, { kind: 'timestamp-ns', nanos: hi }];
      break;
    }
    case 'timestamp-coarse': {
      const ms = openTimeMsExpr(t);
      sql = `${ms} >= ? AND ${ms} < ?`;
      params = [{ kind: 'double', value: startMs }, { kind: 'double', value: endMs }];
      break;
    }
  }
  if (t.mayHaveNulls) sql = `((${sql}) OR ${c} IS NULL)`;
  // A NaN (or infinite) floating time is read, as a NULL is, so the validator counts it as non_finite_value.
  if (k.kind === 'float') sql = `((${sql}) OR NOT isfinite(${c}))`;
  return { sql, params };
}

function valueExpr(column: string): string {
  return `COALESCE(TRY_CAST(${quoteIdent(column)} AS DOUBLE), ${NAN})`;
}

/** One selected column: the file column it reads and its SQL expression. */
export interface SelectedColumn {
  readonly column: string;
  readonly expr: string;
}

/**
 * The expressions of the scan, in select order: open time, OHLCV, then the
 * optional columns present. `closeTime` is the close time column's own plan
 * (its type and unit may differ from the open time's, as in a pandas-converted file).
 */
export function scanColumns(
  columns: LayoutColumns,
  time: TimePlan,
  closeTime: TimePlan | null,
): { selects: SelectedColumn[]; optionalColumns: (typeof OPTIONAL_SELECT_ORDER)[number][] } {
  const selects: SelectedColumn[] = [
    { column: time.column, expr: openTimeMsExpr(time) },
    ...(['open', 'high', 'low', 'close', 'volume'] as const).map((k) => ({ column: columns[k], expr: valueExpr(columns[k]) })),
  ];
  const optionalColumns: (typeof OPTIONAL_SELECT_ORDER)[number][] = [];
  for (const key of OPTIONAL_SELECT_ORDER) {
    const col = columns[key];
    if (col === null) continue;
    optionalColumns.push(key);
    const expr = key === 'closeTime' ? closeTimeMsExpr(col, closeTime ?? { ...time, column: col, mayHaveNulls: true }) : valueExpr(col);
    selects.push({ column: col, expr });
  }
  return { selects, optionalColumns };
}

/** The WHERE clause for one symbol (when the file has a symbol column) and range, with its parameters. */
export function scanFilter(columns: LayoutColumns, time: TimePlan, symbol: string, startMs: number, endMs: number): { sql: string; params: ScanParam[] } {
  const range = rangeCondition(time, startMs, endMs);
  const params: ScanParam[] = [...range.params];
  let sql = range.sql;
  if (columns.symbol !== null) {
    sql += ` AND ${symbolCondition(columns.symbol)}`;
    params.push({ kind: 'string', value: symbol.toUpperCase() });
  }
  return { sql, params };
}

/** Rows of the symbol (one `?` parameter, upper case). */
export function symbolCondition(symbolColumn: string): string {
  return `upper(CAST(${quoteIdent(symbolColumn)} AS VARCHAR)) = ?`;
}

/** The full scan of one file for one symbol and range. */
export function buildScanQuery(
  columns: LayoutColumns,
  time: TimePlan,
  path: string,
  symbol: string,
  startMs: number,
  endMs: number,
  closeTime: TimePlan | null = null,
): ScanQuery {
  const { selects, optionalColumns } = scanColumns(columns, time, closeTime);
  const select = ['CAST(file_row_number + 1 AS DOUBLE)', ...selects.map((c) => c.expr)];
  const where = scanFilter(columns, time, symbol, startMs, endMs);
  const params: ScanParam[] = [{ kind: 'string', value: path }, ...where.params];
  const sql =
    `SELECT ${select.join(', ')} FROM read_parquet(?, file_row_number = true, binary_as_string = true) WHERE ${where.sql}`;
  return { sql, params, optionalColumns };
}
