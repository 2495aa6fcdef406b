-- The run ledger: every backfill-1m run and its units of work (`barfill runs`, `--resume`).
-- ReplacingMergeTree by a version: the latest record of a run or unit wins (read with FINAL).
-- Times are epoch milliseconds (18.16 has no sub-second DateTime type).
CREATE TABLE IF NOT EXISTS {db}.barfill_runs
(
    run_id String,
    command String,
    args String,
    started_ms UInt64,
    finished_ms Nullable(UInt64),
    outcome String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY run_id;

CREATE TABLE IF NOT EXISTS {db}.barfill_run_units
(
    run_id String,
    unit String,
    rows_read UInt64,
    rows_written UInt64,
    rows_skipped UInt64,
    rows_rejected UInt64,
    state String,
    error String,
    updated_ms UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (run_id, unit);
