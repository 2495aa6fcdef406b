/**
 * FmpBarSource against the fake FMP server over loopback (no HTTP mocking).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FmpBarSource } from '../src/adapters/fmp/fmp-bar-source.js';
import type { FmpBarSourceOptions } from '../src/adapters/fmp/fmp-bar-source.js';
import { RateLimiter } from '../src/adapters/fmp/rate-limiter.js';
import { splitWindows } from '../src/adapters/fmp/windows.js';
import type { FmpWindowCache, WindowKey } from '../src/adapters/fmp/window-cache.js';
import type { BarInterval } from '../src/application/bar-batch.js';
import type { BarFetchObserver, EmptyWindow } from '../src/application/ports/bar-source.js';
import { createFmpBarSource } from '../apps/cli/wiring/clients/fmp.js';
import { ConfigError, SourceError } from '../src/kernel/errors.js';
import { StopController } from '../src/kernel/stop-signal.js';
import type { LogFields, Logger } from '../src/kernel/logger.js';
import { expectedBars } from '../test-support/fake-fmp/data.js';
import type { ExpectedBars, FakeDataOptions } from '../test-support/fake-fmp/data.js';
import { startFakeFmp } from '../test-support/fake-fmp/server.js';
import type { FakeFmp, FakeFmpOptions } from '../test-support/fake-fmp/server.js';

const KEY = 'test-key';

interface Collected {
  batches: number;
  bars: Omit<ExpectedBars, 'date'>;
  requests: { fromDate: string; toDate: string; attempt: number }[];
  empty: EmptyWindow[];
}

class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  private add(level: string, message: string, fields?: LogFields): void {
    this.lines.push(`${level} ${message} ${fields === undefined ? '' : JSON.stringify(fields)}`);
  }
  debug(m: string, f?: LogFields): void {
    this.add('debug', m, f);
  }
  info(m: string, f?: LogFields): void {
    this.add('info', m, f);
  }
  warn(m: string, f?: LogFields): void {
    this.add('warn', m, f);
  }
  error(m: string, f?: LogFields): void {
    this.add('error', m, f);
  }
}

let fake: FakeFmp;
let logger: MemoryLogger;

const BASE_FAKE: FakeFmpOptions = {
  rowCap: 5000,
  faults: [],
  outOfOrder: false,
  duplicateBars: 0,
  rateLimitPerMinute: 0,
  latencyMs: 0,
  gatedSymbols: [],
  closedDates: [],
  extendedHours: false,
};

function source(overrides: Partial<FmpBarSourceOptions> = {}): FmpBarSource {
  return new FmpBarSource({
    apiKey: KEY,
    baseUrl: fake.url,
    rateLimiter: new RateLimiter({ requestsPerWindow: 1_000_000, windowMs: 1000, marginMs: 0 }),
    backoff: { baseMs: 5, capMs: 40 },
    timeoutMs: 5000,
    logger,
    ...overrides,
  });
}

async function collect(
  src: FmpBarSource,
  ticker: string,
  interval: BarInterval,
  fromDate: string,
  toDate: string,
  signal?: AbortSignal,
): Promise<Collected> {
  const out: Collected = {
    batches: 0,
    bars: { timestampMs: [], open: [], high: [], low: [], close: [], volume: [] },
    requests: [],
    empty: [],
  };
  const observer: BarFetchObserver = {
    onRequest: (info) => out.requests.push({ fromDate: info.fromDate, toDate: info.toDate, attempt: info.attempt }),
    onEmptyWindow: (_t, w) => out.empty.push(w),
  };
  const request = { ticker, exchange: 'NASDAQ', intervalMinutes: interval, fromDate, toDate, ...(signal ? { signal } : {}) };
  for await (const b of src.fetch(request, observer)) {
    out.batches++;
    expect(b.series).toEqual([{ ticker, exchange: 'NASDAQ', intervalMinutes: interval }]);
    expect(b.length).toBe(b.timestampMs.length);
    expect(Array.from(b.seriesIndex).every((i) => i === 0)).toBe(true);
    out.bars.timestampMs.push(...b.timestampMs);
    out.bars.open.push(...b.open);
    out.bars.high.push(...b.high);
    out.bars.low.push(...b.low);
    out.bars.close.push(...b.close);
    out.bars.volume.push(...b.volume);
  }
  return out;
}

function expected(ticker: string, interval: BarInterval, from: string, to: string, opts: FakeDataOptions = {}): Omit<ExpectedBars, 'date'> {
  const e = expectedBars(ticker, interval, from, to, opts);
  return { timestampMs: e.timestampMs, open: e.open, high: e.high, low: e.low, close: e.close, volume: e.volume };
}

/** Exactly the expected bars: none lost, none doubled, ascending, same values. */
function expectExact(got: Collected, want: Omit<ExpectedBars, 'date'>): void {
  expect(got.bars.timestampMs.length).toBe(want.timestampMs.length);
  expect(got.bars.timestampMs).toEqual(want.timestampMs);
  expect(got.bars).toEqual(want);
}

