/**
 * Wiring for `barfill gaps`: stored bar times are read month by month from the
 * canonical ClickHouse table or PostgreSQL `market_data`, and compared with the
 * expected slots (every minute for crypto; the NYSE regular session for equities).
 */
import { sqlString } from '../../../../src/adapters/clickhouse/clickhouse-sql.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import { GapFinder, everyMinute, sessionBars, type GapRange, type GapSummary } from '../../../../src/application/gaps.js';
import { PgEmptyWindows } from '../../../../src/adapters/postgres/pg-empty-windows.js';
import { utcMsToNewYork } from '../../../../src/kernel/new-york-time.js';
import { addDays } from '../../../../src/kernel/trading-calendar.js';
import { openClickHouse } from '../db/clickhouse.js';
import { openPostgres } from '../db/postgres.js';
import { barfillHome } from '../home.js';

export interface SeriesGaps extends GapSummary {
  readonly series: string;
  readonly start: string;
  readonly end: string;
  /** Missing bars inside windows the vendor answered with no bars (recorded by earlier runs): legitimately empty. */
  readonly known_empty: readonly GapRange[];
  readonly missing_known_empty: number;
  /** The ticker (equities), for --fill. */
  readonly ticker?: string;
}

interface Ctx {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
  /** Reading only (no --fill): a missing embedded store is an error, and nothing is created. */
  readonly create: boolean;
}

/** Month boundaries (UTC) covering [startMs, endMs). */
function months(startMs: number, endMs: number): [number, number][] {
  const out: [number, number][] = [];
  let a = startMs;
  while (a < endMs) {
    const d = new Date(a);
    const b = Math.min(endMs, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    out.push([a, b]);
    a = b;
  }
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export async function cryptoGaps(c: Ctx, instrumentKey: string, startMs: number, endMs: number): Promise<SeriesGaps> {
  const ch = await openClickHouse(c.env, { home: barfillHome(c.env, c.cwd), logger: c.logger, create: c.create });
  try {
    await ch.migrate();
    const finder = new GapFinder(everyMinute(startMs, endMs), 60_000);
    for (const [a, b] of months(startMs, endMs)) {
      const rows = await ch.gateway.queryRows(
        `SELECT arraySort(groupArray(t)) AS ts FROM (SELECT DISTINCT toUInt32(ts) AS t FROM ${ch.database}.canonical_candles_1m ` +
          `WHERE instrument_key = ${sqlString(instrumentKey)} AND ts >= toDateTime(${a / 1000}, 'UTC') AND ts < toDateTime(${b / 1000}, 'UTC'))`,
      );
      const secs = (rows[0]?.['ts'] ?? []) as (number | string)[];
      finder.add(Float64Array.from(secs, (s) => Number(s) * 1000));
    }
    return { series: instrumentKey, start: iso(startMs), end: iso(endMs), ...finder.finish(), known_empty: [], missing_known_empty: 0 };
  } finally {
    await ch.close();
  }
}

export async function equityGaps(
  c: Ctx,
  tickers: readonly string[],
  intervalMinutes: number,
  fromDate: string,
  toDate: string,
): Promise<SeriesGaps[]> {
  const pg = await openPostgres(c.env, { home: barfillHome(c.env, c.cwd), maxConnections: 1, logger: c.logger, create: c.create });
  try {
    await pg.migrate();
    const startMs = Date.parse(`${fromDate}T00:00:00Z`);
    const endMs = Date.parse(`${toDate}T00:00:00Z`) + 2 * 86_400_000; // covers New York evening of the last day
    const out: SeriesGaps[] = [];
    const empty = new PgEmptyWindows((sql, params) => pg.query(sql, params));
    for (const ticker of tickers) {
      const finder = new GapFinder(sessionBars(fromDate, toDate, intervalMinutes), intervalMinutes * 60_000);
      for (const [a, b] of months(startMs, endMs)) {
        const rows = await pg.query(
          'SELECT (extract(epoch FROM "timestamp") * 1000)::float8 AS t FROM market_data ' +
            'WHERE ticker = $1 AND interval_minutes = $2 AND "timestamp" >= to_timestamp($3::float8 / 1000) AND "timestamp" < to_timestamp($4::float8 / 1000) ORDER BY 1',
          [ticker, intervalMinutes, a, b],
        );
        finder.add(Float64Array.from(rows, (r) => Number(r['t'])));
      }
      const summary = finder.finish();
      const windows = await empty.overlapping(ticker, intervalMinutes, fromDate, toDate);
      const inEmpty = (g: GapRange): boolean => {
        const day = utcMsToNewYork(g.startMs).slice(0, 10);
        return windows.some((w) => w.fromDate <= day && day <= w.toDate);
      };
      const known = summary.gaps.filter(inEmpty);
      out.push({
        series: `${ticker} ${intervalMinutes}m`,
        ticker,
        start: fromDate,
        end: toDate,
        ...summary,
        gaps: summary.gaps.filter((g) => !inEmpty(g)),
        known_empty: known,
        missing_known_empty: known.reduce((a, g) => a + g.bars, 0),
      });
    }
    return out;
  } finally {
    await pg.close();
  }
}

/** New York trading days holding unknown gaps, grouped into date ranges (days up to 4 apart join, bridging weekends). */
export function fillRanges(gaps: readonly GapRange[]): { fromDate: string; toDate: string }[] {
  const days = [...new Set(gaps.map((g) => utcMsToNewYork(g.startMs).slice(0, 10)))].sort();
  const out: { fromDate: string; toDate: string }[] = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last !== undefined && d <= addDays(last.toDate, 4)) last.toDate = d;
    else out.push({ fromDate: d, toDate: d });
  }
  return out;
}

/** `2024-03-04` -> `040324` (the equities commands' --start/--end). */
export function ddmmyy(date: string): string {
  return `${date.slice(8, 10)}${date.slice(5, 7)}${date.slice(2, 4)}`;
}
