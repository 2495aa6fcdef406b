import type { RunLedger, RunOutcome, RunRecord, UnitRecord, UnitState } from '../../application/ports/run-ledger.js';

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
    await this.query(
      `INSERT INTO barfill_run_units (run_id, unit, rows_read, rows_written, rows_skipped, rows_rejected, state, error, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8 / 1000))
       ON CONFLICT (run_id, unit) DO UPDATE SET rows_read = EXCLUDED.rows_read, rows_written = EXCLUDED.rows_written,
         rows_skipped = EXCLUDED.rows_skipped, rows_rejected = EXCLUDED.rows_rejected, state = EXCLUDED.state,
         error = EXCLUDED.error, updated_at = EXCLUDED.updated_at`,
      [u.runId, u.unit, u.rowsRead, u.rowsWritten, u.rowsSkipped, u.rowsRejected, u.state, u.error ?? null, u.updatedAtMs],
    );
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
