import { describe, expect, it } from 'vitest';
import { GapFinder, everyMinute, sessionBars } from './gaps.js';

const T0 = Date.UTC(2024, 0, 1);
const M = 60_000;

describe('GapFinder', () => {
  it('reports exactly the planted holes of a 24/7 series, as ranges', () => {
    const present = [...everyMinute(T0, T0 + 100 * M)].filter((t) => {
      const k = (t - T0) / M;
      return !(k >= 10 && k < 13) && k !== 50 && k < 98;
    });
    const f = new GapFinder(everyMinute(T0, T0 + 100 * M), M);
    f.add(present.slice(0, 30));
    f.add(present.slice(30));
    expect(f.finish()).toEqual({
      expected: 100,
      present: 94,
      missing: 6,
      unexpected: 0,
      completeness: 0.94,
      gaps: [
        { startMs: T0 + 10 * M, endMs: T0 + 13 * M, bars: 3 },
        { startMs: T0 + 50 * M, endMs: T0 + 51 * M, bars: 1 },
        { startMs: T0 + 98 * M, endMs: T0 + 100 * M, bars: 2 },
      ],
    });
  });

  it('counts stored bars that are not expected, and ignores repeats', () => {
    const f = new GapFinder(everyMinute(T0, T0 + 3 * M), M);
    f.add([T0, T0, T0 + M + 5, T0 + M, T0 + 2 * M]);
    const s = f.finish();
    expect(s.unexpected).toBe(1);
    expect(s.missing).toBe(1); // T0 + M arrived out of order after a later time: counted missing
  });

  it('equities: nights, weekends and holidays are not gaps; a missing session splits at the night', () => {
    // 2024-03-28 (Thu) .. 2024-04-01 (Mon): Good Friday 03-29 closed, weekend.
    const slots = [...sessionBars('2024-03-28', '2024-04-01', 30)];
    expect(slots).toHaveLength(2 * 13);
    const present = slots.filter((_t, i) => i < 13); // Monday missing entirely
    const f = new GapFinder(sessionBars('2024-03-28', '2024-04-01', 30), 30 * M);
    f.add(present);
    const s = f.finish();
    expect(s.gaps).toEqual([{ startMs: Date.UTC(2024, 3, 1, 13, 30), endMs: Date.UTC(2024, 3, 1, 20, 0), bars: 13 }]);
  });

  it('early closes end at 13:00 New York', () => {
    const slots = [...sessionBars('2024-11-29', '2024-11-29', 60)];
    expect(slots.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['14:30', '15:30', '16:30', '17:30']);
  });
});
