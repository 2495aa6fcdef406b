import type { InstrumentId, MarketId } from './instrument-id.js';

/** What a market id means: the venue and its market type, as in `ref_market`. */
export interface MarketInfo {
  readonly marketId: MarketId;
  /** `binance` or `bybit`. */
  readonly venue: string;
  /** e.g. `spot`, `usdm`, `linear`. */
  readonly marketType: string;
}

/** The runtime market mapping (configs/dev/market_data.yaml). */
export class MarketMap {
  private readonly byId: ReadonlyMap<MarketId, MarketInfo>;

  constructor(markets: readonly MarketInfo[]) {
    this.byId = new Map(markets.map((m) => [m.marketId, m]));
  }

  get(marketId: MarketId): MarketInfo | undefined {
    return this.byId.get(marketId);
  }

  /** The canonical instrument key, e.g. `binance:spot:BTCUSDT`; undefined when the market is not configured. */
  instrumentKey(instrument: InstrumentId): string | undefined {
    const m = this.byId.get(instrument.marketId);
    return m === undefined ? undefined : `${m.venue}:${m.marketType}:${instrument.symbol}`;
  }
}
