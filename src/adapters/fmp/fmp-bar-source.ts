/**
 * `BarSource` over Financial Modeling Prep's `/stable/historical-chart/{interval}`.
 *
 * - The date range is split into windows of regular-session trading days that
 *   stay below the row cap (`splitWindows`), fetched oldest first, one batch
 *   per window; answers with more bars (extended hours) come back truncated.
 * - A response that may have been truncated (at least `truncationThreshold`
 *   rows, default the row cap) keeps its rows and the older part
 *   `[from, oldest bar's date]` is fetched again, recursively (a window whose
 *   rows are all on its last day: the days before it and that day apart);
 *   overlapping bars are merged once. A one-day window cannot be split: warning.
 * - With a cache, every answer received is kept, and a window already answered
 *   is read from it without a request (nor an `onRequest` call).
 * - A stop (SIGINT) lets the answer in flight arrive for up to STOP_GRACE_MS,
 *   so that, paid for, it is kept; no further request is sent.
 * - Every HTTP attempt waits for the shared rate limiter. 429, 5xx, 408,
 *   timeouts, connection errors and malformed bodies are retried with
 *   exponential backoff and full jitter; a 429 also pauses every worker.
 * - 401 is fatal (`SourceError` with `fatal: true`, `retryable: false`) and
 *   poisons this source: later fetches fail at once without a request.
 *   402/403/404 and other 4xx fail the ticker without retry.
 * - The API key travels only in the query string; URLs in logs and errors
 *   show `apikey=***`.
 */
import { singleSeriesBatch } from '../../application/bar-batch.js';
import type { BarBatch, BarSeriesKey } from '../../application/bar-batch.js';
import type { BarFetchObserver, BarFetchRequest, BarSource } from '../../application/ports/bar-source.js';
import { SourceError, UsageError } from '../../kernel/errors.js';
import { silentLogger } from '../../kernel/logger.js';
import type { StopSignal } from '../../kernel/stop-signal.js';
import type { Logger } from '../../kernel/logger.js';
import { backoffCeilingMs, DEFAULT_BACKOFF, fullJitterDelayMs } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { dropUpTo, emptyColumns, mergeAscending, parseFmpBars } from './parse-bars.js';
import { utcMsToNewYork } from './new-york-time.js';
import type { BarColumns, ParsedBars } from './parse-bars.js';
import { RateLimiter } from './rate-limiter.js';
import type { RequestRateLimiter, Sleep } from './rate-limiter.js';
import { scrubSecret } from './redact.js';
import type { FmpWindowCache } from './window-cache.js';
import { addDays, dayNumber, DEFAULT_ROW_CAP, intervalPath, isTradingDay, splitWindows } from './windows.js';

export const DEFAULT_FMP_BASE_URL = 'https://financialmodelingprep.com';
export const DEFAULT_FMP_RATE_LIMIT = 300;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_MAX_RATE_LIMIT_RETRIES = 10;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface FmpBarSourceOptions {
  readonly apiKey: string;
  /** Default `https://financialmodelingprep.com`. */
  readonly baseUrl?: string;
  /** Shared by every worker using this source; default: 300 requests per minute. */
  readonly rateLimiter?: RequestRateLimiter;
  /** Retries of one window after 5xx, timeouts, connection errors, malformed bodies; default 5. */
  readonly maxRetries?: number;
  /** Retries of one window after 429 (counted apart); default 10. */
  readonly maxRateLimitRetries?: number;
  /** Per HTTP attempt, body included; default 30,000. */
  readonly timeoutMs?: number;
  /** Default 500 ms .. 30 s. */
  readonly backoff?: BackoffPolicy;
  /** Rows a response is assumed to hold at most without truncation; sizes the windows. Default 5000. */
  readonly rowCap?: number;
  /**
   * The smallest row cap the server may apply: an answer with at least this many rows is treated as
   * possibly truncated and its older part fetched again. Default (and at most): rowCap.
   */
  readonly truncationThreshold?: number;
  readonly sleep?: Sleep;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
  /** How long an answer in flight may still arrive after a stop; default STOP_GRACE_MS (5 s). */
  readonly stopGraceMs?: number;
  /** Answers already paid for: read before a request, filled after one (see window-cache.ts). */
  readonly cache?: FmpWindowCache;
}

