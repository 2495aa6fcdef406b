/**
 * A fake Financial Modeling Prep server over loopback, answering
 * `GET /stable/historical-chart/{1min|5min|15min|30min|1hour}?symbol&from&to&apikey`
 * like the real one: a pretty-printed (2-space) JSON array, newest first, keys
 * date, open, low, high, close, volume; New York wall-clock `date` labels.
 *
 * Order of checks: path (404), API key (401, the real body), rate limit (429,
 * the real body, no Retry-After; only answered requests count), latency,
 * injected faults, plan-gated symbol (402 plain text), unknown symbol (200 []),
 * data (truncated to the newest `rowCap` rows, silently).
 */
import http from 'node:http';
import { listenLocal } from '../listen.js';
import { barsInRange, seededRandom } from './data.js';
import type { FakeBar, FakeDataOptions } from './data.js';

export const INVALID_KEY_BODY = {
  'Error Message':
    'Invalid API KEY. Feel free to create a Free API Key or visit https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for more information.',
};
export const LIMIT_REACH_BODY = {
  'Error Message': 'Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/',
};
export const PLAN_GATED_TEXT =
  'Premium Query Parameter: This value set for \'symbol\' is not available under your current subscription please visit our subscription page to upgrade your plan at https://site.financialmodelingprep.com/developer/docs/pricing';

/** What a fault does to one request. */
export type FakeFault =
  /** Answer with this status; `html` sends an nginx-like HTML page, else `body` (default: a JSON error). */
  | { readonly kind: 'status'; readonly status: number; readonly html?: boolean; readonly body?: string }
  /** 200 with the real body cut in half (valid HTTP, invalid JSON). */
  | { readonly kind: 'truncated-json' }
  /** 200 with a JSON object instead of an array. */
  | { readonly kind: 'object-body' }
  /** 200 with one bar whose date is garbage. */
  | { readonly kind: 'bad-bar' }
  /** Say nothing for `ms`, then drop the connection. */
  | { readonly kind: 'hang'; readonly ms: number }
  /** Drop the connection without an answer. */
  | { readonly kind: 'reset' }
  /** Send headers and half the body, then drop the connection. */
  | { readonly kind: 'reset-mid-body' };

export interface FaultRule {
  readonly fault: FakeFault;
  /** Applies to the next `count` matching requests (default: unlimited when `probability` is set, else 1). */
  readonly count?: number;
  /** Applies with this probability (seeded RNG). */
  readonly probability?: number;
  /** Only these symbols (default: all). */
  readonly symbols?: readonly string[];
}

export interface FakeRequestInfo {
  readonly symbol: string;
  readonly interval: string;
  readonly from: string;
  readonly to: string;
  /** Whether the request carried a valid key (the key itself is not exposed). */
  readonly keyValid: boolean;
  /** 1-based number of the request since start (or the last resetStats). */
  readonly seq: number;
}

export interface FakeFmpOptions extends FakeDataOptions {
  readonly port?: number;
  readonly host?: string;
  /** Default ['test-key']. */
  readonly validKeys?: readonly string[];
  /** Delay before every answer, ms. */
  readonly latencyMs?: number;
  /** Newest rows kept per answer; default 5000. */
  readonly rowCap?: number;
  /** Requests answered per sliding window (default off). */
  readonly rateLimitPerMinute?: number;
  /** The sliding window, default 60,000 ms (shorter in tests). */
  readonly rateLimitWindowMs?: number;
  readonly faults?: readonly FaultRule[];
  /** Seed of the RNG behind fault probabilities, shuffling and duplicates; default 1. */
  readonly seed?: number;
  /** Symbols answered 402 (plan-gated). */
  readonly gatedSymbols?: readonly string[];
  /** Symbols answered `[]` (so is any symbol starting with ZZ). */
  readonly unknownSymbols?: readonly string[];
  /** Shuffle the bars of every answer. */
  readonly outOfOrder?: boolean;
  /** Repeat this many bars (chosen at random) in every answer. */
  readonly duplicateBars?: number;
  /** Called for every request that passed the key and rate-limit checks; may return a fault to apply. */
  readonly onRequest?: (info: FakeRequestInfo) => FakeFault | undefined;
}

