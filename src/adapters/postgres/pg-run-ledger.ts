import type { DoneMark, UnitCounts } from '../../application/ports/bar-writer.js';
import type { LeaseTake, RunHolder, RunLease, RunLedger, RunOutcome, RunRecord, UnitRecord, UnitState } from '../../application/ports/run-ledger.js';

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** The run ledger in PostgreSQL or PGlite (tables of migrations/postgres/0002_run_ledger.sql). */
export class PgRunLedger implements RunLedger {
  constructor(private readonly query: Query) {}

  async startRun(run: Omit<RunRecord, 'finishedAtMs' | 'outcome'>): Promise<void> {
    await this.query(
      `INSERT INTO barfill_runs (run_id, command, args, started_at, outcome) VALUES ($1, $2, $3::jsonb, to_timestamp($4::float8 / 1000), 'running')`,
      [run.runId, run.command, JSON.stringify(run.args), run.startedAtMs],
    );
  }

  async recordUnit(u: UnitRecord): Promise<void> {
    const { sql, params } = recordUnitStatement(u);
    await this.query(sql, params);
  }

  async finishRun(runId: string, outcome: Exclude<RunOutcome, 'running'>, finishedAtMs: number): Promise<void> {
    await this.query(`UPDATE barfill_runs SET outcome = $2, finished_at = to_timestamp($3::float8 / 1000) WHERE run_id = $1`, [
      runId,
      outcome,
      finishedAtMs,
    ]);
  }

  async listRuns(limit: number, command?: string): Promise<RunRecord[]> {
    const rows = await this.query(
      `SELECT run_id, command, args::text AS args, (extract(epoch FROM started_at) * 1000)::float8 AS started,
              (extract(epoch FROM finished_at) * 1000)::float8 AS finished, outcome
         FROM barfill_runs WHERE ($2::text IS NULL OR command = $2) ORDER BY started_at DESC, run_id DESC LIMIT $1`,
      [limit, command ?? null],
    );
    return rows.map(toRun);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const rows = await this.query(
      `SELECT run_id, command, args::text AS args, (extract(epoch FROM started_at) * 1000)::float8 AS started,
              (extract(epoch FROM finished_at) * 1000)::float8 AS finished, outcome FROM barfill_runs WHERE run_id = $1`,
      [runId],
    );
    return rows[0] === undefined ? undefined : toRun(rows[0]);
  }

  async units(runId: string): Promise<UnitRecord[]> {
    const rows = await this.query(
      `SELECT run_id, unit, rows_read::float8 AS rows_read, rows_written::float8 AS rows_written, rows_skipped::float8 AS rows_skipped,
              rows_rejected::float8 AS rows_rejected, state, error, (extract(epoch FROM updated_at) * 1000)::float8 AS updated
         FROM barfill_run_units WHERE run_id = $1 ORDER BY unit`,
      [runId],
    );
    return rows.map((r) => ({
      runId: String(r['run_id']),
      unit: String(r['unit']),
      rowsRead: Number(r['rows_read']),
      rowsWritten: Number(r['rows_written']),
      rowsSkipped: Number(r['rows_skipped']),
      rowsRejected: Number(r['rows_rejected']),
      state: String(r['state']) as UnitState,
      error: typeof r['error'] === 'string' ? r['error'] : undefined,
      updatedAtMs: Math.round(Number(r['updated'])),
    }));
  }

  async lease(runId: string): Promise<RunLease | undefined> {
    const rows = await this.query(
      `SELECT pid, host, round((extract(epoch FROM heartbeat_at) * 1000)::numeric)::float8 AS hb FROM barfill_run_leases WHERE run_id = $1`,
      [runId],
    );
    const r = rows[0];
    return r === undefined ? undefined : { pid: Number(r['pid']), host: String(r['host']), heartbeatAtMs: Math.round(Number(r['hb'])) };
  }