type Attempt =
  | { readonly kind: 'ok'; readonly bars: ParsedBars }
  | { readonly kind: 'retry'; readonly reason: string; readonly rateLimited: boolean }
  | { readonly kind: 'fail'; readonly error: SourceError };

const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`FMP option ${name} must be an integer >= ${min}; got ${value}`);
  return value;
}

/** What the caller's signal was aborted with, as something throwable. */
function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new SourceError('FMP request aborted', { retryable: false });
}

/** How long an answer in flight may still arrive after a stop (SIGINT): it is paid for, so it is kept. */
export const STOP_GRACE_MS = 5_000;

/** A signal aborted `ms` after `stop` is (with its reason); `release` drops the listener and timer. */
function abortLater(stop: AbortSignal, ms: number): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onStop = (): void => {
    timer = setTimeout(() => {
      controller.abort(stop.reason);
    }, ms);
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      stop.removeEventListener('abort', onStop);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** The request as the private methods see it: the stop signal as a real AbortSignal (for fetch). */
type FetchRequest = Omit<BarFetchRequest, 'signal'> & { readonly signal?: AbortSignal };

/** A real AbortSignal following a StopSignal (a real AbortSignal is used as is). */
function toAbortSignal(stop: StopSignal): { signal: AbortSignal; release: () => void } {
  if (stop instanceof AbortSignal) return { signal: stop, release: () => undefined };
  const controller = new AbortController();
  if (stop.aborted) {
    controller.abort(stop.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const onStop = (): void => {
    controller.abort(stop.reason);
  };
  stop.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      stop.removeEventListener('abort', onStop);
    },
  };
}

export class FmpBarSource implements BarSource {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly limiter: RequestRateLimiter;
  private readonly maxRetries: number;
  private readonly maxRateLimitRetries: number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly rowCap: number;
  private readonly truncationThreshold: number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly cache: FmpWindowCache | undefined;
  private readonly stopGraceMs: number;
  /** Set by a 401: every later fetch fails at once. */
  private fatal: SourceError | undefined;

  constructor(options: FmpBarSourceOptions) {
    if (options.apiKey.trim() === '') throw new UsageError('FMP API key is empty');
    this.apiKey = options.apiKey;
    const base = options.baseUrl ?? DEFAULT_FMP_BASE_URL;
    let parsed: URL;
    try {
      parsed = new URL(base);
    } catch {
      throw new UsageError(`FMP base URL is not a URL: '${scrubSecret(base, this.apiKey).slice(0, 100)}'`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError(`FMP base URL must be http or https; got '${parsed.protocol}'`);
    }
    this.baseUrl = base.replace(/\/+$/, '');
    this.limiter = options.rateLimiter ?? new RateLimiter({ requestsPerWindow: DEFAULT_FMP_RATE_LIMIT });
    this.maxRetries = positiveInt('maxRetries', options.maxRetries ?? DEFAULT_MAX_RETRIES, 0);
    this.maxRateLimitRetries = positiveInt('maxRateLimitRetries', options.maxRateLimitRetries ?? DEFAULT_MAX_RATE_LIMIT_RETRIES, 0);
    this.timeoutMs = positiveInt('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.rowCap = positiveInt('rowCap', options.rowCap ?? DEFAULT_ROW_CAP, 2);
    this.truncationThreshold = Math.min(
      this.rowCap,
      positiveInt('truncationThreshold', options.truncationThreshold ?? this.rowCap, 1),
    );
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.cache = options.cache;
    this.stopGraceMs = positiveInt('stopGraceMs', options.stopGraceMs ?? STOP_GRACE_MS, 0);
  }

  async *fetch(request: BarFetchRequest, observer?: BarFetchObserver): AsyncIterable<BarBatch> {
    const ticker = request.ticker.trim().toUpperCase();
    if (ticker === '') throw new UsageError('FMP fetch: empty ticker');
    dayNumber(request.fromDate);
    dayNumber(request.toDate);
    if (request.fromDate > request.toDate) {
      throw new UsageError(`FMP ${ticker}: from ${request.fromDate} is after to ${request.toDate}`);
    }
    this.throwIfFatal(ticker, request.fromDate, request.toDate);
    const key: BarSeriesKey = { ticker, exchange: request.exchange, intervalMinutes: request.intervalMinutes };
    const windows = splitWindows(request.fromDate, request.toDate, request.intervalMinutes, this.rowCap);
    const { signal: stop, ...rest } = request;
    const linked = stop === undefined ? undefined : toAbortSignal(stop);
    const req: FetchRequest = linked === undefined ? rest : { ...rest, signal: linked.signal };
    try {
      let lastTs = Number.NEGATIVE_INFINITY;
      for (const w of windows) {
        const cols = dropUpTo(await this.fetchComplete(req, ticker, w.fromDate, w.toDate, observer), lastTs);
        const n = cols.timestampMs.length;
        if (n === 0) continue;
        lastTs = cols.timestampMs[n - 1] ?? lastTs;
        yield singleSeriesBatch(key, cols);
      }
    } finally {
      linked?.release();
    }
  }

  private label(ticker: string, request: FetchRequest, from: string, to: string): string {
    return `FMP ${ticker} ${intervalPath(request.intervalMinutes)} ${from}..${to}`;
  }

  private throwIfFatal(ticker: string, from: string, to: string): void {
    if (this.fatal !== undefined) {
      throw new SourceError(`FMP ${ticker} ${from}..${to}: not requested: ${this.fatal.message}`, {
        retryable: false,
        fatal: true,
      });
    }
  }

  /** One window, made complete: a possibly truncated answer has its older part fetched again. */
  private async fetchComplete(
    request: FetchRequest,
    ticker: string,
    from: string,
    to: string,
    observer: BarFetchObserver | undefined,
  ): Promise<BarColumns> {
    const bars = await this.fetchWindow(request, ticker, from, to, observer);
    if (bars.rowCount === 0 || bars.oldestDate === undefined) {
      observer?.onEmptyWindow?.(ticker, { fromDate: from, toDate: to });
      return emptyColumns();
    }
    const full = bars.rowCount >= this.truncationThreshold;
    const lateStart = !full && startsLate(bars.columns.timestampMs[0], from, to);
    if (!full && !lateStart) return bars.columns;
    // Possibly truncated: as many rows as the smallest cap we assume, or (whatever the count, since a
    // vendor may cap lower than we assume) the first bar comes after the first weekday's 09:30 open.
    // FMP keeps the NEWEST rows, so the bars after the oldest returned day are complete; that day (cut
    // anywhere) and the days before are not. A holiday at the window start costs a few extra requests.
    const oldest = bars.oldestDate < from ? from : bars.oldestDate;
    const label = this.label(ticker, request, from, to);
    const fields = { ticker, fromDate: from, toDate: to, rows: bars.rowCount };
    if (from === to && lateStart) return bars.columns; // a quiet first minutes of one day: nothing to split
    if (from === to) {
      this.logger.warn(
        `${label}: ${bars.rowCount} rows for a single day; if the server capped them, its earliest bars may be missing (a day cannot be split)`,
        fields,
      );
      return bars.columns;
    }
    if (oldest < to) {
      this.logger.info(`${label}: ${bars.rowCount} rows starting ${oldest}; the answer may be truncated, fetching ${from}..${oldest} again`, fields);
      const older = await this.fetchComplete(request, ticker, from, oldest, observer);
      return mergeAscending(older, bars.columns);
    }
    // Every row is on the last day: fetch the days before it, and that day alone.
    const before = addDays(to, -1);
    this.logger.info(`${label}: ${bars.rowCount} rows all on ${to}; the answer may be truncated, fetching ${from}..${before} and ${to} apart`, fields);
    const older = await this.fetchComplete(request, ticker, from, before, observer);
    const lastDay = await this.fetchComplete(request, ticker, to, to, observer);
    return mergeAscending(mergeAscending(older, lastDay), bars.columns);
  }

  /** One window's answer: from the cache when it holds it, else from the vendor (then kept in the cache). */
  private async fetchWindow(
    request: FetchRequest,
    ticker: string,
    from: string,
    to: string,
    observer: BarFetchObserver | undefined,
  ): Promise<ParsedBars> {
    if (this.cache === undefined) return this.request(request, ticker, from, to, observer);
    this.throwIfFatal(ticker, from, to);
    if (request.signal?.aborted) throw abortError(request.signal);
    const key = { ticker, intervalMinutes: request.intervalMinutes, fromDate: from, toDate: to };
    const cached = await this.cache.get(key);
    if (cached !== undefined) {
      this.logger.debug(`${this.label(ticker, request, from, to)}: ${cached.rowCount} rows from the cache (no request)`);
      return cached;
    }
    const bars = await this.request(request, ticker, from, to, observer);
    await this.cache.put(key, bars);
    return bars;
  }

  /** One window, one successful HTTP answer (with retries). */
  private async request(
    request: FetchRequest,
    ticker: string,
    from: string,
    to: string,
    observer: BarFetchObserver | undefined,
  ): Promise<ParsedBars> {
    const url = new URL(`${this.baseUrl}/stable/historical-chart/${intervalPath(request.intervalMinutes)}`);
    url.searchParams.set('symbol', ticker);
    url.searchParams.set('from', from);
    url.searchParams.set('to', to);
    url.searchParams.set('apikey', this.apiKey);
    const href = url.toString();
    const label = this.label(ticker, request, from, to);
    let attempt = 0;
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      this.throwIfFatal(ticker, from, to);
      if (request.signal?.aborted) throw abortError(request.signal);
      try {
        await this.limiter.acquire(request.signal);
      } catch (err) {
        if (request.signal?.aborted) throw abortError(request.signal);
        throw err;
      }
      this.throwIfFatal(ticker, from, to);
      attempt++;
      observer?.onRequest?.({ ticker, fromDate: from, toDate: to, attempt });
      this.logger.debug(`${label}: GET ${this.redact(href)} (attempt ${attempt})`);
      const result = await this.attempt(href, label, from, to, request.signal);
      if (result.kind === 'ok') {
        const b = result.bars;
        if (b.duplicates > 0 || b.outsideWindow > 0) {
          this.logger.debug(`${label}: dropped ${b.duplicates} duplicated bars (${b.conflicts} with different values) and ${b.outsideWindow} bars outside the window`);
        }
        return b;
      }
      if (result.kind === 'fail') {
        if (result.error.fatal) this.fatal = result.error;
        throw result.error;
      }
      if (result.rateLimited) {
        rateLimited++;
        if (rateLimited > this.maxRateLimitRetries) {
          throw new SourceError(`${label}: still rate limited (HTTP 429) after ${rateLimited} attempts; lower FMP_RATE_LIMIT or retry later`, {
            cause: new Error(result.reason),
          });
        }
        const pauseMs = backoffCeilingMs(rateLimited - 1, this.backoff);
        this.limiter.pause(pauseMs);
        this.logger.debug(`${label}: rate limited (HTTP 429), all requests paused ${pauseMs} ms`, { ticker, attempt });
        continue;
      }
      failures++;
      if (failures > this.maxRetries) {
        throw new SourceError(`${label}: gave up after ${attempt} attempts; last error: ${result.reason}`, {
          cause: new Error(result.reason),
        });
      }
      const delay = fullJitterDelayMs(failures - 1, this.backoff, this.random);
      this.logger.warn(`${label}: ${result.reason}; retrying in ${delay} ms (retry ${failures} of ${this.maxRetries})`, {
        ticker,
        fromDate: from,
        toDate: to,
        attempt,
      });
      try {
        await this.sleep(delay, request.signal);
      } catch (err) {
        if (request.signal?.aborted) throw abortError(request.signal);
        throw err;
      }
    }
  }

  private redact(text: string): string {
    return scrubSecret(text, this.apiKey);
  }

  private async attempt(
    href: string,
    label: string,
    from: string,
    to: string,
    callerSignal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    // A stop lets the answer in flight arrive (it is paid for, and kept in the cache), for a few seconds.
    const grace = callerSignal === undefined ? undefined : abortLater(callerSignal, this.stopGraceMs);
    const signal = grace === undefined ? timeout : AbortSignal.any([grace.signal, timeout]);
    try {
      return await this.exchange(href, label, from, to, callerSignal, timeout, signal);
    } finally {
      grace?.release();
    }
  }

  private async exchange(
    href: string,
    label: string,
    from: string,
    to: string,
    callerSignal: AbortSignal | undefined,
    timeout: AbortSignal,
    signal: AbortSignal,
  ): Promise<Attempt> {
    let status: number;
    let statusText: string;
    let contentType: string;
    let body: string;
    try {
      const res = await fetch(href, { signal, headers: { accept: 'application/json' } });
      status = res.status;
      statusText = res.statusText;
      contentType = res.headers.get('content-type') ?? '';
      body = await res.text();
    } catch (err) {
      if (callerSignal?.aborted) throw abortError(callerSignal);
      if (timeout.aborted) return { kind: 'retry', reason: `no complete answer within ${this.timeoutMs} ms`, rateLimited: false };
      return { kind: 'retry', reason: `connection failed: ${this.redact(describeFetchError(err))}`, rateLimited: false };
    }
    if (status === 200) {
      const parsed = parseFmpBars(body, from, to);
      if (parsed.ok) return { kind: 'ok', bars: parsed.bars };
      return { kind: 'retry', reason: `malformed answer: ${this.redact(parsed.reason)}`, rateLimited: false };
    }
    const snippet = this.redact(bodySnippet(body, contentType));
    const httpText = `HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}`;
    if (status === 429) return { kind: 'retry', reason: `${httpText}: ${snippet}`, rateLimited: true };
    if (status === 408 || status >= 500) return { kind: 'retry', reason: `${httpText}: ${snippet}`, rateLimited: false };
    if (status === 401) {
      return {
        kind: 'fail',
        error: new SourceError(
          `${label}: FMP rejected the API key (${httpText}: ${snippet}); check FMP_API_KEY. Stopping all requests.`,
          { retryable: false, fatal: true },
        ),
      };
    }
    const why =
      status === 402 || status === 403
        ? 'not available under the current FMP plan'
        : status === 404
          ? 'endpoint not found (check FMP_BASE_URL)'
          : 'request refused';
    return { kind: 'fail', error: new SourceError(`${label}: ${why} (${httpText}: ${snippet})`, { retryable: false }) };
  }
}

function bodySnippet(body: string, contentType: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '(empty body)';
  if (/html/i.test(contentType) || /^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title>([^<]{0,100})<\/title>/i.exec(trimmed)?.[1];
    return title === undefined ? '(HTML body)' : `(HTML body: ${title.trim()})`;
  }
  try {
    const json: unknown = JSON.parse(trimmed);
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      const msg = (json as Record<string, unknown>)['Error Message'];
      if (typeof msg === 'string') return msg.slice(0, 300);
    }
  } catch {
    // not JSON: plain text
  }
  return trimmed.replace(/\s+/g, ' ').slice(0, 300);
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${err.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return err.message;
}

/**
 * Whether the oldest bar of an answer for `[from, to]` starts after the regular open
 * (09:30 New York) of the window's first trading day (NYSE calendar): the mark of an
 * answer cut from the oldest side by a server cap lower than the one assumed.
 */
export function startsLate(oldestMs: number | undefined, from: string, to: string): boolean {
  if (oldestMs === undefined) return false;
  let first = from;
  while (first <= to && !isTradingDay(first)) first = addDays(first, 1);
  if (first > to) return false;
  const ny = utcMsToNewYork(oldestMs);
  const day = ny.slice(0, 10);
  return day > first || (day === first && ny.slice(11) > '09:30:00');
}
