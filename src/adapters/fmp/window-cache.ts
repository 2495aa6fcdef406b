/**
 * A file cache of FMP answers, so that a window paid for once is never paid
 * for again by a resume, a Ctrl-C or a run stopped at FMP_DAILY_LIMIT.
 *
 * - One file per answer: `<root>/<vendor>/<interval>min/<TICKER>/<from>_<to>.bin`,
 *   where `<vendor>` is the base URL's host and path (never its user, password
 *   or the API key, which is not stored anywhere).
 * - Written under a temporary name in the same directory and renamed: a reader
 *   never sees a partial file.
 * - Verified on read: a magic line, a JSON header naming the key, the row
 *   counts and the SHA-256 of the body, then the six Float64 columns. An entry
 *   that fails any check (or is older than `maxAgeMs`) is removed and reported
 *   as absent: the window is fetched again, never trusted.
 * - An answer is stored only when its window ended before the New York day it
 *   was fetched on: a window that includes today may still grow.
 * - The caller removes a ticker's entries once its bars are committed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import type { BarInterval } from '../../application/bar-batch.js';
import { errorMessage } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { utcMsToNewYork } from './new-york-time.js';
import type { BarColumns, ParsedBars } from './parse-bars.js';

/** What identifies one answer of the vendor (the vendor itself is the cache's). */
export interface WindowKey {
  readonly ticker: string;
  readonly intervalMinutes: BarInterval;
  /** Inclusive `YYYY-MM-DD` New York dates, as requested. */
  readonly fromDate: string;
  readonly toDate: string;
}

/** Where FmpBarSource keeps the answers it received. */
export interface FmpWindowCache {
  /** The stored answer, or undefined when absent or not verified (then it is removed). */
  get(key: WindowKey): Promise<ParsedBars | undefined>;
  /** Stores an answer; never throws (a failure is logged and the answer simply not kept). */
  put(key: WindowKey, bars: ParsedBars): Promise<void>;
}

const MAGIC = 'barfill-fmp-window 1\n';
const COLUMNS = ['timestampMs', 'open', 'high', 'low', 'close', 'volume'] as const;
/** Entries older than this are fetched again (default 7 days). */
export const DEFAULT_CACHE_MAX_AGE_MS = 7 * 86_400_000;

interface Header {
  readonly ticker: string;
  readonly interval: number;
  readonly from: string;
  readonly to: string;
  readonly vendor: string;
  readonly fetchedAtMs: number;
  readonly rowCount: number;
  readonly oldestDate: string | null;
  readonly bars: number;
  readonly endian: string;
  readonly sha256: string;
}

