import type { BarBatch } from '../bar-batch.js';

/**
 * What a unit does with a bar whose key (ticker, interval, timestamp) is already stored:
 * - `fail`: the unit fails (and is rolled back);
 * - `ignore`: the stored bar is kept; the new one is skipped and counted;
 * - `update`: the stored bar is replaced when its values (open, high, low, close,
 *   volume, exchange) differ, else left untouched and counted as skipped.
 */
export type ConflictMode = 'fail' | 'ignore' | 'update';

/** Every conflict mode, for flag parsers and help text. */
export const CONFLICT_MODES: readonly ConflictMode[] = ['fail', 'ignore', 'update'];

/**
 * Exact counts of one committed unit: `inserted + updated + skipped` is the
 * number of rows written to the unit (duplicates inside the unit included).
 */
export interface UnitCounts {
  /** Rows whose key was new: stored by this unit. */
  readonly inserted: number;
  /**
   * Stored bars replaced by this unit because their values differed (only in
   * `update` mode; 0 otherwise).
   */
  readonly updated: number;
  /**
   * Rows not stored: the key existed (`ignore`), or existed with identical
   * values (`update`), or the row was an earlier duplicate of a key within the
   * unit (`ignore`: all but the first occurrence; `update`: all but the last).
   */
  readonly skipped: number;
}

/**
 * The run ledger's `done` record of a unit, written by the bar store in the
 * unit's own transaction (with the counts of its commit): a committed unit is
 * always recorded done, and a unit recorded done is always committed.
 */
export interface DoneMark {
  readonly runId: string;
  readonly unit: string;
  readonly rowsRead: number;
  readonly rowsRejected: number;
  readonly atMs: number;
}

/**
 * One unit of work (a ticker or a file) in one transaction: everything written
 * through it commits together or not at all.
 */
export interface BarUnit {
  write(batch: BarBatch): Promise<void>;
  /**
   * Commits and returns exact counts; with `mark`, records the unit `done` in
   * the run ledger in the same transaction. A conflict in `fail` mode rejects
   * with a `SinkError` (SQLSTATE, first key).
   */
  commit(mark?: DoneMark): Promise<UnitCounts>;
  rollback(): Promise<void>;
}

/** Port: the equities bar store (adapters: PostgreSQL server, embedded PGlite). */
export interface BarWriter {
  /** `source` is stored with each row, e.g. `fmp` or `csv`. */
  begin(options: { mode: ConflictMode; source: string }): Promise<BarUnit>;
  close(): Promise<void>;
}