beforeAll(async () => {
  fake = await startFakeFmp();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.setOptions(BASE_FAKE);
  fake.resetStats();
  logger = new MemoryLogger();
});

describe('FmpBarSource: exact bars', () => {
  for (const interval of [1, 5] as const) {
    for (const [from, to] of [['2024-03-04', '2024-03-15'], ['2024-10-28', '2024-11-08']] as const) {
      it(`${interval}-minute bars ${from}..${to} across the DST change equal the expected bars`, async () => {
        const got = await collect(source(), 'AAPL', interval, from, to);
        const want = expected('AAPL', interval, from, to);
        expect(want.timestampMs.length).toBe(10 * (390 / interval));
        expectExact(got, want);
        expect(got.requests.length).toBe(splitWindows(from, to, interval).length);
        expect(fake.stats.requests).toBe(got.requests.length);
      });
    }
  }

  it('converts the session start to 14:30Z before and 13:30Z after the March change', async () => {
    const got = await collect(source(), 'MSFT', 60, '2024-03-08', '2024-03-11');
    expect(got.bars.timestampMs.map((t) => new Date(t).toISOString())).toEqual([
      ...['14:30', '15:30', '16:30', '17:30', '18:30', '19:30', '20:30'].map((h) => `2024-03-08T${h}:00.000Z`),
      ...['13:30', '14:30', '15:30', '16:30', '17:30', '18:30', '19:30'].map((h) => `2024-03-11T${h}:00.000Z`),
    ]);
  });

  it('every interval over a year is complete', async () => {
    for (const interval of [15, 30, 60] as const) {
      const got = await collect(source(), 'QQQ', interval, '2023-06-01', '2024-05-31');
      expectExact(got, expected('QQQ', interval, '2023-06-01', '2024-05-31'));
    }
  });
});

