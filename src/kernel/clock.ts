/** The only way inner layers learn the time: injected, so tests control it. */
export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** A monotonic reading in milliseconds, for durations and rates. */
  monotonic(): number;
}

/** A clock that stands still unless advanced: for tests. */
export class FixedClock implements Clock {
  private wall: number;
  private mono = 0;
  constructor(wallMs: number) {
    this.wall = wallMs;
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}