/** A path segment made only of `[A-Za-z0-9_-]` and `%XX` escapes: no `.`, `..` or separator can appear. */
export function safeSegment(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9_-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** `host[:port]` and path of a base URL, without credentials, query or trailing slash. */
export function vendorOf(baseUrl: string): string {
  const u = new URL(baseUrl);
  return `${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isHeader(v: unknown): v is Header {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    typeof h['ticker'] === 'string' && typeof h['interval'] === 'number' && typeof h['from'] === 'string' &&
    typeof h['to'] === 'string' && typeof h['vendor'] === 'string' && typeof h['fetchedAtMs'] === 'number' &&
    typeof h['rowCount'] === 'number' && (h['oldestDate'] === null || typeof h['oldestDate'] === 'string') &&
    typeof h['bars'] === 'number' && typeof h['endian'] === 'string' && typeof h['sha256'] === 'string'
  );
}

export class FileWindowCache implements FmpWindowCache {
  private readonly vendor: string;
  private readonly dir: string;
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  private readonly logger: Logger;
  private warnedWrite = false;

  constructor(o: { root: string; baseUrl: string; logger: Logger; now?: () => number; maxAgeMs?: number }) {
    this.vendor = vendorOf(o.baseUrl);
    this.dir = path.join(o.root, safeSegment(this.vendor));
    this.now = o.now ?? Date.now;
    this.maxAgeMs = o.maxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS;
    this.logger = o.logger;
  }

  /** The directory of one ticker and interval. */
  private tickerDir(ticker: string, interval: BarInterval): string {
    return path.join(this.dir, `${interval}min`, safeSegment(ticker));
  }

  private file(key: WindowKey): string {
    return path.join(this.tickerDir(key.ticker, key.intervalMinutes), `${key.fromDate}_${key.toDate}.bin`);
  }

  async get(key: WindowKey): Promise<ParsedBars | undefined> {
    const file = this.file(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    const entry = this.decode(bytes, key);
    if (typeof entry !== 'string') return entry;
    this.logger.warn(`FMP cache: ${entry}: fetching ${key.ticker} ${key.fromDate}..${key.toDate} again`);
    await unlink(file).catch(() => undefined);
    return undefined;
  }

  /** The answer of a verified entry, or why it is not trusted. */
  private decode(bytes: Buffer, key: WindowKey): ParsedBars | string {
    if (bytes.length < MAGIC.length || bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return 'an entry without the cache header';
    const eol = bytes.indexOf(10, MAGIC.length);
    if (eol < 0) return 'an entry cut inside its header';
    let header: unknown;
    try {
      header = JSON.parse(bytes.subarray(MAGIC.length, eol).toString('utf8'));
    } catch {
      return 'an entry with an unreadable header';
    }
    if (!isHeader(header)) return 'an entry with an incomplete header';
    const h = header;
    if (h.ticker !== key.ticker || h.interval !== key.intervalMinutes || h.from !== key.fromDate || h.to !== key.toDate || h.vendor !== this.vendor) {
      return 'an entry for another window';
    }
    if (h.endian !== endianness()) return 'an entry written on another byte order';
    const body = bytes.subarray(eol + 1);
    if (!Number.isInteger(h.bars) || h.bars < 0 || body.length !== h.bars * 8 * COLUMNS.length) return 'a truncated entry';
    if (sha256(body) !== h.sha256) return 'an entry whose checksum does not match';
    if (this.now() - h.fetchedAtMs > this.maxAgeMs || h.fetchedAtMs > this.now()) return 'an expired entry';
    const aligned = new Uint8Array(body.length);
    aligned.set(body);
    const column = (i: number): Float64Array => new Float64Array(aligned.buffer, i * h.bars * 8, h.bars);
    const columns: BarColumns = { timestampMs: column(0), open: column(1), high: column(2), low: column(3), close: column(4), volume: column(5) };
    return { columns, rowCount: h.rowCount, oldestDate: h.oldestDate ?? undefined, duplicates: 0, conflicts: 0, outsideWindow: 0 };
  }

  async put(key: WindowKey, bars: ParsedBars): Promise<void> {
    const now = this.now();
    // A window reaching today (New York) may still receive bars: not kept.
    if (key.toDate >= utcMsToNewYork(now).slice(0, 10)) return;
    const file = this.file(key);
    const body = Buffer.concat(COLUMNS.map((c) => {
      const col = bars.columns[c];
      return Buffer.from(col.buffer, col.byteOffset, col.byteLength);
    }));
    const header: Header = {
      ticker: key.ticker,
      interval: key.intervalMinutes,
      from: key.fromDate,
      to: key.toDate,
      vendor: this.vendor,
      fetchedAtMs: now,
      rowCount: bars.rowCount,
      oldestDate: bars.oldestDate ?? null,
      bars: bars.columns.timestampMs.length,
      endian: endianness(),
      sha256: sha256(body),
    };
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temp, Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8'), body]), { flag: 'wx', mode: 0o600 });
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      if (!this.warnedWrite) {
        this.warnedWrite = true;
        this.logger.warn(`FMP cache: cannot keep fetched windows in ${this.dir} (${errorMessage(err)}): a resume will fetch them again`);
      }
    }
  }

  /** How many of `windows` the cache holds an entry for (verified only when read). */
  async countCached(ticker: string, interval: BarInterval, windows: readonly { fromDate: string; toDate: string }[]): Promise<number> {
    let names: Set<string>;
    try {
      names = new Set(await readdir(this.tickerDir(ticker, interval)));
    } catch {
      return 0;
    }
    return windows.filter((w) => names.has(`${w.fromDate}_${w.toDate}.bin`)).length;
  }

  /** Removes a ticker's entries whose windows lie inside `[fromDate, toDate]` (its bars are committed). */
  async removeTicker(ticker: string, interval: BarInterval, fromDate: string, toDate: string): Promise<void> {
    const dir = this.tickerDir(ticker, interval);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = /^(\d{4}-\d\d-\d\d)_(\d{4}-\d\d-\d\d)\.bin$/.exec(name);
      if (m !== null && (m[1] ?? '') >= fromDate && (m[2] ?? '') <= toDate) await rm(path.join(dir, name), { force: true });
    }
    await rmdir(dir).catch(() => undefined); // only when now empty
  }

  /** Removes what an interrupted write left (temporary files) and entries past `maxAgeMs`. */
  async sweep(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir, { recursive: true });
    } catch {
      return;
    }
    const now = this.now();
    for (const name of names) {
      const file = path.join(this.dir, name);
      if (!name.endsWith('.tmp') && !name.endsWith('.bin')) continue;
      const st = await stat(file).catch(() => undefined);
      if (st === undefined || !st.isFile()) continue;
      // A temporary file of a live writer is seconds old; one an hour old was left by a killed process.
      const limit = name.endsWith('.tmp') ? 3_600_000 : this.maxAgeMs;
      if (now - st.mtimeMs > limit) await unlink(file).catch(() => undefined);
    }
  }
}
