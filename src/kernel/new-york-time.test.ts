import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { dstBoundsUtc, newYorkToUtcMs, tryNewYorkToUtcMs, utcMsToNewYork } from './new-york-time.js';

const intl = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** New York wall time from the tz database, as `YYYY-MM-DD HH:MM:SS`. */
function intlWall(ms: number): string {
  const p: Record<string, string> = {};
  for (const part of intl.formatToParts(new Date(ms))) p[part.type] = part.value;
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}:${p['second']}`;
}

const utc = (iso: string): number => Date.parse(iso);

describe('newYorkToUtcMs', () => {
  it('converts winter (EST, UTC-5) and summer (EDT, UTC-4) session times', () => {
    expect(newYorkToUtcMs('2024-01-02 09:30:00')).toBe(utc('2024-01-02T14:30:00Z'));
    expect(newYorkToUtcMs('2024-07-01 09:30:00')).toBe(utc('2024-07-01T13:30:00Z'));
    expect(newYorkToUtcMs('2024-07-01 15:59:00')).toBe(utc('2024-07-01T19:59:00Z'));
  });

  it('crosses the March change (2nd Sunday, 2024-03-10) correctly', () => {
    expect(newYorkToUtcMs('2024-03-08 09:30:00')).toBe(utc('2024-03-08T14:30:00Z')); // Friday, EST
    expect(newYorkToUtcMs('2024-03-11 09:30:00')).toBe(utc('2024-03-11T13:30:00Z')); // Monday, EDT
    expect(newYorkToUtcMs('2024-03-10 01:59:59')).toBe(utc('2024-03-10T06:59:59Z'));
    expect(newYorkToUtcMs('2024-03-10 03:00:00')).toBe(utc('2024-03-10T07:00:00Z'));
  });

  it('crosses the November change (1st Sunday, 2024-11-03) correctly', () => {
    expect(newYorkToUtcMs('2024-11-01 09:30:00')).toBe(utc('2024-11-01T13:30:00Z')); // Friday, EDT
    expect(newYorkToUtcMs('2024-11-04 09:30:00')).toBe(utc('2024-11-04T14:30:00Z')); // Monday, EST
    expect(newYorkToUtcMs('2024-11-03 00:59:59')).toBe(utc('2024-11-03T04:59:59Z'));
    expect(newYorkToUtcMs('2024-11-03 02:00:00')).toBe(utc('2024-11-03T07:00:00Z'));
  });

  it('reads the repeated fall-back hour as the earlier instant (EDT)', () => {
    expect(newYorkToUtcMs('2024-11-03 01:00:00')).toBe(utc('2024-11-03T05:00:00Z'));
    expect(newYorkToUtcMs('2024-11-03 01:30:00')).toBe(utc('2024-11-03T05:30:00Z'));
    expect(newYorkToUtcMs('2024-11-03 01:59:59')).toBe(utc('2024-11-03T05:59:59Z'));
  });

  it('reads the non-existent spring-forward hour with the pre-change offset (02:30 -> 03:30 EDT)', () => {
    expect(newYorkToUtcMs('2024-03-10 02:00:00')).toBe(utc('2024-03-10T07:00:00Z'));
    expect(newYorkToUtcMs('2024-03-10 02:30:00')).toBe(utc('2024-03-10T07:30:00Z'));
    expect(utcMsToNewYork(newYorkToUtcMs('2024-03-10 02:30:00'))).toBe('2024-03-10 03:30:00');
  });

  it('uses the 1987-2006 rules (1st Sunday of April .. last Sunday of October)', () => {
    expect(newYorkToUtcMs('2006-04-01 12:00:00')).toBe(utc('2006-04-01T17:00:00Z'));
    expect(newYorkToUtcMs('2006-04-03 12:00:00')).toBe(utc('2006-04-03T16:00:00Z'));
    expect(newYorkToUtcMs('2006-10-27 12:00:00')).toBe(utc('2006-10-27T16:00:00Z'));
    expect(newYorkToUtcMs('2006-10-30 12:00:00')).toBe(utc('2006-10-30T17:00:00Z'));
  });

  it('refuses text that is not a valid New York date and time', () => {
    for (const bad of ['2024-03-10', '2024-03-10T09:30:00', '2024-13-01 09:30:00', '2024-04-31 09:30:00', '2023-02-29 09:30:00', '2024-01-01 24:00:00', '2024-01-01 09:60:00', '2024-01-01 09:30:0x', ' 2024-01-01 09:30:00']) {
      expect(Number.isNaN(tryNewYorkToUtcMs(bad))).toBe(true);
      expect(() => newYorkToUtcMs(bad)).toThrow(InputError);
    }
    expect(Number.isNaN(tryNewYorkToUtcMs('2024-02-29 09:30:00'))).toBe(false);
  });
});

describe('utcMsToNewYork', () => {
  it('labels instants on both sides of both changes', () => {
    expect(utcMsToNewYork(utc('2024-03-10T06:59:59Z'))).toBe('2024-03-10 01:59:59');
    expect(utcMsToNewYork(utc('2024-03-10T07:00:00Z'))).toBe('2024-03-10 03:00:00');
    expect(utcMsToNewYork(utc('2024-11-03T05:30:00Z'))).toBe('2024-11-03 01:30:00');
    expect(utcMsToNewYork(utc('2024-11-03T06:30:00Z'))).toBe('2024-11-03 01:30:00');
    expect(utcMsToNewYork(utc('2024-11-03T07:00:00Z'))).toBe('2024-11-03 02:00:00');
  });

  it('agrees with the tz database every hour around every change, 1970..2040', () => {
    for (let year = 1970; year <= 2040; year++) {
      const b = dstBoundsUtc(year);
      for (const edge of [b.startMs, b.endMs]) {
        for (let h = -30; h <= 30; h++) {
          const ms = edge + h * 1_800_000;
          expect(utcMsToNewYork(ms)).toBe(intlWall(ms));
        }
      }
    }
  });

  it('agrees with the tz database at random instants and round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }), (sec) => {
        const ms = sec * 1000;
        const wall = utcMsToNewYork(ms);
        expect(wall).toBe(intlWall(ms));
        const back = newYorkToUtcMs(wall);
        // Only the repeated fall-back hour maps back to a different (the earlier) instant.
        if (back !== ms) expect(back).toBe(ms - 3_600_000);
        expect(utcMsToNewYork(back)).toBe(wall);
      }),
      { numRuns: 3000 },
    );
  });
});
