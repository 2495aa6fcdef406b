import type { UnitCounts } from '../../application/ports/bar-writer.js';
import { BAR_COLUMNS } from './copy-text.js';

/**
 * `update` (upsert) mode, shared by `PgBarWriter` and `PgliteBarWriter`
 * (docs/architecture/equities/upsert.md).
 *
 * A unit's rows go, in the order written, into a temporary staging table whose
 * identity column `seq` records that order. At commit:
 * 1. `DEDUP`: the last occurrence of each key wins (`DISTINCT ON ... seq DESC`),
 *    so no later statement touches a key twice;
 * 2. `INSERT_NEW`: new keys, in key order, `ON CONFLICT DO NOTHING` (a key
 *    stored meanwhile by a concurrent unit waits for it, then is left to step 4);
 *    its row count is `inserted`;
 * 3. `LOCK_CHANGED`: locks, in key order, the stored rows whose values differ,
 *    so concurrent units updating the same keys queue instead of deadlocking;
 * 4. `UPDATE_CHANGED`: replaces those values (and `source`, `ingested_at`);
 *    its row count is `updated`. Rows step 2 just inserted equal their staged
 *    values, so they are not counted again.
 * `skipped` = rows staged − inserted − updated: keys stored with identical
 * values, plus the earlier occurrences of keys repeated within the unit.
 *
 * Each step is its own statement: under READ COMMITTED each takes a new
 * snapshot, so step 3 sees the rows that concurrent units committed while
 * step 2 waited, and their values are compared and replaced rather than lost.
 */

export const UPSERT_STAGING = 'barfill_upsert_staging';
const DEDUPED = 'barfill_upsert_rows';
const KEY = 'ticker, interval_minutes, "timestamp"';
const JOIN = 'm.ticker = s.ticker AND m.interval_minutes = s.interval_minutes AND m."timestamp" = s."timestamp"';
const CHANGED =
  '(m.open, m.high, m.low, m.close, m.volume, m.exchange) IS DISTINCT FROM (s.open, s.high, s.low, s.close, s.volume, s.exchange)';

/** The staging table; rows go in with the `BAR_COLUMNS` column list, `seq` numbers them in arrival order. */
export const CREATE_UPSERT_STAGING_SQL =
  `CREATE TEMP TABLE ${UPSERT_STAGING} (LIKE market_data INCLUDING DEFAULTS, ` +
  'seq bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DROP';

export const DEDUP_SQL =
  `CREATE TEMP TABLE ${DEDUPED} ON COMMIT DROP AS ` +
  `SELECT DISTINCT ON (${KEY}) ${BAR_COLUMNS} FROM ${UPSERT_STAGING} ORDER BY ${KEY}, seq DESC`;

export const INSERT_NEW_SQL =
  `INSERT INTO market_data (${BAR_COLUMNS}) SELECT ${BAR_COLUMNS} FROM ${DEDUPED} ORDER BY ${KEY} ` +
  `ON CONFLICT (${KEY}) DO NOTHING`;

export const LOCK_CHANGED_SQL =
  `WITH locked AS (SELECT 1 FROM market_data m JOIN ${DEDUPED} s ON ${JOIN} WHERE ${CHANGED} ` +
  'ORDER BY m.ticker, m.interval_minutes, m."timestamp" FOR UPDATE OF m) SELECT count(*)::int AS n FROM locked';

export const UPDATE_CHANGED_SQL =
  `UPDATE market_data m SET exchange = s.exchange, open = s.open, high = s.high, low = s.low, close = s.close, ` +
  `volume = s.volume, source = s.source, ingested_at = now() FROM ${DEDUPED} s WHERE ${JOIN} AND ${CHANGED}`;

/**
 * Runs steps 1-4 inside the unit's open transaction. `run` executes one
 * statement and returns its affected-row count; `staged` is the number of rows
 * written to the staging table.
 */
export async function applyUpsert(run: (sql: string) => Promise<number>, staged: number): Promise<UnitCounts> {
  await run(DEDUP_SQL);
  const inserted = await run(INSERT_NEW_SQL);
  await run(LOCK_CHANGED_SQL);
  const updated = await run(UPDATE_CHANGED_SQL);
  const skipped = staged - inserted - updated;
  if (skipped < 0) throw new Error(`internal: upsert counted ${inserted} inserted + ${updated} updated of ${staged} rows`);
  return { inserted, updated, skipped };
}
