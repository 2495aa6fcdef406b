-- Raw 1-minute klines as the venues publish them, one table per venue.
-- Binance (market 1 spot, 2 USD-M futures) and Bybit (3 spot, 4 linear).
-- ReplacingMergeTree(ingested_at): a re-loaded minute keeps the latest ingest after merges / under FINAL.
CREATE TABLE IF NOT EXISTS {db}.raw_binance_klines_1m
(
    market_id UInt8,
    symbol String,
    instrument_key String,
    open_time DateTime('UTC'),
    open Float64,
    high Float64,
    low Float64,
    close Float64,
    volume Float64,
    close_time Int64 COMMENT 'epoch milliseconds',
    quote_asset_volume Nullable(Float64),
    number_of_trades Nullable(UInt64),
    taker_buy_base_asset_volume Nullable(Float64),
    taker_buy_quote_asset_volume Nullable(Float64),
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(open_time)
ORDER BY (market_id, symbol, open_time);

CREATE TABLE IF NOT EXISTS {db}.raw_bybit_klines_1m
(
    market_id UInt8,
    symbol String,
    instrument_key String,
    start_time DateTime('UTC'),
    open Float64,
    high Float64,
    low Float64,
    close Float64,
    volume Float64,
    turnover Nullable(Float64),
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(start_time)
ORDER BY (market_id, symbol, start_time);
