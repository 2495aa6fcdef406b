import type { CandleBatch } from '../../application/candle-batch.js';
import type { KlineStamp, KlineTarget, RawKlineWriter } from '../../application/ports/raw-kline-writer.js';
import { SinkError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { StopSignal } from '../../kernel/stop-signal.js';
import { attemptsOf, withRetries, type RetryPolicy, type Sleep } from '../../application/use-cases/retry.js';
import type { MarketId } from '../../kernel/instrument-id.js';
import { isoUtc } from '../../kernel/time-range.js';
import type { ClickHouseGateway, ColumnarInsert, InsertColumn } from './clickhouse-gateway.js';
import { validateDatabaseName } from './clickhouse-sql.js';

export type RawKlineTable = 'raw_binance_klines_1m' | 'raw_bybit_klines_1m';

/** The raw table of a market: 1, 2 (Binance) → raw_binance_klines_1m; 3, 4 (Bybit) → raw_bybit_klines_1m. */
export function rawKlineTableFor(marketId: MarketId): RawKlineTable {
  switch (marketId) {
    case 1:
    case 2:
      return 'raw_binance_klines_1m';
    case 3:
    case 4:
      return 'raw_bybit_klines_1m';
  }
}

/** Binance's close time of a complete 1-minute candle: open + 59,999 ms. */
export const CLOSE_TIME_OFFSET_MS = 59_999;

const MAX_UINT64 = (1n << 64n) - 1n;

/** Largest epoch ms a ClickHouse DateTime (UInt32 seconds) holds. */
const MAX_DATETIME_MS = 4_294_967_295_000;

/**
 * Checks the values the raw tables store as integers or DateTime; a SinkError
 * names the instrument, row and value. (Prices and volumes are stored as given.)
 */
export function checkKlineBatch(target: KlineTarget, batch: CandleBatch, stamp: KlineStamp): void {
  const where = (i: number): string => `raw klines for ${target.instrument.toString()}: batch row ${i + 1}`;
  const { ingestedAtMs, version } = stamp;
  if (!(Number.isFinite(ingestedAtMs) && ingestedAtMs >= 0 && ingestedAtMs <= MAX_DATETIME_MS)) {
    throw new SinkError(`raw klines for ${target.instrument.toString()}: ingested-at time ${ingestedAtMs} is outside 1970..2106`);
  }
  if (version < 0n || version > MAX_UINT64) {
    throw new SinkError(`raw klines for ${target.instrument.toString()}: version ${version} is not an unsigned 64-bit integer`);
  }
  const t = batch.openTimeMs;
  for (let i = 0; i < batch.length; i++) {
    const v = t[i] ?? NaN;
    if (!(Number.isInteger(v) && v >= 0 && v <= MAX_DATETIME_MS)) {
      throw new SinkError(`${where(i)}: open time ${v} (epoch ms) is not an integer in 1970..2106`);
    }
  }
  const trades = batch.trades;
  if (trades !== null) {
    for (let i = 0; i < batch.length; i++) {
      const v = trades[i] ?? NaN;
      if (!Number.isNaN(v) && !(Number.isSafeInteger(v) && v >= 0)) {
        throw new SinkError(`${where(i)}: trade count ${v} is not a non-negative integer`);
      }
    }
  }
  const close = batch.closeTimeMs;
  if (close !== null) {
    for (let i = 0; i < batch.length; i++) {
      const v = close[i] ?? NaN;
      if (!Number.isNaN(v) && !Number.isSafeInteger(v)) {
        throw new SinkError(`${where(i)}: close time ${v} (epoch ms) is not an integer`);
      }
    }
  }
}

function nullable(name: string, type: 'Nullable(Float64)' | 'Nullable(UInt64)', values: Float64Array | null): InsertColumn {
  return { name, type, source: values === null ? { kind: 'null' } : { kind: 'values', values } };
}

/** The columnar insert of one batch into its raw table (routing by market id). */
export function buildKlineInsert(database: string, target: KlineTarget, batch: CandleBatch, stamp: KlineStamp): ColumnarInsert {
  const table = rawKlineTableFor(target.instrument.marketId);
  const common: InsertColumn[] = [
    { name: 'market_id', type: 'UInt8', source: { kind: 'constant', value: target.instrument.marketId } },
    { name: 'symbol', type: 'String', source: { kind: 'constant', value: target.instrument.symbol } },
    { name: 'instrument_key', type: 'String', source: { kind: 'constant', value: target.instrumentKey } },
  ];
  const ohlcv: InsertColumn[] = [
    { name: 'open', type: 'Float64', source: { kind: 'values', values: batch.open } },
    { name: 'high', type: 'Float64', source: { kind: 'values', values: batch.high } },
    { name: 'low', type: 'Float64', source: { kind: 'values', values: batch.low } },
    { name: 'close', type: 'Float64', source: { kind: 'values', values: batch.close } },
    { name: 'volume', type: 'Float64', source: { kind: 'values', values: batch.volume } },
  ];
  const ingested: InsertColumn = { name: 'ingested_at', type: 'DateTime', source: { kind: 'constant', value: stamp.ingestedAtMs } };
  const version: InsertColumn = { name: 'version', type: 'UInt64', source: { kind: 'constant', value: stamp.version } };
  const columns: InsertColumn[] =
    table === 'raw_binance_klines_1m'
      ? [
          ...common,
          { name: 'open_time', type: 'DateTime', source: { kind: 'values', values: batch.openTimeMs } },
          ...ohlcv,
          {
            name: 'close_time',
            type: 'Int64',
            source: { kind: 'values-or-offset', values: batch.closeTimeMs, base: batch.openTimeMs, offset: CLOSE_TIME_OFFSET_MS },
          },
          nullable('quote_asset_volume', 'Nullable(Float64)', batch.quoteVolume),
          nullable('number_of_trades', 'Nullable(UInt64)', batch.trades),
          nullable('taker_buy_base_asset_volume', 'Nullable(Float64)', batch.takerBuyBaseVolume),
          nullable('taker_buy_quote_asset_volume', 'Nullable(Float64)', batch.takerBuyQuoteVolume),
          ingested,
          version,
        ]
      : [
          ...common,
          { name: 'start_time', type: 'DateTime', source: { kind: 'values', values: batch.openTimeMs } },
          ...ohlcv,
          nullable('turnover', 'Nullable(Float64)', batch.quoteVolume),
          ingested,
          version,
        ];
  return { table: `${database}.${table}`, rows: batch.length, columns };
}

/**
 * Writes 1-minute klines to ClickHouse: market 1, 2 → raw_binance_klines_1m,
 * 3, 4 → raw_bybit_klines_1m (the materialized views fill canonical_candles_1m).
 * One batch is one binary insert. NaN in an optional column is NULL for that
 * row (an unknown close time becomes open time + 59,999 ms); trade counts and
 * Bybit's lack of them stay NULL. `close()` ends this writer only: the gateway
 * belongs to whoever opened it.
 */
export interface RawKlineRetryOptions {
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  /** A number in [0, 1) for the jitter. */
  readonly random: () => number;
  readonly logger?: Logger;
  /** A stop request (SIGINT/SIGTERM) ends the retries of the batch in flight. */
  readonly signal?: StopSignal;
}

export class ClickHouseRawKlineWriter implements RawKlineWriter {
  private readonly gateway: ClickHouseGateway;
  private readonly database: string;
  private readonly retry: RawKlineRetryOptions | undefined;
  private closed = false;

  /**
   * With `retry`, an insert that fails with a transient error (connection
   * refused or reset, timeout, 5xx, server restarting) is sent again, with
   * exponential backoff and full jitter. A re-sent batch is harmless: the raw
   * and canonical tables are ReplacingMergeTrees keyed by instrument and minute.
   */
  constructor(gateway: ClickHouseGateway, database: string, retry?: RawKlineRetryOptions) {
    this.gateway = gateway;
    this.database = validateDatabaseName(database);
    this.retry = retry;
  }

  async write(target: KlineTarget, batch: CandleBatch, stamp: KlineStamp): Promise<void> {
    if (this.closed) {
      throw new SinkError(`raw klines for ${target.instrument.toString()}: the ClickHouse raw kline writer is closed`);
    }
    if (batch.length === 0) return;
    checkKlineBatch(target, batch, stamp);
    const insert = buildKlineInsert(this.database, target, batch, stamp);
    const first = batch.openTimeMs[0] ?? NaN;
    const last = batch.openTimeMs[batch.length - 1] ?? NaN;
    const span = `${batch.length} klines of ${target.instrument.toString()} (${isoUtc(first)} .. ${isoUtc(last)})`;
    const retry = this.retry;
    try {
      if (retry === undefined) {
        await this.gateway.insertColumns(insert);
      } else {
        await withRetries(() => this.gateway.insertColumns(insert), {
          policy: retry.policy,
          sleep: retry.sleep,
          random: retry.random,
          retryable: (err) => err instanceof SinkError && err.transient,
          ...(retry.signal === undefined ? {} : { signal: retry.signal }),
          onRetry: ({ attempt, delayMs, error }) => {
            retry.logger?.warn(
              `writing ${span} failed (attempt ${attempt} of ${retry.policy.maxRetries + 1}); retrying in ${delayMs} ms: ${error instanceof Error ? error.message : String(error)}`,
            );
          },
        });
      }
    } catch (err) {
      if (err instanceof SinkError) {
        const attempts = attemptsOf(err);
        const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
        const options: { cause: unknown; dbCode?: string; transient: boolean } = { cause: err, transient: err.transient };
        if (err.dbCode !== undefined) options.dbCode = err.dbCode;
        throw new SinkError(`writing ${span} failed${tries}: ${err.message}`, options);
      }
      throw err;
    }
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
