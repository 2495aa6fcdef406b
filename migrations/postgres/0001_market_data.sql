-- barfill 0001: the equities bar table.
--
-- One row per bar: (ticker, interval_minutes, "timestamp") is the natural key,
-- so 1-minute and 5-minute bars of one ticker at the same instant coexist.
-- Prices and volume are double precision: the values barfill carries are IEEE
-- doubles end to end (Float64Array), so float8 stores them bit-exactly and reads
-- them back unchanged (numeric would re-round nothing but costs more space/CPU).
CREATE TABLE market_data (
    ticker           text             NOT NULL,
    exchange         text             NOT NULL,
    interval_minutes smallint         NOT NULL,
    "timestamp"      timestamptz      NOT NULL,
    open             double precision NOT NULL,
    high             double precision NOT NULL,
    low              double precision NOT NULL,
    close            double precision NOT NULL,
    volume           double precision NOT NULL,
    source           text             NOT NULL,
    ingested_at      timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT market_data_bar_key UNIQUE (ticker, interval_minutes, "timestamp"),
    CONSTRAINT market_data_interval_check CHECK (interval_minutes IN (1, 5, 15, 30, 60))
);

COMMENT ON TABLE market_data IS 'Equities OHLCV bars written by barfill; "timestamp" is the bar start (UTC).';
