/**
 * A query's result as barfill prints it: named columns, then rows of JSON
 * values in column order. Both engines of a store give the same JSON types for
 * the same query: integers as numbers when they are exact in a double
 * (|n| <= 2^53 - 1), as strings otherwise; decimals as strings (exact);
 * floats as numbers (NaN and infinities as strings); NULL as null.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ResultColumn {
  readonly name: string;
  /** The engine's own type name (ClickHouse) or type OID as text (PostgreSQL). */
  readonly type: string;
}

/** Columns first (once), then rows in chunks: what a streamed query yields. */
export interface ResultChunk {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly JsonValue[])[];
}

/** A whole integer's text as a JSON number when exact in a double, else as the text itself. */
export function integerValue(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A float's text as a JSON number; `nan`, `inf`, `NaN`, `Infinity` stay strings (JSON has no such numbers). */
export function floatValue(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) && text.trim() !== '' ? n : text;
}
