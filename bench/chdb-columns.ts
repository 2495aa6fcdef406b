/** The raw Binance table's columns and barfill's mapping of a Binance Parquet file onto them, in SQL. */

export const RAW_BINANCE_COLUMNS = [
  'market_id',
  'symbol',
  'instrument_key',
  'open_time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'close_time',
  'quote_asset_volume',
  'number_of_trades',
  'taker_buy_base_asset_volume',
  'taker_buy_quote_asset_volume',
  'ingested_at',
] as const;

export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The SELECT that maps a Binance-layout Parquet file to the raw table's columns (barfill's mapping). */
export function binanceSelect(parquet: string, ingestedAtSec: number): string {
  return `SELECT
    toUInt8(1) AS market_id,
    'BTCUSDT' AS symbol,
    'binance:spot:BTCUSDT' AS instrument_key,
    toDateTime(intDiv(assumeNotNull(open_time), 1000), 'UTC') AS open_time,
    toFloat64(assumeNotNull(open)) AS open, toFloat64(assumeNotNull(high)) AS high,
    toFloat64(assumeNotNull(low)) AS low, toFloat64(assumeNotNull(close)) AS close,
    toFloat64(assumeNotNull(volume)) AS volume,
    toInt64(assumeNotNull(close_time)) AS close_time,
    CAST(quote_asset_volume AS Nullable(Float64)) AS quote_asset_volume,
    CAST(number_of_trades AS Nullable(UInt64)) AS number_of_trades,
    CAST(taker_buy_base_asset_volume AS Nullable(Float64)) AS taker_buy_base_asset_volume,
    CAST(taker_buy_quote_asset_volume AS Nullable(Float64)) AS taker_buy_quote_asset_volume,
    toDateTime(${Math.floor(ingestedAtSec)}, 'UTC') AS ingested_at
  FROM file(${sqlString(parquet)}, Parquet)`;
}

