import { describe, expect, it } from 'vitest';
import { SinkError } from '../../kernel/errors.js';
import { attemptsOf, backoffDelay, withRetries } from './retry.js';

const policy = { maxRetries: 3, baseMs: 500, capMs: 30_000 };

describe('withRetries', () => {
  it('full jitter within min(cap, base * 2^(k-1))', () => {
    expect([1, 2, 3, 10].map((k) => backoffDelay(policy, k, () => 0.999999))).toEqual([499, 999, 1999, 29_999]);
    expect(backoffDelay(policy, 4, () => 0)).toBe(0);
  });

  it('retries transient failures up to the budget, then throws the last one with its attempt count', async () => {
    const waits: number[] = [];
    let calls = 0;
    const err = await withRetries(
      () => {
        calls++;
        return Promise.reject(new SinkError(`down ${calls}`, { transient: true }));
      },
      { policy, sleep: (ms) => (waits.push(ms), Promise.resolve()), random: () => 0.5, retryable: (e) => e instanceof SinkError && e.transient },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(waits).toEqual([250, 500, 1000]);
    expect((err as Error).message).toBe('down 4');
    expect(attemptsOf(err)).toBe(4);
  });

  it('does not retry a non-transient failure, and succeeds after a transient one', async () => {
    let calls = 0;
    await expect(
      withRetries(() => (calls++, Promise.reject(new SinkError('auth', { transient: false }))), { policy, sleep: () => Promise.resolve(), random: Math.random, retryable: (e) => e instanceof SinkError && e.transient }),
    ).rejects.toThrow('auth');
    expect(calls).toBe(1);
    let n = 0;
    const v = await withRetries(() => (++n < 3 ? Promise.reject(new SinkError('reset', { transient: true })) : Promise.resolve(n)), {
      policy, sleep: () => Promise.resolve(), random: Math.random, retryable: (e) => e instanceof SinkError && e.transient,
    });
    expect(v).toBe(3);
  });
});
