import { performance } from 'node:perf_hooks';
import type { Clock } from '../../kernel/clock.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  monotonic(): number {
    return performance.now();
  }
}
