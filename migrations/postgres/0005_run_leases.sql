-- The lease of a run: which process holds it (pid, host) and when it last said so (heartbeat).
-- A run with a live lease cannot be resumed by another process; a stale one can be taken over.
CREATE TABLE barfill_run_leases (
    run_id       text        PRIMARY KEY REFERENCES barfill_runs (run_id) ON DELETE CASCADE,
    pid          integer     NOT NULL,
    host         text        NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
