-- The run ledger: every command's runs and their units of work (`barfill runs`, `--resume`).
CREATE TABLE barfill_runs (
    run_id      text        PRIMARY KEY,
    command     text        NOT NULL,
    args        jsonb       NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text        NOT NULL DEFAULT 'running'
        CHECK (outcome IN ('running', 'success', 'failed', 'interrupted'))
);

CREATE INDEX barfill_runs_started ON barfill_runs (started_at DESC);

CREATE TABLE barfill_run_units (
    run_id        text        NOT NULL REFERENCES barfill_runs (run_id) ON DELETE CASCADE,
    unit          text        NOT NULL,
    rows_read     bigint      NOT NULL,
    rows_written  bigint      NOT NULL,
    rows_skipped  bigint      NOT NULL,
    rows_rejected bigint      NOT NULL,
    state         text        NOT NULL CHECK (state IN ('done', 'failed')),
    error         text,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (run_id, unit)
);
