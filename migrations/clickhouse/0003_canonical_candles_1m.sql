-- The canonical 1-minute candle table, fed only by the materialized views below.
-- One row per (instrument_key, ts) after merges or under FINAL; the latest ingested_at wins.
CREATE TABLE IF NOT EXISTS {db}.canonical_candles_1m
(
    instrument_key String,
    market_id UInt8,
    symbol String,
    ts DateTime('UTC'),
    open Float64,
    high Float64,
    low Float64,
    close Float64,
    volume Float64,
    quote_volume Nullable(Float64),
    trades Nullable(UInt64),
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(ts)
ORDER BY (instrument_key, ts);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.mv_raw_binance_klines_1m_to_canonical
TO {db}.canonical_candles_1m
AS SELECT
    instrument_key,
    market_id,
    symbol,
    open_time AS ts,
    open,
    high,
    low,
    close,
    volume,
    quote_asset_volume AS quote_volume,
    number_of_trades AS trades,
    ingested_at
FROM {db}.raw_binance_klines_1m;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.mv_raw_bybit_klines_1m_to_canonical
TO {db}.canonical_candles_1m
AS SELECT
    instrument_key,
    market_id,
    symbol,
    start_time AS ts,
    open,
    high,
    low,
    close,
    volume,
    turnover AS quote_volume,
    CAST(NULL AS Nullable(UInt64)) AS trades,
    ingested_at
FROM {db}.raw_bybit_klines_1m;
