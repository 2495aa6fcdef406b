-- Markets barfill knows. {db} is replaced by the configured database (CH_DATABASE).
-- Must apply unchanged on ClickHouse 18.16 (Debian) and on chDB 26.x.
CREATE DATABASE IF NOT EXISTS {db};

CREATE TABLE IF NOT EXISTS {db}.ref_market
(
    market_id UInt8,
    venue String,
    market_type String,
    name String
)
ENGINE = ReplacingMergeTree
ORDER BY market_id;

-- Idempotent seed: only the market ids that are not there yet.
INSERT INTO {db}.ref_market (market_id, venue, market_type, name)
SELECT market_id, venue, market_type, name
FROM
(
    SELECT toUInt8(1) AS market_id, 'binance' AS venue, 'spot' AS market_type, 'Binance spot' AS name
    UNION ALL
    SELECT toUInt8(2) AS market_id, 'binance' AS venue, 'usdm' AS market_type, 'Binance USD-M futures' AS name
    UNION ALL
    SELECT toUInt8(3) AS market_id, 'bybit' AS venue, 'spot' AS market_type, 'Bybit spot' AS name
    UNION ALL
    SELECT toUInt8(4) AS market_id, 'bybit' AS venue, 'linear' AS market_type, 'Bybit linear (USDT perpetuals)' AS name
)
WHERE market_id NOT IN (SELECT market_id FROM {db}.ref_market);
