/**
 * The small surface barfill needs from ClickHouse, with two implementations:
 * a server over HTTP (`ClickHouseConnectGateway`, @clickhouse/client) and the
 * embedded engine (`ChdbGateway`, npm `chdb`). Adapters above this (migrator,
 * raw kline writer) never see a driver.
 */

/** ClickHouse storage types a columnar insert can target. */
export type InsertColumnType =
  | 'UInt8'
  | 'String'
  | 'DateTime'
  | 'Float64'
  | 'Int64'
  | 'UInt64'
  | 'Nullable(Float64)'
  | 'Nullable(UInt64)';

/**
 * Where the values of one inserted column come from. Numbers are float64; a
 * `DateTime` value is epoch milliseconds (stored as whole UTC seconds).
 */
export type InsertColumnSource =
  /** The same value on every row (a number, a bigint for `Int64`/`UInt64`, or a string for `String`). */
  | { readonly kind: 'constant'; readonly value: number | string | bigint }
  /** One value per row. For a `Nullable(...)` type, NaN means NULL. */
  | { readonly kind: 'values'; readonly values: Float64Array }
  /**
   * One value per row, falling back to `base[i] + offset` where `values` is
   * null (the column is absent) or `values[i]` is NaN.
   */
  | { readonly kind: 'values-or-offset'; readonly values: Float64Array | null; readonly base: Float64Array; readonly offset: number }
  /** NULL on every row (`Nullable(...)` types only). */
  | { readonly kind: 'null' };

export interface InsertColumn {
  readonly name: string;
  readonly type: InsertColumnType;
  readonly source: InsertColumnSource;
}

/**
 * One insert of `rows` rows into `table` (`database.table`, validated
 * identifiers). Every `values` array has at least `rows` entries; their values
 * have already been checked by the caller (integers where integers are stored,
 * DateTime in range).
 */
export interface ColumnarInsert {
  readonly table: string;
  readonly rows: number;
  readonly columns: readonly InsertColumn[];
}

export type ClickHouseRow = Record<string, unknown>;

export interface ClickHouseGateway {
  /** `server` (HTTP) or `embedded` (chDB). */
  readonly kind: 'server' | 'embedded';
  /** Where the gateway points, without credentials: for messages and logs. */
  readonly description: string;
  /** Runs one statement that returns no rows (DDL, INSERT ... SELECT). */
  command(sql: string): Promise<void>;
  /**
   * Runs one SELECT and returns its rows as JSON objects (format JSONEachRow:
   * DateTime as `YYYY-MM-DD hh:mm:ss`, 64-bit integers possibly as strings).
   */
  queryRows(sql: string): Promise<ClickHouseRow[]>;
  /** Inserts a columnar batch as one insert, binary end to end. */
  insertColumns(insert: ColumnarInsert): Promise<void>;
  close(): Promise<void>;
}

/**
 * Read-only queries for `barfill query`: the engine itself refuses writes and
 * DDL (`readonly = 2`), and the output arrives in chunks as it is produced.
 */
export interface ClickHouseReadOnlyQueries {
  /** Runs one query read-only and yields its `TabSeparatedWithNamesAndTypes` output as text chunks. */
  streamReadOnly(sql: string): AsyncIterable<string>;
}
