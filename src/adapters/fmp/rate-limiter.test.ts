import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

/** Virtual time: `sleep` registers a timer; `run` fires timers in order, advancing the clock. */
class VirtualTime {
  now = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  readonly clock = { monotonic: (): number => this.now };
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.now + ms, resolve });
    });

  /** Runs until no timer is left (or `until` is reached). */
  async run(until = Number.POSITIVE_INFINITY): Promise<void> {
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > until) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.resolve();
    }
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function grantTimes(vt: VirtualTime, limiter: RateLimiter, n: number): { times: number[]; done: Promise<unknown> } {
  const times: number[] = [];
  const done = Promise.all(
    Array.from({ length: n }, () =>
      limiter.acquire().then(() => {
        times.push(vt.now);
      }),
    ),
  );
  return { times, done };
}

describe('RateLimiter', () => {
  it('spaces grants evenly: (window + margin) / requests', async () => {
    const vt = new VirtualTime();
    const limiter = new RateLimiter({ requestsPerWindow: 300, windowMs: 60_000, marginMs: 600, clock: vt.clock, sleep: vt.sleep });
    expect(limiter.spacingMs).toBe(202);
    const { times, done } = grantTimes(vt, limiter, 10);
    await vt.run();
    await done;
    expect(times).toEqual([0, 202, 404, 606, 808, 1010, 1212, 1414, 1616, 1818]);
  });

  it('never lets more than N requests into any window, whatever the arrival pattern', async () => {
    const vt = new VirtualTime();
    const limiter = new RateLimiter({ requestsPerWindow: 5, windowMs: 1000, clock: vt.clock, sleep: vt.sleep });
    const times: number[] = [];
    // Workers asking in bursts at irregular moments.
    const asks: Promise<void>[] = [];
    for (const at of [0, 0, 0, 10, 10, 700, 700, 700, 2500, 2500, 2501, 2502, 2503, 2504, 2505, 2506]) {
      if (at > vt.now) await vt.run(at);
      vt.now = Math.max(vt.now, at);
      asks.push(
        limiter.acquire().then(() => {
          times.push(vt.now);
        }),
      );
    }
    await vt.run();
    await Promise.all(asks);
    expect(times).toHaveLength(16);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(5);
    }
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(limiter.spacingMs);
  });

  it('pause holds back every waiting worker', async () => {
    const vt = new VirtualTime();
    const limiter = new RateLimiter({ requestsPerWindow: 60, windowMs: 60_000, marginMs: 0, clock: vt.clock, sleep: vt.sleep });
    const { times, done } = grantTimes(vt, limiter, 3);
    await vt.run(0);
    expect(times).toEqual([0]);
    limiter.pause(5000);
    await vt.run();
    await done;
    expect(times).toEqual([0, 5000, 6000]);
  });

  it('rejects a waiter whose signal aborts and keeps serving the others', async () => {
    const vt = new VirtualTime();
    const limiter = new RateLimiter({ requestsPerWindow: 60, windowMs: 60_000, marginMs: 0, clock: vt.clock, sleep: vt.sleep });
    await limiter.acquire();
    const ac = new AbortController();
    const aborted = limiter.acquire(ac.signal);
    const next = limiter.acquire();
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(1);
    await vt.run();
    await next;
    expect(vt.now).toBe(1000);
    await expect(limiter.acquire(ac.signal)).rejects.toThrow('stop');
  });

  it('refuses nonsense settings', () => {
    expect(() => new RateLimiter({ requestsPerWindow: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ requestsPerWindow: 10, windowMs: -1 })).toThrow(RangeError);
  });
});
