/**
 * One contract for the RunLedger port, run over every adapter: PostgreSQL
 * (server and PGlite) and ClickHouse (server and chDB), through the same
 * wiring the CLI uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunLedger } from '../../src/application/ports/run-ledger.js';
import { PgRunLedger } from '../../src/adapters/postgres/pg-run-ledger.js';
import { ClickHouseRunLedger } from '../../src/adapters/clickhouse/clickhouse-run-ledger.js';
import { openPostgres } from '../../apps/cli/wiring/db/postgres.js';
import { openClickHouse } from '../../apps/cli/wiring/db/clickhouse.js';
import { serverPg } from '../e2e/pg-target.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { chServerUrl, clickhouseAvailable, requireServer } from '../../test-support/servers.js';

interface Subject {
  ledger: RunLedger;
  close(): Promise<void>;
}

type Factory = () => Promise<Subject | undefined>;

const home = (): string => mkdtempSync(path.join(tmpdir(), 'barfill-ledger-'));

const factories: Record<string, Factory> = {
  'PGlite': async () => {
    const h = await openPostgres({}, { home: home(), maxConnections: 1, logger: silentLogger });
    await h.migrate();
    return { ledger: new PgRunLedger((sql, params) => h.query(sql, params)), close: () => h.close() };
  },
  'PostgreSQL server': async () => {
    const t = await serverPg();
    if (t === undefined) return undefined;
    const h = await openPostgres({ DATABASE_URL: t.env()['DATABASE_URL'] }, { home: home(), maxConnections: 2, logger: silentLogger });
    await h.migrate();
    return {
      ledger: new PgRunLedger((sql, params) => h.query(sql, params)),
      close: async () => {
        await h.close();
        await t.drop();
      },
    };
  },
  'chDB': async () => {
    const h = await openClickHouse({}, { home: home(), logger: silentLogger });
    await h.migrate();
    return { ledger: new ClickHouseRunLedger(h.gateway, h.database), close: () => h.close() };
  },
  'ClickHouse server': async () => {
    if (!(await requireServer('ClickHouse server', await clickhouseAvailable()))) return undefined;
    const u = new URL(chServerUrl);
    const db = `barfill_ledger_${randomBytes(4).toString('hex')}`;
    const h = await openClickHouse({ CH_HOST: u.hostname, CH_PORT: u.port || '8123', CH_DATABASE: db }, { home: home(), logger: silentLogger });
    await h.migrate();
    return {
      ledger: new ClickHouseRunLedger(h.gateway, h.database),
      close: async () => {
        await h.gateway.command(`DROP DATABASE IF EXISTS ${db}`);
        await h.close();
      },
    };
  },
};

for (const [name, make] of Object.entries(factories)) {
  describe(`RunLedger contract: ${name}`, () => {
    let s: Subject | undefined;
    beforeAll(async () => {
      s = await make();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('records runs and units; the latest unit record wins; runs list newest first', async (ctx) => {
      if (s === undefined) return ctx.skip();
      const l = s.ledger;
      const args = { tickers: ['AAPL', "O'NEIL"], interval: 1, path: 'a "quoted" \\ path' };
      await l.startRun({ runId: 'run-1', command: 'concurrent', args, startedAtMs: 1_700_000_000_123 });
      await l.startRun({ runId: 'run-2', command: 'inject-csv', args: {}, startedAtMs: 1_700_000_100_000 });
      expect(await l.getRun('run-1')).toEqual({ runId: 'run-1', command: 'concurrent', args, startedAtMs: 1_700_000_000_123, finishedAtMs: undefined, outcome: 'running' });
      const unit = { runId: 'run-1', unit: 'AAPL', rowsRead: 10, rowsWritten: 0, rowsSkipped: 0, rowsRejected: 0, state: 'failed' as const, error: "timeout ' quote", updatedAtMs: 1_700_000_000_500 };
      await l.recordUnit(unit);
      await l.recordUnit({ ...unit, rowsWritten: 10, state: 'done', error: undefined, updatedAtMs: 1_700_000_000_900 });
      await l.recordUnit({ ...unit, unit: "O'NEIL", state: 'failed', error: 'HTTP 503' });
      await l.finishRun('run-1', 'failed', 1_700_000_001_000);
      expect(await l.units('run-1')).toEqual([
        { ...unit, rowsWritten: 10, state: 'done', error: undefined, updatedAtMs: 1_700_000_000_900 },
        { ...unit, unit: "O'NEIL", state: 'failed', error: 'HTTP 503' },
      ]);
      expect(await l.getRun('run-1')).toMatchObject({ outcome: 'failed', finishedAtMs: 1_700_000_001_000 });
      expect((await l.listRuns(10)).map((r) => r.runId)).toEqual(['run-2', 'run-1']);
      expect((await l.listRuns(10, 'concurrent')).map((r) => r.runId)).toEqual(['run-1']);
      expect((await l.listRuns(1)).map((r) => r.runId)).toEqual(['run-2']);
      expect(await l.getRun('nope')).toBeUndefined();
      expect(await l.units('nope')).toEqual([]);
    });

    it('leases: taken, refused to another holder while live, renewed, taken over when stale, released', async (ctx) => {
      if (s === undefined) return ctx.skip();
      const l = s.ledger;
      const a = { pid: 4242, host: 'host-a' };
      const b = { pid: 77, host: "host-'b'" };
      const never = (): boolean => false;
      await l.startRun({ runId: 'run-lease', command: 'inject-csv', args: {}, startedAtMs: 1_700_000_000_000 });
      expect(await l.lease('run-lease')).toBeUndefined();
      expect(await l.takeLease('run-lease', a, 1_700_000_001_000, never)).toEqual({ taken: true });
      expect(await l.lease('run-lease')).toEqual({ ...a, heartbeatAtMs: 1_700_000_001_000 });
      // Live: refused, naming the holder; the holder itself may take it again.
      expect(await l.takeLease('run-lease', b, 1_700_000_002_000, never)).toEqual({ taken: false, holder: { ...a, heartbeatAtMs: 1_700_000_001_000 } });
      expect(await l.takeLease('run-lease', a, 1_700_000_002_000, never)).toEqual({ taken: true });
      await l.heartbeat('run-lease', a, 1_700_000_005_000);
      await l.heartbeat('run-lease', b, 1_700_000_006_000); // not the holder: no effect
      expect(await l.lease('run-lease')).toEqual({ ...a, heartbeatAtMs: 1_700_000_005_000 });
      // The staleness rule is the caller's: it sees the lease in the way.
      const seen: unknown[] = [];
      const stale = (lease: unknown): boolean => {
        seen.push(lease);
        return true;
      };
      expect(await l.takeLease('run-lease', b, 1_700_000_060_000, stale)).toEqual({ taken: true });
      expect(seen).toEqual([{ ...a, heartbeatAtMs: 1_700_000_005_000 }]);
      expect(await l.lease('run-lease')).toEqual({ ...b, heartbeatAtMs: 1_700_000_060_000 });
      await l.releaseLease('run-lease', a); // no longer the holder: no effect
      expect(await l.lease('run-lease')).toEqual({ ...b, heartbeatAtMs: 1_700_000_060_000 });
      await l.releaseLease('run-lease', b);
      expect(await l.lease('run-lease')).toBeUndefined();
      expect(await l.takeLease('run-lease', a, 1_700_000_070_000, never)).toEqual({ taken: true });
      expect(await l.lease('run-lease')).toEqual({ ...a, heartbeatAtMs: 1_700_000_070_000 });
    });
  });
}
