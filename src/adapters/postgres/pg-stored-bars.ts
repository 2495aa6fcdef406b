import { allocateBarColumns, type BarBatch, type BarInterval, type BarSeriesKey } from '../../application/bar-batch.js';

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Reads stored bars of one ticker and interval back from `market_data`, in
 * `[fromMs, toMs)`, ascending, in pages (keyset on the timestamp): memory
 * holds one page whatever the range. Used to re-export the tickers a resumed
 * run had already done into its combined CSV.
 */
export class PgStoredBars {
  constructor(
    private readonly query: Query,
    private readonly pageRows = 20_000,
  ) {}

  async *read(ticker: string, intervalMinutes: BarInterval, fromMs: number, toMs: number): AsyncGenerator<BarBatch> {
    let from = fromMs;
    let inclusive = true;
    for (;;) {
      const rows = await this.query(
        `SELECT exchange, (extract(epoch FROM "timestamp") * 1000)::float8 AS t, open, high, low, close, volume
           FROM market_data
          WHERE ticker = $1 AND interval_minutes = $2
            AND "timestamp" ${inclusive ? '>=' : '>'} to_timestamp($3::float8 / 1000) AND "timestamp" < to_timestamp($4::float8 / 1000)
          ORDER BY "timestamp" LIMIT $5`,
        [ticker, intervalMinutes, from, toMs, this.pageRows],
      );
      if (rows.length === 0) return;
      yield toBatch(ticker, intervalMinutes, rows);
      if (rows.length < this.pageRows) return;
      from = Math.round(Number(rows[rows.length - 1]?.['t']));
      inclusive = false;
    }
  }
}

function toBatch(ticker: string, intervalMinutes: BarInterval, rows: readonly Record<string, unknown>[]): BarBatch {
  const n = rows.length;
  const series: BarSeriesKey[] = [];
  const seriesOf = new Map<string, number>();
  const b = { length: n, series, seriesIndex: new Uint32Array(n), ...allocateBarColumns(n) };
  rows.forEach((r, i) => {
    const exchange = String(r['exchange']);
    let s = seriesOf.get(exchange);
    if (s === undefined) {
      s = series.length;
      series.push({ ticker, exchange, intervalMinutes });
      seriesOf.set(exchange, s);
    }
    b.seriesIndex[i] = s;
    b.timestampMs[i] = Math.round(Number(r['t']));
    b.open[i] = Number(r['open']);
    b.high[i] = Number(r['high']);
    b.low[i] = Number(r['low']);
    b.close[i] = Number(r['close']);
    b.volume[i] = Number(r['volume']);
  });
  return b;
}
