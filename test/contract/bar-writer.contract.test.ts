/**
 * The BarWriter contract, run over the PostgreSQL server (a fresh database per
 * run, dropped afterwards) and over embedded PGlite (a temporary directory).
 * Both go through `openPostgres`, the CLI's wiring.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BarBatch, BarInterval, BarSeriesKey } from '../../src/application/bar-batch.js';
import type { BarUnit, BarWriter, ConflictMode, UnitCounts } from '../../src/application/ports/bar-writer.js';
import { SinkError } from '../../src/kernel/errors.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { defaultMigrationsDir, loadMigrations } from '../../src/adapters/postgres/postgres-migrator.js';
import { openPostgres } from '../../apps/cli/wiring/db/postgres.js';
import type { PostgresHandle } from '../../apps/cli/wiring/db/postgres.js';
import { pgServerUrl, postgresAvailable, requireServer } from '../../test-support/servers.js';

interface Row {
  readonly key: BarSeriesKey;
  readonly ms: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
}

const T0 = Date.UTC(2024, 2, 8, 14, 30);
const MIN = 60_000;
const AAPL1: BarSeriesKey = { ticker: 'AAPL', exchange: 'NASDAQ', intervalMinutes: 1 };
const MSFT1: BarSeriesKey = { ticker: 'MSFT', exchange: 'NASDAQ', intervalMinutes: 1 };

function key(ticker: string, intervalMinutes: BarInterval = 1): BarSeriesKey {
  return { ticker, exchange: 'NASDAQ', intervalMinutes };
}

function bars(k: BarSeriesKey, from: number, count: number, stepMin = k.intervalMinutes): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < count; i++) {
    const base = 170 + from + i / 100;
    out.push({ key: k, ms: T0 + (from + i) * stepMin * MIN, o: base, h: base + 0.5, l: base - 0.25, c: base + 0.125, v: 1000 + i });
  }
  return out;
}

/** A multi-series batch built the way the CSV reader builds them. */
function batchOf(rows: readonly Row[]): BarBatch {
  const series: BarSeriesKey[] = [];
  const index = new Map<string, number>();
  const n = rows.length;
  const b = {
    length: n,
    series,
    seriesIndex: new Uint32Array(n),
    timestampMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    const id = `${r.key.ticker}|${r.key.exchange}|${r.key.intervalMinutes}`;
    let si = index.get(id);
    if (si === undefined) {
      si = series.length;
      series.push(r.key);
      index.set(id, si);
    }
    b.seriesIndex[i] = si;
    b.timestampMs[i] = r.ms;
    b.open[i] = r.o;
    b.high[i] = r.h;
    b.low[i] = r.l;
    b.close[i] = r.c;
    b.volume[i] = r.v;
  });
  return b;
}

async function runUnit(
  writer: BarWriter,
  mode: ConflictMode,
  batches: readonly (readonly Row[])[],
  source = 'test',
): Promise<UnitCounts> {
  const unit = await writer.begin({ mode, source });
  for (const b of batches) await unit.write(batchOf(b));
  return unit.commit();
}

/** Runs a unit expected to fail; returns the error (from write or commit). */
async function failingUnit(writer: BarWriter, batches: readonly (readonly Row[])[]): Promise<unknown> {
  let unit: BarUnit | undefined;
  try {
    unit = await writer.begin({ mode: 'fail', source: 'test' });
    for (const b of batches) await unit.write(batchOf(b));
    await unit.commit();
  } catch (err) {
    await unit?.rollback();
    return err;
  }
  return undefined;
}

/** A row with some of its values replaced. */
function changed(r: Row, patch: Partial<Omit<Row, 'ms'>>): Row {
  return { ...r, ...patch };
}

/** A bar as stored, with what tells a rewrite apart (`source`, `ingested_at`, `xmin`). */
interface Stored {
  readonly ticker: string;
  readonly exchange: string;
  readonly interval_minutes: number;
  readonly ms: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly source: string;
  readonly ingested_us: string;
  readonly xmin: string;
}

/** What `row` written with `source` must read back as (rewrite markers left out). */
function expected(r: Row, source: string): Omit<Stored, 'ingested_us' | 'xmin'> {
  return {
    ticker: r.key.ticker, exchange: r.key.exchange, interval_minutes: r.key.intervalMinutes, ms: r.ms,
    open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v, source,
  };
}

