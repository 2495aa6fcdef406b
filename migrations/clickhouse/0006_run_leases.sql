-- The lease of a backfill-1m run: which process holds it (pid, host) and its last heartbeat.
-- ReplacingMergeTree by a version (read with FINAL); released = a row with pid 0.
CREATE TABLE IF NOT EXISTS {db}.barfill_run_leases
(
    run_id String,
    pid UInt32,
    host String,
    heartbeat_ms UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY run_id;
