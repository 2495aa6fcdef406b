import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './cli.js';
import { embeddedCh, serverCh, type ChTarget } from './ch-target.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';
import { writeBinanceSpotParquet } from '../../test-support/parquet-fixtures.js';
import { sessionBars } from '../../src/application/gaps.js';

const T0 = Date.UTC(2024, 5, 3);
const M = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Report { series: { series: string; expected: number; present: number; missing: number; gaps: { start: string; end: string; bars: number }[] }[] }

for (const make of [async () => Promise.resolve(embeddedCh()), serverCh]) {
  describe('gaps (ClickHouse canonical table)', () => {
    let t: ChTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });
    it('reports exactly the planted holes and nothing else', async (ctx) => {
      if (t === undefined) return ctx.skip();
      // Rows 10-12 and 50 are invalid (rejected, so never written): those minutes are the holes.
      const f = await writeBinanceSpotParquet(path.join(tempDir('gap'), 'g.parquet'), { symbol: 'GAPUSDT', startMs: T0, minutes: 120, invalidRows: [10, 11, 12, 50] });
      const load = await runCli(['backfill-1m', '--market-id', '1', '--symbol', 'GAPUSDT', '--start', iso(T0), '--end', iso(T0 + 120 * M), '--parquet', f.path], { env: t.env() });
      expect(load.code, load.stderr).toBe(0);
      const r = await runCli(['gaps', '--market-id', '1', '--symbol', 'GAPUSDT', '--start', iso(T0 - 5 * M), '--end', iso(T0 + 120 * M), '--format', 'json'], { env: t.env() });
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout) as Report;
      expect(rep.series[0]).toMatchObject({ series: 'binance:spot:GAPUSDT', expected: 125, present: 116, missing: 9 });
      expect(rep.series[0]?.gaps).toEqual([
        { start: new Date(T0 - 5 * M).toISOString(), end: new Date(T0).toISOString(), bars: 5 },
        { start: new Date(T0 + 10 * M).toISOString(), end: new Date(T0 + 13 * M).toISOString(), bars: 3 },
        { start: new Date(T0 + 50 * M).toISOString(), end: new Date(T0 + 51 * M).toISOString(), bars: 1 },
      ]);
      const text = await runCli(['gaps', '--market-id', '1', '--symbol', 'GAPUSDT', '--start', iso(T0), '--end', iso(T0 + 120 * M)], { env: t.env() });
      expect(text.stdout).toMatch(/binance:spot:GAPUSDT .* expected=120 present=116 missing=4 completeness=96\.67%/);
      expect(text.stdout).toContain(`missing ${iso(T0 + 10 * M)} .. ${iso(T0 + 13 * M)} (3 bars)`);
    });
  });
}

for (const make of [async () => Promise.resolve(embeddedPg()), serverPg]) {
  describe('gaps (PostgreSQL market_data, NYSE session)', () => {
    let t: PgTarget | undefined;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });
    it('reports the planted holes; weekends, Good Friday and nights are not gaps', async (ctx) => {
      if (t === undefined) return ctx.skip();
      // 2024-03-27 (Wed) .. 2024-04-02 (Tue), 30-minute bars; Good Friday 03-29 closed.
      const slots = [...sessionBars('2024-03-27', '2024-04-02', 30)];
      expect(slots).toHaveLength(4 * 13);
      const holes = new Set([slots[3], slots[4], slots[13 + 12], slots[2 * 13]]);
      const dir = tempDir('gapcsv');
      const lines = ['ticker,timestamp,open,high,low,close,volume'];
      for (const s of slots) if (!holes.has(s)) lines.push(`GAPQ,${iso(s)},10,11,9,10.5,100`);
      writeFileSync(path.join(dir, 'g.csv'), `${lines.join('\n')}\n`);
      const load = await runCli(['inject-csv', '--csv-dir', dir, '--interval', '30'], { env: t.env() });
      expect(load.code, load.stderr).toBe(0);
      const r = await runCli(['gaps', '--tickers', 'GAPQ', '--interval', '30', '--start', '270324', '--end', '020424', '--format', 'json'], { env: t.env() });
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout) as Report;
      expect(rep.series[0]).toMatchObject({ expected: 52, present: 48, missing: 4 });
      // Thursday's last bar and Monday's first are consecutive slots across Good Friday and the weekend,
      // but the slots jump there, so they are two ranges.
      expect(rep.series[0]?.gaps).toEqual([
        { start: new Date(slots[3]!).toISOString(), end: new Date(slots[4]! + 30 * M).toISOString(), bars: 2 },
        { start: new Date(slots[25]!).toISOString(), end: new Date(slots[25]! + 30 * M).toISOString(), bars: 1 },
        { start: new Date(slots[26]!).toISOString(), end: new Date(slots[26]! + 30 * M).toISOString(), bars: 1 },
      ]);
    });
  });
}