describe('FmpBarSource: truncated answers', () => {
  it('a server cap of 500 rows still yields every bar exactly once (1 minute, holidays at window starts)', async () => {
    const closedDates = ['2024-01-01', '2024-01-15', '2024-02-19'];
    fake.setOptions({ rowCap: 500, closedDates });
    const got = await collect(source({ truncationThreshold: 500 }), 'NVDA', 1, '2024-01-01', '2024-03-08');
    expectExact(got, expected('NVDA', 1, '2024-01-01', '2024-03-08', { closedDates }));
    expect(fake.stats.truncated).toBeGreaterThan(0);
    expect(logger.lines.some((l) => l.includes('may be truncated'))).toBe(true);
  });

  it('a server cap of 500 rows still yields every hourly bar of two years', async () => {
    fake.setOptions({ rowCap: 500 });
    const got = await collect(source({ truncationThreshold: 500 }), 'SPY', 60, '2022-01-01', '2023-12-31');
    expectExact(got, expected('SPY', 60, '2022-01-01', '2023-12-31'));
    expect(fake.stats.truncated).toBeGreaterThan(0);
  });

  it('a holiday at the start of a window costs a bounded number of extra requests and no bar', async () => {
    // A window whose first weekday has no bars looks like an answer cut from the oldest side; the source
    // checks the days before the oldest bar (empty here) and the oldest day alone, then stops.
    fake.setOptions({ closedDates: ['2024-03-04'] });
    const got = await collect(source(), 'AMD', 1, '2024-03-04', '2024-03-10');
    expectExact(got, expected('AMD', 1, '2024-03-04', '2024-03-10', { closedDates: ['2024-03-04'] }));
    expect(got.requests.map((r) => `${r.fromDate}..${r.toDate}`)).toEqual([
      '2024-03-04..2024-03-10',
      '2024-03-04..2024-03-05',
      '2024-03-04..2024-03-04',
      '2024-03-05..2024-03-05',
    ]);
  });

  it('an answer cut by a cap lower than assumed (below the threshold) is detected from its late start', async () => {
    fake.setOptions({ rowCap: 700 });
    const got = await collect(source(), 'LOW', 1, '2024-03-04', '2024-03-08');
    expectExact(got, expected('LOW', 1, '2024-03-04', '2024-03-08'));
    expect(fake.stats.truncated).toBeGreaterThan(0);
  });

  it('extended-hours answers (960 one-minute bars a day) overflow the regular-session windows and are split without a bar lost', async () => {
    fake.setOptions({ extendedHours: true });
    const got = await collect(source(), 'EXT', 1, '2024-03-04', '2024-03-29');
    expectExact(got, expected('EXT', 1, '2024-03-04', '2024-03-29', { extendedHours: true }));
    expect(fake.stats.truncated).toBe(3);
    // Window 03-04..03-19 (12 trading days, 11,520 bars): the newest 5,000, then 03-04..03-12, then 03-04..03-05;
    // window 03-20..03-29 (7,680 bars): the newest 5,000, then 03-20..03-22. No request twice.
    expect(got.requests.map((r) => `${r.fromDate}..${r.toDate}`)).toEqual([
      '2024-03-04..2024-03-19',
      '2024-03-04..2024-03-12',
      '2024-03-04..2024-03-05',
      '2024-03-20..2024-03-29',
      '2024-03-20..2024-03-22',
    ]);
  });

  it('a cap cutting inside the first day of a window is repaired', async () => {
    fake.setOptions({ rowCap: 500 });
    // 2024-03-08 (Fri) .. 2024-03-11 (Mon): 780 bars; the newest 500 start on the Friday.
    const got = await collect(source({ truncationThreshold: 500 }), 'CUT', 1, '2024-03-08', '2024-03-11');
    expectExact(got, expected('CUT', 1, '2024-03-08', '2024-03-11'));
    expect(got.requests.map((r) => `${r.fromDate}..${r.toDate}`)).toEqual(['2024-03-08..2024-03-11', '2024-03-08..2024-03-08']);
  });

  it('warns when a one-day window may be capped', async () => {
    fake.setOptions({ rowCap: 200 });
    const got = await collect(source({ truncationThreshold: 200 }), 'AMD', 1, '2024-03-05', '2024-03-05');
    expect(fake.stats.requests).toBe(1);
    expect(got.bars.timestampMs.length).toBe(200);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('a day cannot be split'))).toBe(true);
  });
});

