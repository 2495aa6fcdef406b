/**
 * Migration 0005 (version column) on a store holding rows written under 0001..0004, on both ClickHouse engines:
 * existing rows are kept with version = ingested_at * 1000 * 2^20 (their order kept), the tables use `version`, the
 * materialized views carry it, and a backfill-1m run afterwards (which applies 0005) wins over the old rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, tempDir } from './cli.js';
import { embeddedCh, serverCh, type ChTarget } from './ch-target.js';
import { ClickHouseMigrator, loadClickHouseMigrations } from '../../src/adapters/clickhouse/clickhouse-migrator.js';
import { ClickHouseConnectGateway } from '../../src/adapters/clickhouse/clickhouse-connect-gateway.js';
import { openChdbGateway } from '../../src/adapters/clickhouse/chdb-gateway.js';
import type { ClickHouseGateway } from '../../src/adapters/clickhouse/clickhouse-gateway.js';
import { chServerUrl } from '../../test-support/servers.js';

const T0 = Date.UTC(2024, 8, 1);
const M = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const secs = (ms: number): number => Math.floor(ms / 1000);

async function openGateway(t: ChTarget): Promise<ClickHouseGateway> {
  if (t.name.startsWith('embedded')) return openChdbGateway(path.join(t.env()['BARFILL_HOME'] ?? '', 'clickhouse'));
  return new ClickHouseConnectGateway(createClient({ url: chServerUrl }));
}

/** The store as barfill left it before 0005, with rows of two ingests (the later one holding other values). */
async function oldStore(t: ChTarget): Promise<void> {
  const g = await openGateway(t);
  try {
    const before = loadClickHouseMigrations().filter((m) => m.version <= '0004');
    await new ClickHouseMigrator(g, t.database, { migrations: before }).migrate();
    const values = (ingestedS: number, close: number): string =>
      [0, 1, 2].map((i) => `(1, 'MIGUSDT', 'binance:spot:MIGUSDT', ${secs(T0) + i * 60}, 1, 2000, 0.5, ${close + i}, 3, ${T0 + i * M + 59_999}, NULL, NULL, NULL, NULL, ${ingestedS})`).join(', ');
    const insert = (v: string): Promise<void> =>
      g.command(`INSERT INTO ${t.database}.raw_binance_klines_1m (market_id, symbol, instrument_key, open_time, open, high, low, close, volume, close_time, quote_asset_volume, number_of_trades, taker_buy_base_asset_volume, taker_buy_quote_asset_volume, ingested_at) VALUES ${v}`);
    // The later ingest first, the earlier one after: the version, not the insert order, must decide.
    await insert(values(secs(Date.UTC(2024, 9, 2)), 200));
    await insert(values(secs(Date.UTC(2024, 9, 1)), 100));
  } finally {
    await g.close();
  }
}

async function parquet(file: string, closeBase: number): Promise<string> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(`COPY (SELECT (${T0} + i * ${M})::BIGINT AS ts, 1.0 AS open, 2000.0 AS high, 0.5 AS low, (${closeBase} + i)::DOUBLE AS close, 3.0 AS volume FROM range(2) t(i))
                    TO '${file}' (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  return file;
}

for (const make of [async () => Promise.resolve(embeddedCh()), serverCh]) {
  describe('ClickHouse migration 0005 over existing rows', () => {
    let t: ChTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('keeps every row with version from ingested_at, switches the tables to version, and a new run wins', async (ctx) => {
      if (t === undefined) return ctx.skip();
      await oldStore(t);
      const f = await parquet(path.join(tempDir('mig'), 'new.parquet'), 900);
      const r = await runCli(['backfill-1m', '--market-id', '1', '--symbol', 'MIGUSDT', '--start', iso(T0), '--end', iso(T0 + 2 * M), '--parquet', f, '--no-progress'], { env: t.env() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/applied ClickHouse migrations|writing to/);

      const version = (ing: number): string => (BigInt(secs(ing)) * 1_048_576_000n).toString();
      // (The earlier ingest's rows may already be merged away: the tables are ReplacingMergeTrees.)
      const raw = await t.rows(`SELECT toUInt64(open_time) AS t, close, toString(version) AS v FROM ${t.database}.raw_binance_klines_1m FINAL WHERE symbol = 'MIGUSDT' ORDER BY open_time`);
      expect(raw.map((x) => [Number(x['t']), Number(x['close'])])).toEqual([[secs(T0), 900], [secs(T0) + 60, 901], [secs(T0) + 120, 202]]);
      expect(raw[2]?.['v']).toBe(version(Date.UTC(2024, 9, 2)));
      expect(BigInt(String(raw[0]?.['v']))).toBeGreaterThan(BigInt(version(Date.UTC(2024, 9, 2))));
      // Minutes 0 and 1: the new run; minute 2: the later of the two old ingests.
      const canon = await t.rows(`SELECT close FROM ${t.database}.canonical_candles_1m FINAL WHERE instrument_key = 'binance:spot:MIGUSDT' ORDER BY ts`);
      expect(canon.map((x) => Number(x['close']))).toEqual([900, 901, 202]);
      for (const table of ['raw_binance_klines_1m', 'raw_bybit_klines_1m', 'canonical_candles_1m']) {
        const ddl = await t.rows(`SELECT engine_full FROM system.tables WHERE database = '${t.database}' AND name = '${table}'`).catch(() => null);
        if (ddl !== null) expect(String(ddl[0]?.['engine_full']), table).toMatch(/^ReplacingMergeTree\(version\)/);
        const cols = await t.rows(`SELECT type FROM system.columns WHERE database = '${t.database}' AND table = '${table}' AND name = 'version'`);
        expect(cols.map((c) => c['type']), table).toEqual(['UInt64']);
      }
      const left = await t.rows(`SELECT name FROM system.tables WHERE database = '${t.database}' AND (name LIKE '%_v4' OR name LIKE '%_v5')`);
      expect(left).toEqual([]);
    });
  });
}
