import { UsageError } from './errors.js';
import { quoted } from './printable.js';

const ISO_AWARE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A half-open UTC interval `[startMs, endMs)` in epoch milliseconds. */
export class TimeRange {
  readonly startMs: number;
  readonly endMs: number;

  private constructor(startMs: number, endMs: number) {
    this.startMs = startMs;
    this.endMs = endMs;
  }

  static of(startMs: number, endMs: number): TimeRange {
    if (!isValidEpochMs(startMs) || !isValidEpochMs(endMs)) {
      throw new UsageError(`time range bounds must be epoch milliseconds within ±${MAX_EPOCH_MS}; got ${startMs}, ${endMs}`);
    }
    if (!(startMs < endMs)) {
      throw new UsageError(`time range is empty: start ${isoUtc(startMs)} is not before end ${isoUtc(endMs)}`);
    }
    return new TimeRange(startMs, endMs);
  }

  /** Parses two timezone-aware ISO 8601 strings (`Z` or an offset). */
  static parse(start: string, end: string): TimeRange {
    const s = parseIsoUtc(start, '--start');
    const e = parseIsoUtc(end, '--end');
    if (!(s < e)) throw new UsageError(`--start (${start}) must be before --end (${end})`);
    return new TimeRange(s, e);
  }

  contains(ms: number): boolean {
    return ms >= this.startMs && ms < this.endMs;
  }

  get durationMs(): number {
    return this.endMs - this.startMs;
  }

  toString(): string {
    return `[${isoUtc(this.startMs)}, ${isoUtc(this.endMs)})`;
  }

  toJSON(): { start: string; end: string } {
    return { start: isoUtc(this.startMs), end: isoUtc(this.endMs) };
  }
}

/** Parses a timezone-aware ISO 8601 timestamp to epoch ms; naive timestamps are refused. */
export function parseIsoUtc(value: string, flag: string): number {
  const m = ISO_AWARE.exec(value.trim());
  if (!m) {
    throw new UsageError(
      `${flag}: expected a timezone-aware ISO 8601 time such as 2024-01-01T00:00:00Z or 2024-01-01T02:00:00+02:00; got ${quoted(value, 60)}`,
    );
  }
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new UsageError(`${flag}: ${quoted(value.trim(), 60)} is not a valid date and time`);
  }
  // Milliseconds from the digits themselves (no float rounding): `.1239` is 123 ms.
  const ms = frac === undefined ? 0 : Number(frac.slice(1, 4).padEnd(3, '0'));
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) throw new UsageError(`${flag}: ${quoted(value.trim(), 60)} has an invalid UTC offset`);
    offsetMin = sign * (oh * 60 + om);
  }
  return utcEpochMs(year, month, day, hour, minute, second, ms) - offsetMin * 60_000;
}

/** The largest |epoch ms| a JavaScript Date holds (±100,000,000 days). */
export const MAX_EPOCH_MS = 8.64e15;

export function isValidEpochMs(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS;
}

/**
 * `Date.UTC` for a four-digit year taken literally (1-based month): `Date.UTC`
 * itself reads years 0..99 as 1900..1999, so `0024-01-01` would become 1924.
 */
export function utcEpochMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** Days in a month (1-based) of a year taken literally (0000 is a leap year, 1900 is not). */
export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** `2024-01-01T00:00:00Z` (milliseconds only when present). */
export function isoUtc(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}
