/**
 * The grid of bar starts of an interval: minutes that are a whole number of
 * intervals from the 09:30 New York session open (New York's UTC offsets are
 * whole hours, so the grid is the same in UTC). For 1, 5, 15 and 30 minutes
 * that is every multiple of the interval past the hour; 60-minute bars start
 * at half past (09:30, 10:30, ...), as FMP labels them.
 */
const OPEN_MINUTE_OF_DAY = 9 * 60 + 30;

export function onBarGrid(timestampMs: number, intervalMinutes: number): boolean {
  if (timestampMs % 60_000 !== 0) return false;
  const minutes = timestampMs / 60_000 - OPEN_MINUTE_OF_DAY;
  return ((minutes % intervalMinutes) + intervalMinutes) % intervalMinutes === 0;
}

/** `the 5-minute grid (:00, :05, ... past the hour)`, for messages. */
export function describeBarGrid(intervalMinutes: number): string {
  if (intervalMinutes === 60) return 'the 60-minute grid (half past each hour: 09:30, 10:30, ...)';
  if (intervalMinutes === 1) return 'the 1-minute grid (whole minutes)';
  return `the ${intervalMinutes}-minute grid (:00, :${String(intervalMinutes).padStart(2, '0')}, ... past the hour)`;
}
