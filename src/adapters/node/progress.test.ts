import { describe, expect, it } from 'vitest';
import { LogProgress } from './progress.js';

describe('LogProgress', () => {
  it('reports units, rows, rate, ETA and active units', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new LogProgress({ debug() {}, info: (m) => lines.push(m), warn() {}, error() {} }, 10, () => now);
    p.begin({ units: 4, rows: 1000 });
    p.unitStarted('AAPL');
    p.unitStarted('MSFT');
    now = 10_000;
    p.unitRows('AAPL', 200);
    p.unitRows('MSFT', 50);
    p.unitFinished('MSFT');
    expect(p.line()).toBe('progress: units 1/4, rows 250/1000 (25 rows/s), ETA 30s; active: AAPL 200');
    p.end();
  });
  it('estimates from units when the row total is unknown', () => {
    let now = 0;
    const p = new LogProgress({ debug() {}, info() {}, warn() {}, error() {} }, 10, () => now);
    p.begin({ units: 3 });
    p.unitStarted('A');
    now = 60_000;
    p.unitFinished('A');
    expect(p.line()).toBe('progress: units 1/3, rows 0 (0 rows/s), ETA 2m00s');
    p.end();
  });
  it('does not count a unit that ended in failure as done', () => {
    const p = new LogProgress({ debug() {}, info() {}, warn() {}, error() {} }, 10, () => 0);
    p.begin({ units: 2 });
    p.unitStarted('a.parquet');
    p.unitStarted('b.parquet');
    p.unitFinished('a.parquet', true);
    p.unitFinished('b.parquet', false);
    expect(p.line()).toMatch(/^progress: units 1\/2, /);
    expect(p.line()).not.toContain('b.parquet');
    p.end();
  });
});
