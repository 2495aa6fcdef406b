import type { RunLease } from './ports/run-ledger.js';

/** How often a running process renews its run's lease. */
export const LEASE_HEARTBEAT_MS = 5_000;
/** A lease of another host not renewed for this long is stale (its process is hung or gone, or the host is). */
export const LEASE_STALE_MS = 30_000;

/**
 * Whether a run's lease may be taken over. On this very host the holder's pid
 * decides: stale once that process no longer exists, live while it does
 * (whatever the heartbeat: a long embedded transaction may delay it). Held on
 * another host: stale when not renewed for `staleMs`.
 */
export function leaseIsStale(
  lease: RunLease,
  here: { readonly nowMs: number; readonly host: string; readonly pidAlive: (pid: number) => boolean; readonly staleMs?: number },
): boolean {
  if (lease.host === here.host) return !here.pidAlive(lease.pid);
  return here.nowMs - lease.heartbeatAtMs > (here.staleMs ?? LEASE_STALE_MS);
}