describe('FmpBarSource: rate limits', () => {
  it('recovers from a 429 storm with no bar lost or doubled', async () => {
    fake.setOptions({ rateLimitPerMinute: 4, rateLimitWindowMs: 300 });
    const src = source({ maxRateLimitRetries: 30 });
    const tickers = ['AAA', 'BBB', 'CCC'];
    const results = await Promise.all(tickers.map((t) => collect(src, t, 5, '2024-01-01', '2024-06-30')));
    expect(fake.stats.rateLimited).toBeGreaterThan(0);
    results.forEach((r, i) => {
      expectExact(r, expected(tickers[i]!, 5, '2024-01-01', '2024-06-30'));
    });
  });

  it('provokes no 429 when the server allows what the client limiter allows', async () => {
    fake.setOptions({ rateLimitPerMinute: 10, rateLimitWindowMs: 500 });
    const limiter = new RateLimiter({ requestsPerWindow: 10, windowMs: 500, marginMs: 50 });
    const src = source({ rateLimiter: limiter });
    const tickers = ['DDD', 'EEE', 'FFF'];
    const results = await Promise.all(tickers.map((t) => collect(src, t, 1, '2024-01-01', '2024-02-29')));
    expect(fake.stats.requests).toBeGreaterThan(15); // the limiter's window is passed several times
    expect(fake.stats.rateLimited).toBe(0);
    results.forEach((r, i) => {
      expectExact(r, expected(tickers[i]!, 1, '2024-01-01', '2024-02-29'));
    });
  });

  it('gives up after maxRateLimitRetries 429s with a SourceError naming the ticker and window', async () => {
    fake.setOptions({ faults: [{ fault: { kind: 'status', status: 429 }, probability: 1 }] });
    const err = await collect(source({ maxRateLimitRetries: 2 }), 'GGG', 5, '2024-01-02', '2024-01-05').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toMatch(/GGG 5min 2024-01-02\.\.2024-01-05.*429/);
    expect(fake.stats.requests).toBe(3);
  });
});

