/** How a run ended (`running` until it does). */
export type RunOutcome = 'running' | 'success' | 'failed' | 'interrupted';

/** A unit of work: an instrument's input file, a ticker, a CSV file. */
export type UnitState = 'done' | 'failed';

export interface RunRecord {
  readonly runId: string;
  readonly command: string;
  /** The command's arguments, without secrets (enough to rerun it). */
  readonly args: Readonly<Record<string, unknown>>;
  readonly startedAtMs: number;
  readonly finishedAtMs: number | undefined;
  readonly outcome: RunOutcome;
}

export interface UnitRecord {
  readonly runId: string;
  readonly unit: string;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsSkipped: number;
  readonly rowsRejected: number;
  readonly state: UnitState;
  readonly error: string | undefined;
  readonly updatedAtMs: number;
}

/** The process that holds a run: its pid on its host. */
export interface RunHolder {
  readonly pid: number;
  readonly host: string;
}

/** A run's lease: its holder and when the holder last said it was alive. */
export interface RunLease extends RunHolder {
  readonly heartbeatAtMs: number;
}

/** The answer to `takeLease`: taken, or refused because of the live lease in the way. */
export type LeaseTake = { readonly taken: true } | { readonly taken: false; readonly holder: RunLease };

/**
 * Port: the record of runs and their units of work, kept in the target
 * database itself (adapters: PostgreSQL/PGlite, ClickHouse). `--resume` reruns
 * the units of a run that are not `done`; `barfill runs` lists them.
 */
export interface RunLedger {
  startRun(run: Omit<RunRecord, 'finishedAtMs' | 'outcome'>): Promise<void>;
  /** Records (or replaces) the latest state of a unit. */
  recordUnit(unit: UnitRecord): Promise<void>;
  finishRun(runId: string, outcome: Exclude<RunOutcome, 'running'>, finishedAtMs: number): Promise<void>;
  /** The newest runs first; of one command when given. */
  listRuns(limit: number, command?: string): Promise<RunRecord[]>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  units(runId: string): Promise<UnitRecord[]>;
  /** The run's lease, if one is held (released leases are not returned). */
  lease(runId: string): Promise<RunLease | undefined>;
  /**
   * Takes the run's lease for `holder` unless another holder's lease is in the
   * way and not `stale` (the caller's rule). Taking over is atomic on PostgreSQL
   * (compare-and-set); on ClickHouse the newest write wins and is read back.
   */
  takeLease(runId: string, holder: RunHolder, nowMs: number, stale: (lease: RunLease) => boolean): Promise<LeaseTake>;
  /** Renews the holder's lease (nothing when another holder took it). */
  heartbeat(runId: string, holder: RunHolder, nowMs: number): Promise<void>;
  /** Gives the lease up (nothing when another holder took it). */
  releaseLease(runId: string, holder: RunHolder): Promise<void>;
}
