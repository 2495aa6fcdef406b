import type { Clock } from '../kernel/clock.js';
import { errorMessage } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { DoneMark } from './ports/bar-writer.js';
import type { ProgressSink } from './ports/progress.js';
import type { RunLedger } from './ports/run-ledger.js';

/** What a use-case tells about its units of work (tickers, files) as it goes. */
export interface UnitHooks {
  begin(total: { units: number; rows?: number }): void;
  started(unit: string): void;
  rows(unit: string, rows: number): void;
  /** The ledger's `done` record to commit with a unit's rows (undefined when no ledger is kept, e.g. dry run). */
  doneMark?(unit: string, counts: { read: number; rejected: number }): DoneMark | undefined;
  /** Awaited: a unit counts as recorded only once this resolves. */
  finished(unit: FinishedUnit): Promise<void>;
  end(): void;
}

export interface FinishedUnit {
  readonly name: string;
  readonly done: boolean;
  readonly read: number;
  readonly written: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly error?: string;
}

export const noUnitHooks: UnitHooks = {
  begin() {},
  started() {},
  rows() {},
  doneMark: () => undefined,
  finished: () => Promise.resolve(),
  end() {},
};

/**
 * Hooks that drive a progress display and record every finished unit in the
 * run ledger. A unit that wrote rows is recorded `done` in its own transaction
 * (`doneMark`); this later record repeats it, and records failed units and
 * units with nothing to write. Its failure is logged, never fatal to the unit.
 */
export function trackUnits(o: {
  progress: ProgressSink;
  ledger: { ledger: RunLedger; runId: string } | undefined;
  clock: Clock;
  logger: Logger;
}): UnitHooks {
  return {
    begin: (total) => {
      o.progress.begin(total);
    },
    started: (unit) => {
      o.progress.unitStarted(unit);
    },
    rows: (unit, rows) => {
      o.progress.unitRows(unit, rows);
    },
    doneMark: (unit, counts) =>
      o.ledger === undefined
        ? undefined
        : { runId: o.ledger.runId, unit, rowsRead: counts.read, rowsRejected: counts.rejected, atMs: o.clock.now() },
    finished: async (u) => {
      o.progress.unitFinished(u.name, u.done);
      if (o.ledger === undefined) return;
      try {
        await o.ledger.ledger.recordUnit({
          runId: o.ledger.runId,
          unit: u.name,
          rowsRead: u.read,
          rowsWritten: u.written,
          rowsSkipped: u.skipped,
          rowsRejected: u.rejected,
          state: u.done ? 'done' : 'failed',
          error: u.error,
          updatedAtMs: o.clock.now(),
        });
      } catch (err) {
        o.logger.warn(`[${u.name}] could not be recorded in the run ledger: ${errorMessage(err)}`);
      }
    },
    end: () => {
      o.progress.end();
    },
  };
}
