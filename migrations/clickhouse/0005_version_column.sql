-- Exact overlaps: a `version UInt64` column in the raw tables and the canonical table, and the
-- ReplacingMergeTree version becomes `version` (was `ingested_at`, which stays as an informative column).
-- barfill writes version = run start (epoch ms) * 2^20 + the file's ordinal in the run's input order, so
-- within a run the later file wins and a later run wins over an earlier one, whatever the merge timing.
-- Existing rows keep their order: version = toUInt64(ingested_at) * 1000 * 2^20 (= 1048576000).
-- Applies unchanged on ClickHouse 18.16 and chDB (no EXCHANGE TABLES): the materialized views are dropped,
-- each table is copied into a new one, swapped in by RENAME, the old one dropped, and the views recreated.
-- Re-running after an interruption is safe (nothing else writes before the migration is recorded).
DROP TABLE IF EXISTS {db}.mv_raw_binance_klines_1m_to_canonical;

DROP TABLE IF EXISTS {db}.mv_raw_bybit_klines_1m_to_canonical;

-- raw_binance_klines_1m: rebuilt with version as the ReplacingMergeTree version.
DROP TABLE IF EXISTS {db}.raw_binance_klines_1m_v5;

CREATE TABLE IF NOT EXISTS {db}.raw_binance_klines_1m_v5
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
    ingested_at DateTime('UTC'),
    version UInt64 COMMENT 'run start epoch ms * 2^20 + file ordinal in the run'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(open_time)
ORDER BY (market_id, symbol, open_time);

INSERT INTO {db}.raw_binance_klines_1m_v5 (market_id, symbol, instrument_key, open_time, open, high, low, close, volume, close_time, quote_asset_volume, number_of_trades, taker_buy_base_asset_volume, taker_buy_quote_asset_volume, ingested_at, version)
SELECT market_id, symbol, instrument_key, open_time, open, high, low, close, volume, close_time, quote_asset_volume, number_of_trades, taker_buy_base_asset_volume, taker_buy_quote_asset_volume, ingested_at, toUInt64(ingested_at) * 1048576000 AS version FROM {db}.raw_binance_klines_1m;

DROP TABLE IF EXISTS {db}.raw_binance_klines_1m_v4;

RENAME TABLE {db}.raw_binance_klines_1m TO {db}.raw_binance_klines_1m_v4, {db}.raw_binance_klines_1m_v5 TO {db}.raw_binance_klines_1m;

DROP TABLE IF EXISTS {db}.raw_binance_klines_1m_v4;

-- raw_bybit_klines_1m: rebuilt with version as the ReplacingMergeTree version.
DROP TABLE IF EXISTS {db}.raw_bybit_klines_1m_v5;

CREATE TABLE IF NOT EXISTS {db}.raw_bybit_klines_1m_v5
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
    ingested_at DateTime('UTC'),
    version UInt64 COMMENT 'run start epoch ms * 2^20 + file ordinal in the run'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start_time)
ORDER BY (market_id, symbol, start_time);

INSERT INTO {db}.raw_bybit_klines_1m_v5 (market_id, symbol, instrument_key, start_time, open, high, low, close, volume, turnover, ingested_at, version)
SELECT market_id, symbol, instrument_key, start_time, open, high, low, close, volume, turnover, ingested_at, toUInt64(ingested_at) * 1048576000 AS version FROM {db}.raw_bybit_klines_1m;

DROP TABLE IF EXISTS {db}.raw_bybit_klines_1m_v4;

RENAME TABLE {db}.raw_bybit_klines_1m TO {db}.raw_bybit_klines_1m_v4, {db}.raw_bybit_klines_1m_v5 TO {db}.raw_bybit_klines_1m;

DROP TABLE IF EXISTS {db}.raw_bybit_klines_1m_v4;

-- canonical_candles_1m: rebuilt with version as the ReplacingMergeTree version.
DROP TABLE IF EXISTS {db}.canonical_candles_1m_v5;

CREATE TABLE IF NOT EXISTS {db}.canonical_candles_1m_v5
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
    ingested_at DateTime('UTC'),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(ts)
ORDER BY (instrument_key, ts);

INSERT INTO {db}.canonical_candles_1m_v5 (instrument_key, market_id, symbol, ts, open, high, low, close, volume, quote_volume, trades, ingested_at, version)
SELECT instrument_key, market_id, symbol, ts, open, high, low, close, volume, quote_volume, trades, ingested_at, toUInt64(ingested_at) * 1048576000 AS version FROM {db}.canonical_candles_1m;

DROP TABLE IF EXISTS {db}.canonical_candles_1m_v4;

RENAME TABLE {db}.canonical_candles_1m TO {db}.canonical_candles_1m_v4, {db}.canonical_candles_1m_v5 TO {db}.canonical_candles_1m;

DROP TABLE IF EXISTS {db}.canonical_candles_1m_v4;

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
    ingested_at,
    version
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
    ingested_at,
    version
FROM {db}.raw_bybit_klines_1m;