  async takeLease(runId: string, holder: RunHolder, nowMs: number, stale: (lease: RunLease) => boolean): Promise<LeaseTake> {
    const current = await this.lease(runId);
    if (current !== undefined && !sameHolder(current, holder) && !stale(current)) return { taken: false, holder: current };
    // Compare-and-set: the lease read above, or none, is replaced; a holder that came in between wins.
    const rows =
      current === undefined
        ? await this.query(
            `INSERT INTO barfill_run_leases (run_id, pid, host, heartbeat_at) VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000))
             ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
            [runId, holder.pid, holder.host, nowMs],
          )
        : await this.query(
            `UPDATE barfill_run_leases SET pid = $2, host = $3, heartbeat_at = to_timestamp($4::float8 / 1000)
              WHERE run_id = $1 AND pid = $5 AND host = $6 AND round((extract(epoch FROM heartbeat_at) * 1000)::numeric) = $7::numeric
              RETURNING run_id`,
            [runId, holder.pid, holder.host, nowMs, current.pid, current.host, current.heartbeatAtMs],
          );
    if (rows.length > 0) return { taken: true };
    const winner = await this.lease(runId);
    return winner === undefined || sameHolder(winner, holder) ? { taken: true } : { taken: false, holder: winner };
  }

  async heartbeat(runId: string, holder: RunHolder, nowMs: number): Promise<void> {
    await this.query(`UPDATE barfill_run_leases SET heartbeat_at = to_timestamp($4::float8 / 1000) WHERE run_id = $1 AND pid = $2 AND host = $3`, [
      runId,
      holder.pid,
      holder.host,
      nowMs,
    ]);
  }

  async releaseLease(runId: string, holder: RunHolder): Promise<void> {
    await this.query(`DELETE FROM barfill_run_leases WHERE run_id = $1 AND pid = $2 AND host = $3`, [runId, holder.pid, holder.host]);
  }
}

/**
 * The statement recording a unit (insert or replace): also run by the bar
 * writers inside a unit's own transaction, so a committed unit is recorded
 * `done` with its rows, atomically.
 */
export function recordUnitStatement(u: UnitRecord): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO barfill_run_units (run_id, unit, rows_read, rows_written, rows_skipped, rows_rejected, state, error, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8 / 1000))
       ON CONFLICT (run_id, unit) DO UPDATE SET rows_read = EXCLUDED.rows_read, rows_written = EXCLUDED.rows_written,
         rows_skipped = EXCLUDED.rows_skipped, rows_rejected = EXCLUDED.rows_rejected, state = EXCLUDED.state,
         error = EXCLUDED.error, updated_at = EXCLUDED.updated_at`,
    params: [u.runId, u.unit, u.rowsRead, u.rowsWritten, u.rowsSkipped, u.rowsRejected, u.state, u.error ?? null, u.updatedAtMs],
  };
}

/** The ledger row of a unit committed with `counts` (written in the unit's transaction). */
export function doneRecord(mark: DoneMark, counts: UnitCounts): UnitRecord {
  return {
    runId: mark.runId,
    unit: mark.unit,
    rowsRead: mark.rowsRead,
    rowsWritten: counts.inserted + counts.updated,
    rowsSkipped: counts.skipped,
    rowsRejected: mark.rowsRejected,
    state: 'done',
    error: undefined,
    updatedAtMs: mark.atMs,
  };
}

function sameHolder(a: RunHolder, b: RunHolder): boolean {
  return a.pid === b.pid && a.host === b.host;
}

function toRun(r: Record<string, unknown>): RunRecord {
  return {
    runId: String(r['run_id']),
    command: String(r['command']),
    args: JSON.parse(String(r['args'])) as Record<string, unknown>,
    startedAtMs: Math.round(Number(r['started'])),
    finishedAtMs: r['finished'] === null || r['finished'] === undefined ? undefined : Math.round(Number(r['finished'])),
    outcome: String(r['outcome']) as RunOutcome,
  };
}
