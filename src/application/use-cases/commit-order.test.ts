import { describe, expect, it } from 'vitest';
import { StopController } from '../../kernel/stop-signal.js';
import { CommitOrder } from './commit-order.js';

describe('CommitOrder', () => {
  it('a unit takes its turn once every unit before it has finished, whatever order they finish in', async () => {
    const order = new CommitOrder(3);
    const turns: number[] = [];
    const t2 = order.turn(2, undefined).then(() => turns.push(2));
    const t1 = order.turn(1, undefined).then(() => turns.push(1));
    order.finished(2);
    await Promise.resolve();
    expect(turns).toEqual([]);
    order.finished(0);
    await t1;
    expect(turns).toEqual([1]);
    order.finished(1);
    await t2;
    expect(turns).toEqual([1, 2]);
    expect(await order.turn(0, undefined)).toBe(true);
  });

  it('a stop ends the wait with false', async () => {
    const order = new CommitOrder(2);
    const stop = new StopController();
    const waiting = order.turn(1, stop.signal);
    stop.abort(new Error('SIGINT'));
    expect(await waiting).toBe(false);
    expect(await order.turn(1, stop.signal)).toBe(false);
  });
});
