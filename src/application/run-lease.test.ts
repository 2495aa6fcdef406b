import { describe, expect, it } from 'vitest';
import { LEASE_STALE_MS, leaseIsStale } from './run-lease.js';

describe('leaseIsStale', () => {
  const lease = { pid: 10, host: 'h1', heartbeatAtMs: 1_000_000 };
  const alive = (): boolean => true;
  const gone = (): boolean => false;
  it('a lease renewed within the stale time is live, on any host, while its pid is alive', () => {
    expect(leaseIsStale(lease, { nowMs: 1_000_000 + LEASE_STALE_MS, host: 'h1', pidAlive: alive })).toBe(false);
    expect(leaseIsStale(lease, { nowMs: 1_000_000 + LEASE_STALE_MS, host: 'h2', pidAlive: gone })).toBe(false);
  });
  it('no heartbeat for longer than the stale time: stale', () => {
    expect(leaseIsStale(lease, { nowMs: 1_000_001 + LEASE_STALE_MS, host: 'h2', pidAlive: alive })).toBe(true);
  });
  it('same host and the pid is gone: stale at once', () => {
    expect(leaseIsStale(lease, { nowMs: 1_000_000, host: 'h1', pidAlive: gone })).toBe(true);
  });
});
