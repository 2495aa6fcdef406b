import type { LeaseTake, RunHolder, RunLease, RunLedger, RunOutcome, RunRecord, UnitRecord, UnitState } from '../../application/ports/run-ledger.js';
import type { ClickHouseGateway } from './clickhouse-gateway.js';
import { sqlString } from './clickhouse-sql.js';

/**
 * The run ledger in ClickHouse (tables of migrations/clickhouse/0004_run_ledger.sql and 0006_run_leases.sql):
 * every change is a new row with a higher version; reads use FINAL. Values are
 * written as escaped literals (sqlString) or numbers, never spliced raw.
 */
export class ClickHouseRunLedger implements RunLedger {
  private seq = 0;

  constructor(
    private readonly gateway: ClickHouseGateway,
    private readonly database: string,
  ) {}

  /** Increasing versions, even for several changes in one millisecond. */
  private version(): number {
    this.seq = (this.seq + 1) % 1000;
    return Date.now() * 1000 + this.seq;
  }

  async startRun(run: Omit<RunRecord, 'finishedAtMs' | 'outcome'>): Promise<void> {
    await this.gateway.command(
      `INSERT INTO ${this.database}.barfill_runs (run_id, command, args, started_ms, finished_ms, outcome, version) VALUES ` +
        `(${sqlString(run.runId)}, ${sqlString(run.command)}, ${sqlString(JSON.stringify(run.args))}, ${int(run.startedAtMs)}, NULL, 'running', ${this.version()})`,
    );
  }

  async recordUnit(u: UnitRecord): Promise<void> {
    await this.gateway.command(
      `INSERT INTO ${this.database}.barfill_run_units (run_id, unit, rows_read, rows_written, rows_skipped, rows_rejected, state, error, updated_ms, version) VALUES ` +
        `(${sqlString(u.runId)}, ${sqlString(u.unit)}, ${int(u.rowsRead)}, ${int(u.rowsWritten)}, ${int(u.rowsSkipped)}, ${int(u.rowsRejected)}, ` +
        `${sqlString(u.state)}, ${sqlString(u.error ?? '')}, ${int(u.updatedAtMs)}, ${this.version()})`,
    );
  }

  async finishRun(runId: string, outcome: Exclude<RunOutcome, 'running'>, finishedAtMs: number): Promise<void> {
    const run = await this.getRun(runId);
    if (run === undefined) return;
    await this.gateway.command(
      `INSERT INTO ${this.database}.barfill_runs (run_id, command, args, started_ms, finished_ms, outcome, version) VALUES ` +
        `(${sqlString(run.runId)}, ${sqlString(run.command)}, ${sqlString(JSON.stringify(run.args))}, ${int(run.startedAtMs)}, ${int(finishedAtMs)}, ${sqlString(outcome)}, ${this.version()})`,
    );
  }

  async listRuns(limit: number, command?: string): Promise<RunRecord[]> {
    const where = command === undefined ? '' : `WHERE command = ${sqlString(command)}`;
    const rows = await this.gateway.queryRows(
      `SELECT run_id, command, args, started_ms, finished_ms, outcome FROM ${this.database}.barfill_runs FINAL ${where} ` +
        `ORDER BY started_ms DESC, run_id DESC LIMIT ${int(limit)}`,
    );
    return rows.map(toRun);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const rows = await this.gateway.queryRows(
      `SELECT run_id, command, args, started_ms, finished_ms, outcome FROM ${this.database}.barfill_runs FINAL WHERE run_id = ${sqlString(runId)}`,
    );
    return rows[0] === undefined ? undefined : toRun(rows[0]);
  }

  async units(runId: string): Promise<UnitRecord[]> {
    const rows = await this.gateway.queryRows(
      `SELECT run_id, unit, rows_read, rows_written, rows_skipped, rows_rejected, state, error, updated_ms ` +
        `FROM ${this.database}.barfill_run_units FINAL WHERE run_id = ${sqlString(runId)} ORDER BY unit`,
    );
    return rows.map((r) => ({
      runId: String(r['run_id']),
      unit: String(r['unit']),
      rowsRead: Number(r['rows_read']),
      rowsWritten: Number(r['rows_written']),
      rowsSkipped: Number(r['rows_skipped']),
      rowsRejected: Number(r['rows_rejected']),
      state: String(r['state']) as UnitState,
      error: typeof r['error'] === 'string' && r['error'] !== '' ? r['error'] : undefined,
      updatedAtMs: Number(r['updated_ms']),
    }));
  }

  async lease(runId: string): Promise<RunLease | undefined> {
    const rows = await this.gateway.queryRows(
      `SELECT pid, host, heartbeat_ms FROM ${this.database}.barfill_run_leases FINAL WHERE run_id = ${sqlString(runId)}`,
    );
    const r = rows[0];
    if (r === undefined || Number(r['pid']) === 0) return undefined;
    return { pid: Number(r['pid']), host: String(r['host']), heartbeatAtMs: Number(r['heartbeat_ms']) };
  }

  /** No compare-and-set in ClickHouse: the newest version wins, and is read back to say who holds the run. */
  async takeLease(runId: string, holder: RunHolder, nowMs: number, stale: (lease: RunLease) => boolean): Promise<LeaseTake> {
    const current = await this.lease(runId);
    if (current !== undefined && !sameHolder(current, holder) && !stale(current)) return { taken: false, holder: current };
    await this.writeLease(runId, holder, nowMs);
    const winner = await this.lease(runId);
    return winner === undefined || sameHolder(winner, holder) ? { taken: true } : { taken: false, holder: winner };
  }

  async heartbeat(runId: string, holder: RunHolder, nowMs: number): Promise<void> {
    const current = await this.lease(runId);
    if (current !== undefined && sameHolder(current, holder)) await this.writeLease(runId, holder, nowMs);
  }

  async releaseLease(runId: string, holder: RunHolder): Promise<void> {
    const current = await this.lease(runId);
    if (current !== undefined && sameHolder(current, holder)) await this.writeLease(runId, { pid: 0, host: '' }, 0);
  }

  private async writeLease(runId: string, holder: RunHolder, nowMs: number): Promise<void> {
    await this.gateway.command(
      `INSERT INTO ${this.database}.barfill_run_leases (run_id, pid, host, heartbeat_ms, version) VALUES ` +
        `(${sqlString(runId)}, ${int(holder.pid)}, ${sqlString(holder.host)}, ${int(nowMs)}, ${this.version()})`,
    );
  }
}

function sameHolder(a: RunHolder, b: RunHolder): boolean {
  return a.pid === b.pid && a.host === b.host;
}

function int(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a non-negative integer: ${n}`);
  return String(n);
}

function toRun(r: Record<string, unknown>): RunRecord {
  return {
    runId: String(r['run_id']),
    command: String(r['command']),
    args: JSON.parse(String(r['args'])) as Record<string, unknown>,
    startedAtMs: Number(r['started_ms']),
    finishedAtMs: r['finished_ms'] === null || r['finished_ms'] === undefined ? undefined : Number(r['finished_ms']),
    outcome: String(r['outcome']) as RunOutcome,
  };
}