export interface FakeFmpLogEntry {
  readonly symbol: string;
  readonly interval: string;
  readonly from: string;
  readonly to: string;
  /** HTTP status, or 'reset' / 'hang'. */
  readonly outcome: number | 'reset' | 'hang';
  /** Bars sent (200 only). */
  readonly rows: number;
}

export interface FakeFmpStats {
  requests: number;
  bySymbol: Record<string, number>;
  /** 429 answers sent. */
  rateLimited: number;
  inFlight: number;
  maxInFlight: number;
  statuses: Record<number, number>;
  resets: number;
  hangs: number;
  /** Answers truncated by rowCap. */
  truncated: number;
  log: FakeFmpLogEntry[];
}

export interface FakeFmp {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Live counters. */
  readonly stats: FakeFmpStats;
  /** Changes options for later requests (fault counts restart). */
  setOptions(options: Partial<FakeFmpOptions>): void;
  resetStats(): void;
  close(): Promise<void>;
}

const INTERVALS = new Set(['1min', '5min', '15min', '30min', '1hour']);
const INTERVAL_MINUTES: Record<string, number> = { '1min': 1, '5min': 5, '15min': 15, '30min': 30, '1hour': 60 };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function emptyStats(): FakeFmpStats {
  return { requests: 0, bySymbol: {}, rateLimited: 0, inFlight: 0, maxInFlight: 0, statuses: {}, resets: 0, hangs: 0, truncated: 0, log: [] };
}

