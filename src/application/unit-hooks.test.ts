import { describe, expect, it } from 'vitest';
import { FixedClock } from '../kernel/clock.js';
import { silentLogger } from '../kernel/logger.js';
import type { ProgressSink } from './ports/progress.js';
import { trackUnits } from './unit-hooks.js';

describe('trackUnits', () => {
  it('tells the progress display whether a finished unit is done (a failed one is not)', async () => {
    const calls: [string, boolean | undefined][] = [];
    const progress: ProgressSink = { begin() {}, unitStarted() {}, unitRows() {}, unitFinished: (u, done) => calls.push([u, done]), end() {} };
    const hooks = trackUnits({ progress, ledger: undefined, clock: new FixedClock(0), logger: silentLogger });
    await hooks.finished({ name: 'a', done: true, read: 5, written: 5, skipped: 0, rejected: 0 });
    await hooks.finished({ name: 'b', done: false, read: 9, written: 4, skipped: 0, rejected: 0, error: 'x' });
    expect(calls).toEqual([['a', true], ['b', false]]);
  });
});
