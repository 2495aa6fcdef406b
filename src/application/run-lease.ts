import type { RunLease } from './ports/run-ledger.js';

/** How often a running process renews its run's lease. */
export const LEASE_HEARTBEAT_MS = 5_000;
/** A lease not renewed for this long is stale (its process is hung, gone, or on a host that went away). */
export const LEASE_STALE_MS = 30_000;

/**
 * Whether a run's lease may be taken over: no heartbeat for `staleMs`, or
 * held on this very host by a process that no longer exists.
 */
export function leaseIsStale(
  lease: RunLease,
  here: { readonly nowMs: number; readonly host: string; readonly pidAlive: (pid: number) => boolean; readonly staleMs?: number },
): boolean {
  if (here.nowMs - lease.heartbeatAtMs > (here.staleMs ?? LEASE_STALE_MS)) return true;
  return lease.host === here.host && !here.pidAlive(lease.pid);
}
