/**
 * Parses FMP's historical-chart body (a JSON array of
 * `{date, open, low, high, close, volume}`, newest first) into ascending,
 * de-duplicated columns.
 *
 * Strict: one element that cannot be read (not an object, a date that is not
 * `YYYY-MM-DD HH:MM:SS`, a price or volume that is not a finite number) makes
 * the whole response malformed. The source retries it like a truncated body;
 * a bar is never silently dropped.
 */
import { allocateBarColumns, type BarColumns } from '../../application/bar-batch.js';
import { tryNewYorkToUtcMs } from './new-york-time.js';

export type { BarColumns };

export interface ParsedBars {
  /** Bars inside the window, ascending, each timestamp once. */
  readonly columns: BarColumns;
  /** Elements in the response (before de-duplication and window filtering). */
  readonly rowCount: number;
  /** New York date of the oldest bar in the response; undefined when it was `[]`. */
  readonly oldestDate: string | undefined;
  /** Elements repeating an earlier timestamp. */
  readonly duplicates: number;
  /** Of those, the ones whose values differ from the kept bar (the first in response order). */
  readonly conflicts: number;
  /** Bars dated outside the requested window (dropped). */
  readonly outsideWindow: number;
}

export type ParseResult = { readonly ok: true; readonly bars: ParsedBars } | { readonly ok: false; readonly reason: string };

export function emptyColumns(): BarColumns {
  return allocateBarColumns(0);
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function describeJsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Parses a 200 body for the window `[fromDate, toDate]` (inclusive New York dates). */
export function parseFmpBars(body: string, fromDate: string, toDate: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `body is not valid JSON (${body.length} bytes; ${why.slice(0, 120)})` };
  }
  if (!Array.isArray(json)) {
    return { ok: false, reason: `expected a JSON array of bars, got ${describeJsonType(json)}` };
  }
  const rows = json as unknown[];
  const n = rows.length;
  const raw = allocateBarColumns(n);
  const dates: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const el = rows[i];
    if (typeof el !== 'object' || el === null || Array.isArray(el)) {
      return { ok: false, reason: `element ${i} is ${describeJsonType(el)}, not a bar object` };
    }
    const bar = el as Record<string, unknown>;
    const date = bar['date'];
    const ts = typeof date === 'string' ? tryNewYorkToUtcMs(date) : NaN;
    if (Number.isNaN(ts)) {
      return { ok: false, reason: `element ${i} has no valid date (YYYY-MM-DD HH:MM:SS): ${JSON.stringify(date)?.slice(0, 40) ?? 'missing'}` };
    }
    const open = bar['open'], high = bar['high'], low = bar['low'], close = bar['close'], volume = bar['volume'];
    if (!finite(open) || !finite(high) || !finite(low) || !finite(close) || !finite(volume)) {
      return { ok: false, reason: `element ${i} (${String(date)}) has a price or volume that is not a finite number` };
    }
    raw.timestampMs[i] = ts;
    raw.open[i] = open;
    raw.high[i] = high;
    raw.low[i] = low;
    raw.close[i] = close;
    raw.volume[i] = volume;
    dates[i] = (date as string).slice(0, 10);
  }

  // Order: the usual answer is strictly descending; anything else is sorted (stable: first occurrence wins).
  let order: number[];
  let strictlyDescending = true;
  for (let i = 1; i < n; i++) {
    if (!((raw.timestampMs[i - 1] ?? 0) > (raw.timestampMs[i] ?? 0))) {
      strictlyDescending = false;
      break;
    }
  }
  if (strictlyDescending) {
    order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = n - 1 - i;
  } else {
    order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => (raw.timestampMs[a] ?? 0) - (raw.timestampMs[b] ?? 0) || a - b);
  }

  const out = allocateBarColumns(n);
  let m = 0;
  let duplicates = 0;
  let conflicts = 0;
  let outsideWindow = 0;
  let lastTs = Number.NEGATIVE_INFINITY;
  let lastKept = -1;
  let oldestDate: string | undefined;
  for (const i of order) {
    const ts = raw.timestampMs[i] ?? 0;
    oldestDate ??= dates[i];
    if (ts === lastTs) {
      duplicates++;
      if (
        lastKept >= 0 &&
        (raw.open[i] !== raw.open[lastKept] ||
          raw.high[i] !== raw.high[lastKept] ||
          raw.low[i] !== raw.low[lastKept] ||
          raw.close[i] !== raw.close[lastKept] ||
          raw.volume[i] !== raw.volume[lastKept])
      ) {
        conflicts++;
      }
      continue;
    }
    lastTs = ts;
    const d = dates[i] ?? '';
    if (d < fromDate || d > toDate) {
      outsideWindow++;
      lastKept = -1;
      continue;
    }
    lastKept = i;
    out.timestampMs[m] = ts;
    out.open[m] = raw.open[i] ?? 0;
    out.high[m] = raw.high[i] ?? 0;
    out.low[m] = raw.low[i] ?? 0;
    out.close[m] = raw.close[i] ?? 0;
    out.volume[m] = raw.volume[i] ?? 0;
    m++;
  }
  const columns = m === n ? out : sliceColumns(out, 0, m);
  return { ok: true, bars: { columns, rowCount: n, oldestDate, duplicates, conflicts, outsideWindow } };
}

export function sliceColumns(c: BarColumns, start: number, end: number): BarColumns {
  return {
    timestampMs: c.timestampMs.slice(start, end),
    open: c.open.slice(start, end),
    high: c.high.slice(start, end),
    low: c.low.slice(start, end),
    close: c.close.slice(start, end),
    volume: c.volume.slice(start, end),
  };
}

/** Merges two ascending, de-duplicated column sets; on equal timestamps `a`'s bar is kept. */
export function mergeAscending(a: BarColumns, b: BarColumns): BarColumns {
  const na = a.timestampMs.length, nb = b.timestampMs.length;
  if (nb === 0) return a;
  if (na === 0) return b;
  const out = allocateBarColumns(na + nb);
  let i = 0, j = 0, m = 0;
  const put = (src: BarColumns, k: number): void => {
    out.timestampMs[m] = src.timestampMs[k] ?? 0;
    out.open[m] = src.open[k] ?? 0;
    out.high[m] = src.high[k] ?? 0;
    out.low[m] = src.low[k] ?? 0;
    out.close[m] = src.close[k] ?? 0;
    out.volume[m] = src.volume[k] ?? 0;
    m++;
  };
  while (i < na || j < nb) {
    const ta = i < na ? (a.timestampMs[i] ?? 0) : Number.POSITIVE_INFINITY;
    const tb = j < nb ? (b.timestampMs[j] ?? 0) : Number.POSITIVE_INFINITY;
    if (ta <= tb) {
      put(a, i++);
      if (ta === tb) j++;
    } else {
      put(b, j++);
    }
  }
  return m === out.timestampMs.length ? out : sliceColumns(out, 0, m);
}

/** Keeps the bars strictly after `afterMs` (columns ascending). */
export function dropUpTo(c: BarColumns, afterMs: number): BarColumns {
  let k = 0;
  while (k < c.timestampMs.length && (c.timestampMs[k] ?? 0) <= afterMs) k++;
  return k === 0 ? c : sliceColumns(c, k, c.timestampMs.length);
}