describe('gaps: known-empty windows and --fill (fake FMP, embedded PostgreSQL)', () => {
  it('reports what the vendor answered as empty apart, and --fill refetches just the missing days', async () => {
    const { startFakeFmp } = await import('../../test-support/fake-fmp/server.js');
    const { expectedBars } = await import('../../test-support/fake-fmp/data.js');
    const fake = await startFakeFmp();
    try {
      const t = embeddedPg();
      const env = t.env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
      // A symbol FMP has no data for: its windows are recorded as empty, so its missing bars are known-empty.
      const none = await runCli(['specific', '--start', '040324', '--end', '080324', '--tickers', 'ZZEMPTY', '--interval', '60'], { env });
      expect(none.code, none.stderr).toBe(0);
      const g1 = await runCli(['gaps', '--tickers', 'ZZEMPTY', '--interval', '60', '--start', '040324', '--end', '080324', '--format', 'json'], { env });
      const r1 = (JSON.parse(g1.stdout) as { series: { missing: number; missing_known_empty: number; gaps: unknown[]; known_empty: unknown[] }[] }).series[0]!;
      expect(r1).toMatchObject({ missing: 35, missing_known_empty: 35, gaps: [] });
      expect(r1.known_empty).toHaveLength(5);

      // AAPL loaded from a CSV with two bars of 2024-03-06 missing; --fill fetches that day only.
      const e = expectedBars('AAPL', 30, '2024-03-04', '2024-03-08');
      const dir = tempDir('fillcsv');
      const lines = ['ticker,timestamp,open,high,low,close,volume'];
      const holes = new Set([e.timestampMs[30], e.timestampMs[31]]);
      e.timestampMs.forEach((ts, i) => {
        if (!holes.has(ts)) lines.push(`AAPL,${iso(ts)},${e.open[i]},${e.high[i]},${e.low[i]},${e.close[i]},${e.volume[i]}`);
      });
      writeFileSync(path.join(dir, 'a.csv'), `${lines.join('\n')}\n`);
      const load = await runCli(['inject-csv', '--csv-dir', dir, '--interval', '30'], { env });
      expect(load.code, load.stderr).toBe(0);
      const before = await runCli(['gaps', '--tickers', 'AAPL', '--interval', '30', '--start', '040324', '--end', '080324'], { env });
      expect(before.stdout).toMatch(/missing=2 /);
      const requests = fake.stats.log.length;
      const filled = await runCli(['gaps', '--tickers', 'AAPL', '--interval', '30', '--start', '040324', '--end', '080324', '--fill', '--format', 'json', '--log-level', 'INFO'], { env });
      expect(filled.code, filled.stderr).toBe(0);
      expect(fake.stats.log.slice(requests).map((l) => `${l.symbol} ${l.from}..${l.to}`)).toEqual([`AAPL ${iso(e.timestampMs[30]!).slice(0, 10)}..${iso(e.timestampMs[30]!).slice(0, 10)}`]);
      const after = (JSON.parse(filled.stdout) as { series: { missing: number; gaps: unknown[] }[] }).series[0]!;
      expect(after).toMatchObject({ missing: 0, gaps: [] });
      expect(filled.stderr).toMatch(/\[AAPL\] Inserted in [\d.]+s \(ins=2 skip=11\)/);
    } finally {
      await fake.close();
    }
  });
});
