import { describe, expect, it } from 'vitest';
import { LEASE_STALE_MS, leaseIsStale } from './run-lease.js';

describe('leaseIsStale', () => {
  const lease = { pid: 10, host: 'h1', heartbeatAtMs: 1_000_000 };
  const alive = (): boolean => true;
  const gone = (): boolean => false;
  it('same host: the pid decides, whatever the heartbeat', () => {
    expect(leaseIsStale(lease, { nowMs: 1_000_000 + 10 * LEASE_STALE_MS, host: 'h1', pidAlive: alive })).toBe(false);
    expect(leaseIsStale(lease, { nowMs: 1_000_000, host: 'h1', pidAlive: gone })).toBe(true);
  });
  it('another host: live while renewed within the stale time, stale after', () => {
    expect(leaseIsStale(lease, { nowMs: 1_000_000 + LEASE_STALE_MS, host: 'h2', pidAlive: gone })).toBe(false);
    expect(leaseIsStale(lease, { nowMs: 1_000_001 + LEASE_STALE_MS, host: 'h2', pidAlive: alive })).toBe(true);
  });
});