function withoutMarkers(rows: readonly Stored[]): Omit<Stored, 'ingested_us' | 'xmin'>[] {
  return rows.map((r) => ({
    ticker: r.ticker, exchange: r.exchange, interval_minutes: r.interval_minutes, ms: r.ms,
    open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, source: r.source,
  }));
}

/** A second, independent connection to the same database (server only: PGlite has one connection). */
interface SideSession {
  query(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

interface Target {
  readonly handle: PostgresHandle;
  readonly cleanup: () => Promise<void>;
  readonly sideSession?: () => Promise<SideSession>;
}

/**
 * `sideSessions`: whether the target gives a second connection (the server; PGlite has one connection). The tests
 * that need one are defined only for such targets, so that none is ever skipped at run time.
 */
function barWriterContract(name: string, run: boolean, sideSessions: boolean, open: () => Promise<Target>): void {
  describe.skipIf(!run)(`BarWriter contract: ${name}`, () => {
    let target: Target;
    let db: PostgresHandle;
    let firstMigration: string[];

    beforeAll(async () => {
      target = await open();
      db = target.handle;
      firstMigration = await db.migrate();
    });

    afterAll(async () => {
      await target?.handle.close();
      await target?.cleanup();
    });

    beforeEach(async () => {
      await db.query('TRUNCATE market_data');
    });

    async function count(where = 'true', params: unknown[] = []): Promise<number> {
      const rows = await db.query(`SELECT count(*)::int AS n FROM market_data WHERE ${where}`, params);
      return Number(rows[0]?.['n']);
    }

    /** Every stored bar, in key order. */
    async function stored(): Promise<Stored[]> {
      const rows = await db.query(
        `SELECT ticker, exchange, interval_minutes, (extract(epoch FROM "timestamp") * 1000)::float8 AS ms,
                open, high, low, close, volume, source,
                to_char(ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS ingested_us, xmin::text AS xmin
           FROM market_data ORDER BY ticker, interval_minutes, "timestamp"`,
      );
      return rows as unknown as Stored[];
    }

    /** Guarantees a later transaction's now() differs from an earlier one's. */
    async function tick(): Promise<void> {
      await new Promise((r) => setTimeout(r, 5));
    }

    it('applies the migrations once (idempotent, recorded in schema_migrations)', async () => {
      expect(firstMigration).toEqual(loadMigrations(defaultMigrationsDir()).map((m) => m.name));
      expect(firstMigration[0]).toBe('0001_market_data');
      expect(await db.migrate()).toEqual([]);
      expect(await db.migrate()).toEqual([]);
      const rows = await db.query('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(loadMigrations(defaultMigrationsDir()).map((m) => ({ version: m.version, name: m.name })));
    });

    it('fail mode inserts exactly the rows written, values and UTC timestamps intact', async () => {
      const tricky: Row = { key: MSFT1, ms: T0 + 7 * MIN, o: 0.1 + 0.2, h: 1e21, l: 5e-324, c: 123.456, v: 12_345_678_901.5 };
      const batch1 = [...bars(AAPL1, 0, 3), tricky];
      const batch2 = bars(AAPL1, 3, 2);
      const counts = await runUnit(db.writer, 'fail', [batch1, batch2], 'fmp');
      expect(counts).toEqual({ inserted: 6, updated: 0, skipped: 0 });
      const rows = await db.query(
        `SELECT ticker, exchange, interval_minutes,
                to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ts,
                (extract(epoch FROM "timestamp") * 1000)::float8 AS ms,
                open, high, low, close, volume, source, ingested_at IS NOT NULL AS has_ingested
           FROM market_data ORDER BY ticker, "timestamp"`,
      );
      expect(rows).toHaveLength(6);
      expect(rows[0]).toEqual({
        ticker: 'AAPL', exchange: 'NASDAQ', interval_minutes: 1, ts: '2024-03-08T14:30:00Z', ms: T0,
        open: 170, high: 170.5, low: 169.75, close: 170.125, volume: 1000, source: 'fmp', has_ingested: true,
      });
      expect(rows[4]?.['ts']).toBe('2024-03-08T14:34:00Z');
      expect(rows[4]?.['open']).toBe(173.01);
      expect(rows[5]).toMatchObject({
        ticker: 'MSFT', ts: '2024-03-08T14:37:00Z', open: 0.30000000000000004, high: 1e21, low: 5e-324, close: 123.456,
        volume: 12_345_678_901.5,
      });
    });

    it('fail mode: a duplicate rejects with SQLSTATE 23505 naming the key, and nothing of the unit remains', async () => {
      await runUnit(db.writer, 'fail', [bars(AAPL1, 0, 5)]);
      // A multi-batch unit: new MSFT rows, then new AAPL rows, then one AAPL row that exists.
      const err = await failingUnit(db.writer, [bars(MSFT1, 0, 50), bars(AAPL1, 5, 10), bars(AAPL1, 2, 1)]);
      expect(err).toBeInstanceOf(SinkError);
      const e = err as SinkError;
      expect(e.dbCode).toBe('23505');
      expect(e.message).toContain('23505');
      expect(e.message).toContain('AAPL');
      expect(e.message).toContain('2024-03-08 14:32:00');
      expect(await count()).toBe(5);
      expect(await count(`ticker = 'MSFT'`)).toBe(0);
      // The writer is still usable (the connection went back to the pool clean).
      expect(await runUnit(db.writer, 'fail', [bars(MSFT1, 0, 2)])).toEqual({ inserted: 2, updated: 0, skipped: 0 });
    });

    it('fail mode: duplicates inside one unit fail it', async () => {
      const err = await failingUnit(db.writer, [bars(AAPL1, 0, 3), bars(AAPL1, 1, 1)]);
      expect(err).toBeInstanceOf(SinkError);
      expect((err as SinkError).dbCode).toBe('23505');
      expect(await count()).toBe(0);
    });

    it('ignore mode: a rerun inserts 0 and skips all', async () => {
      const batches = [bars(AAPL1, 0, 40), bars(MSFT1, 0, 30)];
      expect(await runUnit(db.writer, 'ignore', batches)).toEqual({ inserted: 70, updated: 0, skipped: 0 });
      expect(await runUnit(db.writer, 'ignore', batches)).toEqual({ inserted: 0, updated: 0, skipped: 70 });
      expect(await count()).toBe(70);
    });

    it('ignore mode: partial overlap gives exact counts and keeps the stored values', async () => {
      await runUnit(db.writer, 'ignore', [bars(AAPL1, 0, 10)], 'first');
      const counts = await runUnit(db.writer, 'ignore', [bars(AAPL1, 5, 7), bars(AAPL1, 12, 8)], 'second');
      expect(counts).toEqual({ inserted: 10, updated: 0, skipped: 5 });
      expect(await count()).toBe(20);
      expect(await count(`source = 'first'`)).toBe(10);
    });

    it('ignore mode: duplicates inside one unit are counted as skipped', async () => {
      const counts = await runUnit(db.writer, 'ignore', [[...bars(AAPL1, 0, 3), ...bars(AAPL1, 1, 1)], bars(AAPL1, 2, 2)]);
      expect(counts).toEqual({ inserted: 4, updated: 0, skipped: 2 });
      expect(await count()).toBe(4);
    });

    it('update mode on an empty table inserts everything; an identical rerun skips everything and rewrites nothing', async () => {
      const batches = [bars(AAPL1, 0, 40), bars(MSFT1, 0, 30)];
      expect(await runUnit(db.writer, 'update', batches, 'first')).toEqual({ inserted: 70, updated: 0, skipped: 0 });
      const before = await stored();
      expect(withoutMarkers(before)).toEqual([...batches[0]!, ...batches[1]!].map((r) => expected(r, 'first')));
      await tick();
      expect(await runUnit(db.writer, 'update', batches, 'second')).toEqual({ inserted: 0, updated: 0, skipped: 70 });
      // Not rewritten: same source, same ingested_at, same row version.
      expect(await stored()).toEqual(before);
    });

    it('update mode: bars whose close changed are replaced (source, ingested_at too), the rest skipped', async () => {
      const original = bars(AAPL1, 0, 20);
      await runUnit(db.writer, 'update', [original], 'first');
      const before = await stored();
      const changedAt = new Set([3, 7, 11]);
      const second = original.map((r, i) => (changedAt.has(i) ? changed(r, { c: r.c + 1 }) : r));
      await tick();
      expect(await runUnit(db.writer, 'update', [second.slice(0, 10), second.slice(10)], 'second')).toEqual({
        inserted: 0, updated: 3, skipped: 17,
      });
      const after = await stored();
      expect(withoutMarkers(after)).toEqual(second.map((r, i) => expected(r, changedAt.has(i) ? 'second' : 'first')));
      after.forEach((row, i) => {
        const old = before[i];
        if (changedAt.has(i)) expect(row.ingested_us > (old?.ingested_us ?? '')).toBe(true);
        else expect(row).toEqual(old);
      });
    });

    it('update mode: a change in any of open, high, low, volume or exchange counts; identical values do not', async () => {
      const original = bars(AAPL1, 0, 6);
      await runUnit(db.writer, 'update', [original], 'first');
      const nyse: BarSeriesKey = { ...AAPL1, exchange: 'NYSE' };
      const [r0, r1, r2, r3, r4, r5] = original;
      if (r0 === undefined || r1 === undefined || r2 === undefined || r3 === undefined || r4 === undefined || r5 === undefined) {
        throw new Error('six bars expected');
      }
      const second = [
        changed(r0, { o: r0.o + 0.01 }),
        changed(r1, { h: r1.h * 2 }),
        changed(r2, { l: r2.l - 1 }),
        changed(r3, { v: r3.v + 1 }),
        changed(r4, { key: nyse }),
        r5,
      ];
      expect(await runUnit(db.writer, 'update', [second], 'second')).toEqual({ inserted: 0, updated: 5, skipped: 1 });
      expect(withoutMarkers(await stored())).toEqual(second.map((r, i) => expected(r, i < 5 ? 'second' : 'first')));
    });

    it('update mode: new, changed and unchanged bars of several series in one unit give exact counts', async () => {
      await runUnit(db.writer, 'update', [bars(AAPL1, 0, 10), bars(MSFT1, 0, 10)], 'first');
      // AAPL 5..14: 5, 6 changed, 7..9 unchanged, 10..14 new. MSFT 0..19: 0 changed, 1..9 unchanged, 10..19 new.
      const aapl = bars(AAPL1, 0, 15).slice(5).map((r, i) => (i < 2 ? changed(r, { c: r.c + 2 }) : r));
      const msft = bars(MSFT1, 0, 20).map((r, i) => (i === 0 ? changed(r, { c: r.c - 2 }) : r));
      const counts = await runUnit(db.writer, 'update', [aapl.slice(0, 4), [...aapl.slice(4), ...msft]], 'second');
      expect(counts).toEqual({ inserted: 15, updated: 3, skipped: 12 });
      expect(counts.inserted + counts.updated + counts.skipped).toBe(aapl.length + msft.length);
      expect(await count()).toBe(35);
      expect(await count(`source = 'second'`)).toBe(18);
      const rows = await stored();
      const at = (ticker: string, i: number): Stored | undefined =>
        rows.find((r) => r.ticker === ticker && r.ms === T0 + i * MIN);
      expect(at('AAPL', 5)?.close).toBe(aapl[0]?.c);
      expect(at('AAPL', 7)).toMatchObject({ close: aapl[2]?.c, source: 'first' });
      expect(at('MSFT', 0)).toMatchObject({ close: msft[0]?.c, source: 'second' });
      expect(at('MSFT', 19)).toMatchObject({ close: msft[19]?.c, source: 'second' });
    });

    it('update mode: the last occurrence of a key within a unit wins; earlier ones are skipped', async () => {
      const base = bars(AAPL1, 0, 6);
      const b = (i: number): Row => {
        const r = base[i];
        if (r === undefined) throw new Error(`no bar ${i}`);
        return r;
      };
      const seed = base.slice(0, 5);
      // key 0: changed twice (last: +2) → updated; key 5: new, twice (last: +20) → inserted;
      // key 1: identical, changed, identical (last) → unchanged; key 2: changed, then identical (last) → unchanged.
      const unit = [
        [changed(b(0), { c: b(0).c + 1 }), changed(b(5), { c: b(5).c + 10 }), b(1), changed(b(2), { c: 1 })],
        [changed(b(0), { c: b(0).c + 2 }), changed(b(1), { c: 9 }), changed(b(5), { c: b(5).c + 20 }), b(1), b(2)],
      ];
      const finalRows = [
        expected(changed(b(0), { c: b(0).c + 2 }), 'second'),
        expected(b(1), 'first'),
        expected(b(2), 'first'),
        expected(b(3), 'first'),
        expected(b(4), 'first'),
        expected(changed(b(5), { c: b(5).c + 20 }), 'second'),
      ];
      for (let attempt = 0; attempt < 2; attempt++) {
        await db.query('TRUNCATE market_data');
        await runUnit(db.writer, 'fail', [seed], 'first');
        const counts = await runUnit(db.writer, 'update', unit, 'second');
        expect(counts).toEqual({ inserted: 1, updated: 1, skipped: 7 });
        expect(counts.inserted + counts.updated + counts.skipped).toBe(9);
        expect(withoutMarkers(await stored())).toEqual(finalRows);
      }
      // All occurrences of a new key in one unit: one inserted, the rest skipped, the last stored.
      await db.query('TRUNCATE market_data');
      const dup = [changed(b(0), { v: 1 }), changed(b(0), { v: 2 }), changed(b(0), { v: 3 })];
      expect(await runUnit(db.writer, 'update', [dup.slice(0, 2), dup.slice(2)], 'x')).toEqual({ inserted: 1, updated: 0, skipped: 2 });
      expect(withoutMarkers(await stored())).toEqual([expected(changed(b(0), { v: 3 }), 'x')]);
    });

    it('update mode: an empty unit commits with zero counts', async () => {
      expect(await runUnit(db.writer, 'update', [])).toEqual({ inserted: 0, updated: 0, skipped: 0 });
      expect(await runUnit(db.writer, 'update', [[]])).toEqual({ inserted: 0, updated: 0, skipped: 0 });
    });

    it('update mode: rollback leaves the stored values unchanged and the writer usable', async () => {
      const original = bars(AAPL1, 0, 10);
      await runUnit(db.writer, 'update', [original], 'first');
      const before = await stored();
      const unit = await db.writer.begin({ mode: 'update', source: 'second' });
      await unit.write(batchOf(original.map((r) => changed(r, { c: r.c + 5 }))));
      await unit.write(batchOf(bars(AAPL1, 10, 5)));
      await unit.rollback();
      await unit.rollback(); // idempotent
      await expect(unit.commit()).rejects.toBeInstanceOf(SinkError);
      expect(await stored()).toEqual(before);
      const again = original.map((r, i) => (i === 0 ? changed(r, { c: 1 }) : r));
      expect(await runUnit(db.writer, 'update', [again], 'third')).toEqual({ inserted: 0, updated: 1, skipped: 9 });
    });

    it('ignore and fail modes report updated = 0 and never replace stored values', async () => {
      const original = bars(AAPL1, 0, 5);
      expect(await runUnit(db.writer, 'fail', [original], 'first')).toEqual({ inserted: 5, updated: 0, skipped: 0 });
      const before = await stored();
      const changedRows = original.map((r) => changed(r, { c: r.c + 1 }));
      expect(await runUnit(db.writer, 'ignore', [changedRows, bars(AAPL1, 5, 2)], 'second')).toEqual({
        inserted: 2, updated: 0, skipped: 5,
      });
      expect((await stored()).slice(0, 5)).toEqual(before);
      const err = await failingUnit(db.writer, [changedRows]);
      expect((err as SinkError).dbCode).toBe('23505');
      expect((await stored()).slice(0, 5)).toEqual(before);
    });

    it('update mode: concurrent units writing the same new keys both commit; the later one updates', async () => {
      const rows = bars(AAPL1, 0, 50);
      const versions = ['a', 'b', 'c'].map((source, n) => ({ source, rows: rows.map((r) => changed(r, { c: r.c + n + 1 })) }));
      const results = await Promise.all(
        versions.map(async ({ source, rows: rs }) => {
          const unit = await db.writer.begin({ mode: 'update', source });
          await unit.write(batchOf(rs.slice(0, 25)));
          await new Promise((r) => setTimeout(r, 5));
          await unit.write(batchOf(rs.slice(25)));
          return { source, counts: await unit.commit() };
        }),
      );
      const firsts = results.filter((r) => r.counts.inserted > 0);
      expect(firsts.map((r) => r.counts)).toEqual([{ inserted: 50, updated: 0, skipped: 0 }]);
      expect(results.filter((r) => r.counts.inserted === 0).map((r) => r.counts)).toEqual([
        { inserted: 0, updated: 50, skipped: 0 },
        { inserted: 0, updated: 50, skipped: 0 },
      ]);
      // Every key holds the values of one and the same unit (the last to commit), never a mix.
      const after = await stored();
      const winner = versions.find((v) => v.source === after[0]?.source);
      expect(winner).toBeDefined();
      expect(withoutMarkers(after)).toEqual(winner?.rows.map((r) => expected(r, winner.source)));
    });

    if (sideSessions) it('update mode: units blocked by another transaction on the same keys wait, then insert or update exactly', async () => {
      const side = target.sideSession;
      if (side === undefined) throw new Error(`${name}: no side session, although the contract was told it has one`);
      const session = await side();
      try {
        const rows = bars(AAPL1, 0, 20);
        const versions = ['a', 'b'].map((source, n) => ({ source, rows: rows.map((r) => changed(r, { c: r.c + n + 1 })) }));
        // Another transaction inserts keys 0..9 and keeps them uncommitted: both units must wait for it.
        await session.query('BEGIN');
        for (const r of rows.slice(0, 10)) {
          await session.query(
            `INSERT INTO market_data (ticker, exchange, interval_minutes, "timestamp", open, high, low, close, volume, source)
             VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000), $5, $6, $7, $8, $9, 'blocker')`,
            [r.key.ticker, r.key.exchange, r.key.intervalMinutes, r.ms, r.o, r.h, r.l, r.c, r.v],
          );
        }
        let settled = 0;
        const running = versions.map(async ({ source, rows: rs }) => {
          const unit = await db.writer.begin({ mode: 'update', source });
          await unit.write(batchOf(rs));
          const counts = await unit.commit();
          settled++;
          return { source, counts };
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(settled).toBe(0);
        await session.query('COMMIT');
        const results = await Promise.all(running);
        // The first through inserts 10..19 and updates the blocker's 0..9; the other waits for it, then updates all 20.
        const sorted = results.map((r) => r.counts).sort((x, y) => y.inserted - x.inserted);
        expect(sorted).toEqual([{ inserted: 10, updated: 10, skipped: 0 }, { inserted: 0, updated: 20, skipped: 0 }]);
        const last = results.find((r) => r.counts.inserted === 0)?.source;
        const winner = versions.find((v) => v.source === last);
        expect(withoutMarkers(await stored())).toEqual(winner?.rows.map((r) => expected(r, winner.source)));
      } finally {
        await session.query('ROLLBACK').catch(() => undefined);
        await session.close();
      }
    });

    it('update mode: concurrent units replacing the same stored keys, written in different orders, do not deadlock', async () => {
      const rows = bars(AAPL1, 0, 300);
      await runUnit(db.writer, 'fail', [rows], 'seed');
      const versions = [0, 1, 2, 3].map((n) => {
        const rs = rows.map((r) => changed(r, { c: r.c + n + 1, v: r.v + n }));
        return { source: `u${n}`, rows: rs, order: n % 2 === 0 ? rs : [...rs].reverse() };
      });
      const results = await Promise.all(
        versions.map(async ({ source, order }) => {
          const unit = await db.writer.begin({ mode: 'update', source });
          for (let i = 0; i < order.length; i += 100) await unit.write(batchOf(order.slice(i, i + 100)));
          return unit.commit();
        }),
      );
      expect(results).toEqual(versions.map(() => ({ inserted: 0, updated: 300, skipped: 0 })));
      const after = await stored();
      const winner = versions.find((v) => v.source === after[0]?.source);
      expect(withoutMarkers(after)).toEqual(winner?.rows.map((r) => expected(r, winner.source)));
    });

    it('concurrent units all commit', async () => {
      const tickers = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META'];
      const results = await Promise.all(
        tickers.map(async (t) => {
          const unit = await db.writer.begin({ mode: 'ignore', source: 'test' });
          await unit.write(batchOf(bars(key(t), 0, 100)));
          await new Promise((r) => setTimeout(r, 5));
          await unit.write(batchOf(bars(key(t), 100, 50)));
          return unit.commit();
        }),
      );
      expect(results).toEqual(tickers.map(() => ({ inserted: 150, updated: 0, skipped: 0 })));
      expect(await count()).toBe(900);
    });

    it('rollback leaves nothing', async () => {
      const unit = await db.writer.begin({ mode: 'fail', source: 'test' });
      await unit.write(batchOf(bars(AAPL1, 0, 20)));
      await unit.write(batchOf(bars(MSFT1, 0, 20)));
      await unit.rollback();
      await unit.rollback(); // idempotent
      expect(await count()).toBe(0);
      const unit2 = await db.writer.begin({ mode: 'ignore', source: 'test' });
      await unit2.write(batchOf(bars(AAPL1, 0, 20)));
      await unit2.rollback();
      expect(await count()).toBe(0);
      await expect(unit2.commit()).rejects.toBeInstanceOf(SinkError);
    });

    it('1- and 5-minute bars of one ticker at the same time coexist', async () => {
      const one = bars(AAPL1, 0, 5, 5);
      const five = bars(key('AAPL', 5), 0, 5);
      expect(one.map((r) => r.ms)).toEqual(five.map((r) => r.ms));
      expect(await runUnit(db.writer, 'fail', [one, five])).toEqual({ inserted: 10, updated: 0, skipped: 0 });
      expect(await count('interval_minutes = 5')).toBe(5);
      expect(await count('interval_minutes = 1')).toBe(5);
    });

    it('a large unit streams in many batches', async () => {
      const batches: Row[][] = [];
      for (let b = 0; b < 6; b++) batches.push(bars(AAPL1, b * 10_000, 10_000));
      expect(await runUnit(db.writer, 'fail', batches)).toEqual({ inserted: 60_000, updated: 0, skipped: 0 });
      expect(await runUnit(db.writer, 'ignore', batches.slice(2, 4))).toEqual({ inserted: 0, updated: 0, skipped: 20_000 });
      const someChanged = batches.slice(2, 4).map((b) => b.map((r, i) => (i % 1000 === 0 ? changed(r, { c: r.c + 1 }) : r)));
      expect(await runUnit(db.writer, 'update', [...someChanged, bars(AAPL1, 60_000, 10_000)])).toEqual({
        inserted: 10_000, updated: 20, skipped: 19_980,
      });
      expect(await count()).toBe(70_000);
    });
  });
}

// ---- PostgreSQL server: a fresh database per run ----
const serverUp = await requireServer('PostgreSQL', await postgresAvailable());

barWriterContract('PostgreSQL server', serverUp, true, async () => {
  const dbName = `barfill_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgServerUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(pgServerUrl);
  url.pathname = `/${dbName}`;
  const home = await mkdtemp(path.join(os.tmpdir(), 'barfill-pg-'));
  const handle = await openPostgres({ DATABASE_URL: url.toString() }, { home, maxConnections: 4, logger: silentLogger });
  expect(handle.embedded).toBe(false);
  expect(handle.description).toContain(`/${dbName}`);
  return {
    handle,
    sideSession: async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      return {
        query: async (sql: string, params?: unknown[]) => {
          await client.query(sql, params);
        },
        close: () => client.end(),
      };
    },
    cleanup: async () => {
      const a = new pg.Client({ connectionString: pgServerUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await a.end();
      await rm(home, { recursive: true, force: true });
    },
  };
});

// ---- Embedded PGlite: a temporary directory ----
barWriterContract('embedded PGlite', true, false, async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'barfill-pglite-'));
  const handle = await openPostgres({}, { home, maxConnections: 4, logger: silentLogger });
  expect(handle.embedded).toBe(true);
  expect(handle.description).toBe(`embedded PostgreSQL (PGlite) at ${path.join(home, 'pglite')}`);
  return { handle, cleanup: () => rm(home, { recursive: true, force: true }) };
});