describe('FmpBarSource: transient failures are retried', () => {
  it('recovers from 500, 502 and 503 with HTML bodies', async () => {
    fake.setOptions({
      faults: [
        { fault: { kind: 'status', status: 500, html: true } },
        { fault: { kind: 'status', status: 502, html: true } },
        { fault: { kind: 'status', status: 503, html: true } },
      ],
    });
    const got = await collect(source(), 'HHH', 5, '2024-03-04', '2024-03-15');
    expectExact(got, expected('HHH', 5, '2024-03-04', '2024-03-15'));
    expect(fake.stats.statuses[500]).toBe(1);
    expect(fake.stats.statuses[502]).toBe(1);
    expect(fake.stats.statuses[503]).toBe(1);
    expect(got.requests.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(logger.lines.some((l) => l.includes('HTTP 502') && l.includes('HTML body: 502 Bad Gateway'))).toBe(true);
  });

  it('retries a hanging answer after the timeout', async () => {
    fake.setOptions({ faults: [{ fault: { kind: 'hang', ms: 10_000 } }] });
    const got = await collect(source({ timeoutMs: 300 }), 'III', 5, '2024-03-04', '2024-03-08');
    expectExact(got, expected('III', 5, '2024-03-04', '2024-03-08'));
    expect(fake.stats.hangs).toBe(1);
    expect(got.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(logger.lines.some((l) => l.includes('no complete answer within 300 ms'))).toBe(true);
  });

  it('retries connection resets (before and during the body)', async () => {
    fake.setOptions({ faults: [{ fault: { kind: 'reset' } }, { fault: { kind: 'reset-mid-body' } }] });
    const got = await collect(source(), 'JJJ', 1, '2024-03-04', '2024-03-08');
    expectExact(got, expected('JJJ', 1, '2024-03-04', '2024-03-08'));
    expect(fake.stats.resets).toBe(2);
    expect(got.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('retries truncated JSON, an object instead of an array and an unreadable bar', async () => {
    fake.setOptions({
      faults: [{ fault: { kind: 'truncated-json' } }, { fault: { kind: 'object-body' } }, { fault: { kind: 'bad-bar' } }],
    });
    const got = await collect(source(), 'KKK', 5, '2024-03-04', '2024-03-08');
    expectExact(got, expected('KKK', 5, '2024-03-04', '2024-03-08'));
    expect(got.requests.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn'));
    expect(warnings.some((l) => l.includes('not valid JSON'))).toBe(true);
    expect(warnings.some((l) => l.includes('got an object'))).toBe(true);
    expect(warnings.some((l) => l.includes('no valid date'))).toBe(true);
  });

  it('yields each bar once, ascending, from shuffled answers with duplicates', async () => {
    fake.setOptions({ outOfOrder: true, duplicateBars: 25 });
    const got = await collect(source(), 'LLL', 1, '2024-10-28', '2024-11-08');
    expectExact(got, expected('LLL', 1, '2024-10-28', '2024-11-08'));
  });

  it('fails the ticker after maxRetries with the ticker, window and cause', async () => {
    fake.setOptions({ faults: [{ fault: { kind: 'status', status: 503, html: true }, probability: 1 }] });
    const err = await collect(source({ maxRetries: 2 }), 'MMM', 15, '2024-03-04', '2024-03-08').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(e.message).toMatch(/MMM 15min 2024-03-04\.\.2024-03-08: gave up after 3 attempts; last error: HTTP 503/);
    expect(e.retryable).toBe(true);
    expect(e.fatal).toBe(false);
    expect(fake.stats.requests).toBe(3);
  });
});

describe('FmpBarSource: permanent failures', () => {
  it('an invalid key fails at once, fatally, without leaking the key, and poisons the source', async () => {
    const secret = 'wrong-KEY-s3cr3t';
    const src = source({ apiKey: secret });
    const err = await collect(src, 'NNN', 1, '2024-03-04', '2024-03-15').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(e.retryable).toBe(false);
    expect(e.fatal).toBe(true);
    expect(e.message).toMatch(/NNN.*API key.*HTTP 401.*Invalid API KEY/);
    expect(e.message).not.toContain(secret);
    expect(fake.stats.requests).toBe(1);
    expect(fake.stats.statuses[401]).toBe(1);
    const again = await collect(src, 'OOO', 1, '2024-03-04', '2024-03-15').catch((x: unknown) => x);
    expect(again).toBeInstanceOf(SourceError);
    expect((again as SourceError).fatal).toBe(true);
    expect(fake.stats.requests).toBe(1);
    expect(logger.lines.join('\n')).not.toContain(secret);
    expect(logger.lines.some((l) => l.includes('apikey=***'))).toBe(true);
  });

  it('a plan-gated symbol (402) fails the ticker without retry', async () => {
    fake.setOptions({ gatedSymbols: ['GATED'] });
    const err = await collect(source(), 'GATED', 1, '2024-03-04', '2024-03-15').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(e.retryable).toBe(false);
    expect(e.fatal).toBe(false);
    expect(e.message).toMatch(/GATED 1min 2024-03-04\.\.2024-03-15: not available under the current FMP plan \(HTTP 402/);
    expect(fake.stats.requests).toBe(1);
    // The source is not poisoned: other tickers still work.
    const ok = await collect(source(), 'PPP', 60, '2024-03-04', '2024-03-08');
    expectExact(ok, expected('PPP', 60, '2024-03-04', '2024-03-08'));
  });

  it('an unknown symbol yields no batch and reports every empty window', async () => {
    const got = await collect(source(), 'ZZNOPE', 1, '2024-03-04', '2024-03-24');
    expect(got.batches).toBe(0);
    expect(got.empty).toEqual(splitWindows('2024-03-04', '2024-03-24', 1));
    expect(fake.stats.requests).toBe(2);
  });

  it('stops with the caller’s reason when the signal aborts', async () => {
    fake.setOptions({ faults: [{ fault: { kind: 'hang', ms: 10_000 } }] });
    const ac = new AbortController();
    setTimeout(() => {
      ac.abort(new Error('interrupted by test'));
    }, 100);
    // The answer in flight is given stopGraceMs to arrive (it is paid for); this one hangs, so it is dropped.
    const started = performance.now();
    const err = await collect(source({ stopGraceMs: 300 }), 'QQQ', 1, '2024-03-04', '2024-03-08', ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('interrupted by test');
    expect(fake.stats.requests).toBe(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('lets the answer in flight at a stop arrive, then sends no other request', async () => {
    fake.setOptions({ latencyMs: 300 });
    const ac = new AbortController();
    setTimeout(() => {
      ac.abort(new Error('interrupted by test'));
    }, 100);
    const kept: WindowKey[] = [];
    const cache: FmpWindowCache = {
      get: () => Promise.resolve(undefined),
      put: (key) => {
        kept.push(key);
        return Promise.resolve();
      },
    };
    const src = source({ cache });
    const got: number[] = [];
    const err = await (async () => {
      for await (const b of src.fetch({ ticker: 'QQQ', exchange: 'NASDAQ', intervalMinutes: 1, fromDate: '2024-03-04', toDate: '2024-04-30', signal: ac.signal })) got.push(b.length);
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('interrupted by test');
    expect(fake.stats.requests).toBe(1);
    expect(kept).toEqual([{ ticker: 'QQQ', intervalMinutes: 1, fromDate: '2024-03-04', toDate: '2024-03-19' }]);
  });

  it('honours the kernel StopSignal too, during a backoff sleep', async () => {
    fake.setOptions({ faults: [{ fault: { kind: 'status', status: 503 }, probability: 1 }] });
    const stop = new StopController();
    const src = source({
      backoff: { baseMs: 60_000, capMs: 60_000 },
      random: () => 0.5,
      rateLimiter: new RateLimiter({ requestsPerWindow: 1_000_000, windowMs: 1000, marginMs: 0 }),
    });
    setTimeout(() => {
      stop.abort(new Error('stopped by StopController'));
    }, 100);
    const request = { ticker: 'RRR', exchange: 'NASDAQ', intervalMinutes: 1 as const, fromDate: '2024-03-04', toDate: '2024-03-08', signal: stop.signal };
    const batches: unknown[] = [];
    const err = await (async () => {
      for await (const b of src.fetch(request)) batches.push(b);
    })().catch((e: unknown) => e);
    expect(batches).toEqual([]);
    expect((err as Error).message).toBe('stopped by StopController');
    expect(fake.stats.requests).toBe(1);
  });
});

describe('createFmpBarSource (wiring)', () => {
  it('reads the key from .env in cwd and the base URL from the environment', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'barfill-fmp-'));
    try {
      await writeFile(path.join(dir, '.env'), `# local settings\nFMP_API_KEY="${KEY}"\nFMP_RATE_LIMIT=3000\n`);
      const src = await createFmpBarSource({ FMP_BASE_URL: fake.url }, { cwd: dir, logger });
      const batches: number[] = [];
      for await (const b of src.fetch({ ticker: 'WIRE', exchange: 'NASDAQ', intervalMinutes: 30, fromDate: '2024-03-04', toDate: '2024-03-08' })) {
        batches.push(...b.timestampMs);
      }
      expect(batches).toEqual(expected('WIRE', 30, '2024-03-04', '2024-03-08').timestampMs);
      expect(logger.lines.join('\n')).not.toContain(KEY);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with a ConfigError when no key is set, and on a bad FMP_RATE_LIMIT', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'barfill-fmp-'));
    try {
      await expect(createFmpBarSource({}, { cwd: dir, logger })).rejects.toThrow(ConfigError);
      await expect(createFmpBarSource({}, { cwd: dir, logger })).rejects.toThrow(/FMP_API_KEY/);
      await expect(createFmpBarSource({ FMP_API_KEY: KEY, FMP_RATE_LIMIT: 'lots' }, { cwd: dir, logger })).rejects.toThrow(/FMP_RATE_LIMIT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
