import type { BarBatch } from '../bar-batch.js';

/** The bars of one unit (a ticker), kept apart until the unit is known to have succeeded. */
export interface BarExportUnit {
  write(batch: BarBatch): Promise<void>;
  /** The unit succeeded: its rows become part of the export. */
  commit(): Promise<void>;
  /** The unit failed: its rows are dropped. */
  discard(): Promise<void>;
}

/**
 * Port: a combined export of every successful unit's bars (adapter: one CSV
 * file written atomically). Nothing is visible at the destination until `finish`.
 */
export interface BarExport {
  begin(): Promise<BarExportUnit>;
  finish(): Promise<{ rows: number }>;
  abort(): Promise<void>;
}
