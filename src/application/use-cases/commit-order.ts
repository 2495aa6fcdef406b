import type { StopSignal } from '../../kernel/stop-signal.js';

/**
 * Commits in item order: `turn(i)` resolves once every unit before `i` has
 * finished (committed, failed or rolled back), or the run is stopped. Units
 * still read and stage in parallel; only their commits queue. With
 * `--on-conflict update` this makes the later file win a key two files share,
 * whatever the thread timing.
 */
export class CommitOrder {
  private readonly finishedUpTo: Promise<void>[];
  private readonly finishOne: (() => void)[];

  constructor(count: number) {
    const own = Array.from({ length: count }, () => {
      let resolve!: () => void;
      const p = new Promise<void>((r) => (resolve = r));
      return { p, resolve };
    });
    this.finishOne = own.map((o) => o.resolve);
    // finishedUpTo[i]: units 0..i have all finished.
    this.finishedUpTo = [];
    let chain: Promise<void> = Promise.resolve();
    for (const o of own) {
      chain = Promise.all([chain, o.p]).then(() => undefined);
      this.finishedUpTo.push(chain);
    }
  }

  /** Waits until units `0..i-1` have finished; returns early (false) when `stop` fires. */
  async turn(i: number, stop: StopSignal | undefined): Promise<boolean> {
    const before = i === 0 ? Promise.resolve() : this.finishedUpTo[i - 1];
    if (before === undefined) return true;
    if (stop === undefined) {
      await before;
      return true;
    }
    if (stop.aborted) return false;
    let onAbort: () => void = () => undefined;
    const stopped = new Promise<boolean>((resolve) => {
      onAbort = () => {
        resolve(false);
      };
      stop.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([before.then(() => true), stopped]);
    } finally {
      stop.removeEventListener('abort', onAbort);
    }
  }

  /** Unit `i` has finished (in any way). */
  finished(i: number): void {
    this.finishOne[i]?.();
  }
}