function htmlPage(status: number): string {
  const title = `${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

interface RuleState {
  readonly rule: FaultRule;
  remaining: number;
}

export async function startFakeFmp(initial: FakeFmpOptions = {}): Promise<FakeFmp> {
  let options: FakeFmpOptions = { ...initial };
  let rules: RuleState[] = [];
  let rng = seededRandom(options.seed ?? 1);
  const stats: FakeFmpStats = emptyStats();
  let arrivals: number[] = [];
  let seq = 0;
  const timers = new Set<NodeJS.Timeout>();

  const loadRules = (): void => {
    rules = (options.faults ?? []).map((rule) => ({
      rule,
      remaining: rule.count ?? (rule.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
    }));
  };
  loadRules();

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const pickFault = (symbol: string): FakeFault | undefined => {
    for (const st of rules) {
      if (st.remaining <= 0) continue;
      if (st.rule.symbols !== undefined && !st.rule.symbols.includes(symbol)) continue;
      if (st.rule.probability !== undefined && rng() >= st.rule.probability) continue;
      st.remaining--;
      return st.rule.fault;
    }
    return undefined;
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => {
      stats.inFlight--;
    });
    const url = new URL(req.url ?? '/', 'http://fake-fmp');
    const symbol = (url.searchParams.get('symbol') ?? '').toUpperCase();
    const from = url.searchParams.get('from') ?? '';
    const to = url.searchParams.get('to') ?? '';
    const m = /^\/stable\/historical-chart\/([^/]+)$/.exec(url.pathname);
    const interval = m?.[1] ?? '';
    stats.bySymbol[symbol] = (stats.bySymbol[symbol] ?? 0) + 1;
    const entry = (outcome: FakeFmpLogEntry['outcome'], rows = 0): void => {
      stats.log.push({ symbol, interval, from, to, outcome, rows });
      if (typeof outcome === 'number') stats.statuses[outcome] = (stats.statuses[outcome] ?? 0) + 1;
    };
    const send = (status: number, body: string, contentType: string, rows = 0): void => {
      entry(status, rows);
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const sendJson = (status: number, value: unknown, rows = 0): void => {
      send(status, JSON.stringify(value, null, 2), 'application/json', rows);
    };

    if (req.method !== 'GET' || m === null || !INTERVALS.has(interval)) {
      sendJson(404, { 'Error Message': 'Not found' });
      return;
    }
    const key = url.searchParams.get('apikey');
    const keyValid = key !== null && (options.validKeys ?? ['test-key']).includes(key);
    if (!keyValid) {
      sendJson(401, INVALID_KEY_BODY);
      return;
    }
    const limit = options.rateLimitPerMinute;
    if (limit !== undefined && limit > 0) {
      const now = performance.now();
      const windowMs = options.rateLimitWindowMs ?? 60_000;
      arrivals = arrivals.filter((t) => t > now - windowMs);
      if (arrivals.length >= limit) {
        stats.rateLimited++;
        sendJson(429, LIMIT_REACH_BODY);
        return;
      }
      arrivals.push(now);
    }
    seq++;
    const hooked = options.onRequest?.({ symbol, interval, from, to, keyValid, seq });
    const fault = hooked ?? pickFault(symbol);
    const respond = (): void => {
      if (fault !== undefined) {
        switch (fault.kind) {
          case 'status':
            if (fault.html === true) send(fault.status, htmlPage(fault.status), 'text/html');
            else if (fault.body !== undefined) send(fault.status, fault.body, 'text/plain;charset=UTF-8');
            else sendJson(fault.status, { 'Error Message': http.STATUS_CODES[fault.status] ?? 'Error' });
            return;
          case 'hang':
            stats.hangs++;
            entry('hang');
            later(fault.ms, () => req.socket.destroy());
            return;
          case 'reset':
            stats.resets++;
            entry('reset');
            req.socket.destroy();
            return;
          default:
            break;
        }
      }
      if (symbol === '' || !DATE.test(from) || !DATE.test(to)) {
        sendJson(400, { 'Error Message': 'symbol, from and to (YYYY-MM-DD) are required' });
        return;
      }
      if ((options.gatedSymbols ?? []).includes(symbol)) {
        send(402, PLAN_GATED_TEXT, 'text/plain;charset=UTF-8');
        return;
      }
      if (fault?.kind === 'object-body') {
        sendJson(200, { symbol, historical: [] });
        return;
      }
      let bars: FakeBar[] =
        symbol.startsWith('ZZ') || (options.unknownSymbols ?? []).includes(symbol) || from > to
          ? []
          : barsInRange(symbol, INTERVAL_MINUTES[interval]!, from, to, options);
      bars.reverse(); // newest first
      const cap = options.rowCap ?? 5000;
      if (bars.length > cap) {
        bars = bars.slice(0, cap);
        stats.truncated++;
      }
      let out: { date: string; open: number; low: number; high: number; close: number; volume: number }[] = bars.map((b) => ({
        date: b.date,
        open: b.open,
        low: b.low,
        high: b.high,
        close: b.close,
        volume: b.volume,
      }));
      const dups = options.duplicateBars ?? 0;
      for (let i = 0; i < dups && out.length > 0; i++) {
        const k = Math.floor(rng() * out.length);
        out.splice(Math.floor(rng() * out.length), 0, { ...out[k]! });
      }
      if (options.outOfOrder === true) {
        for (let i = out.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [out[i], out[j]] = [out[j]!, out[i]!];
        }
      }
      if (fault?.kind === 'bad-bar' && out.length > 0) {
        out = out.map((b, i) => (i === Math.floor(out.length / 2) ? { ...b, date: '2024-13-45 25:61:00' } : b));
      }
      const body = JSON.stringify(out, null, 2);
      if (fault?.kind === 'truncated-json') {
        send(200, body.slice(0, Math.floor(body.length / 2)), 'application/json', bars.length);
        return;
      }
      if (fault?.kind === 'reset-mid-body') {
        stats.resets++;
        entry('reset');
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.write(body.slice(0, Math.floor(body.length / 2)));
        later(5, () => req.socket.destroy());
        return;
      }
      send(200, body, 'application/json', bars.length);
    };
    const latency = options.latencyMs ?? 0;
    if (latency > 0) later(latency, respond);
    else respond();
  };

  const server = http.createServer(handle);
  server.keepAliveTimeout = 5_000;
  const { url, port } = await listenLocal(server, initial);

  return {
    url,
    port,
    stats,
    setOptions(partial: Partial<FakeFmpOptions>): void {
      options = { ...options, ...partial };
      if (partial.faults !== undefined) loadRules();
      if (partial.seed !== undefined) rng = seededRandom(partial.seed);
      if (partial.rateLimitPerMinute !== undefined || partial.rateLimitWindowMs !== undefined) arrivals = [];
    },
    resetStats(): void {
      const fresh = emptyStats();
      const inFlight = stats.inFlight;
      Object.assign(stats, fresh, { inFlight });
      seq = 0;
    },
    close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
