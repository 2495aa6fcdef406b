-- Date windows a vendor answered with no bars: `barfill gaps` reports missing bars inside them as known-empty.
CREATE TABLE barfill_empty_windows (
    vendor           text        NOT NULL,
    ticker           text        NOT NULL,
    interval_minutes smallint    NOT NULL,
    from_date        date        NOT NULL,
    to_date          date        NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor, ticker, interval_minutes, from_date, to_date)
);
