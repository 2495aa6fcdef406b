/**
 * A fake exchange over loopback: the Binance public-data archive (`/data/...`), Binance spot and USD-M
 * klines (`/api/v3/klines`, `/fapi/v1/klines`) and Bybit v5 klines (`/v5/market/kline`), all on one port,
 * all serving the same deterministic candles (./data.ts) with the venues' gaps. See ./archive.ts and
 * ./rest.ts for the rules each answers by. "Now" is an option (a fixed instant or a clock function), so
 * what is published, the current candle and the rate-limit minutes are deterministic in tests.
 */
import http from 'node:http';
import {
  archiveZip,
  checksumText,
  corrupted,
  isPublished,
  parseArchivePath,
  s3NoSuchKey,
  sha256Hex,
} from './archive.js';
import type { ArchiveFaults, ArchiveFile } from './archive.js';
import { listenLocal } from '../listen.js';
import { DEFAULT_LISTINGS, DEFAULT_MAINTENANCE } from './data.js';
import type { ExchangeDataOptions } from './data.js';
import { BinanceGate, BybitGate, binanceKlines, bybitKlines, futuresWeight } from './rest.js';
import type { BinanceLimits, BybitLimits, Reply } from './rest.js';

export type RequestKind = 'archive-zip' | 'archive-checksum' | 'binance-spot' | 'binance-futures' | 'bybit' | 'other';

export interface FakeExchangeOptions extends ExchangeDataOptions, ArchiveFaults {
  readonly port?: number;
  readonly host?: string;
  /** The clock: a fixed instant (ms) or a function; default Date.now. */
  readonly now?: number | (() => number);
  /** Delay before every answer, ms. */
  readonly latencyMs?: number;
  readonly binanceSpot?: BinanceLimits;
  readonly binanceFutures?: BinanceLimits;
  readonly bybit?: BybitLimits;
}

export interface FakeExchangeLogEntry {
  readonly kind: RequestKind;
  readonly path: string;
  readonly status: number;
}

export interface FakeExchangeStats {
  requests: number;
  byKind: Record<RequestKind, number>;
  statuses: Record<number, number>;
  /** Weight admitted in total, per Binance API. */
  weightUsed: { spot: number; futures: number };
  /** 418 bans started (Binance), 403 bans started (Bybit). */
  bans: { spot: number; futures: number; bybit: number };
  /** 200 zip downloads per file key (`spot/BTCUSDT-1m-2024-03-05`). */
  downloads: Record<string, number>;
  /** The version of a replaced file's last download: 1 the stale copy, 2 the corrected one. */
  versions: Record<string, number>;
  log: FakeExchangeLogEntry[];
}

export interface FakeExchange {
  /** `http://127.0.0.1:PORT` (archive, Binance and Bybit alike). */
  readonly url: string;
  readonly port: number;
  readonly stats: FakeExchangeStats;
  /** Changes options for later requests (rate-limit and download state is kept). */
  setOptions(options: Partial<FakeExchangeOptions>): void;
  close(): Promise<void>;
}

function emptyStats(): FakeExchangeStats {
  return {
    requests: 0,
    byKind: { 'archive-zip': 0, 'archive-checksum': 0, 'binance-spot': 0, 'binance-futures': 0, bybit: 0, other: 0 },
    statuses: {},
    weightUsed: { spot: 0, futures: 0 },
    bans: { spot: 0, futures: 0, bybit: 0 },
    downloads: {},
    versions: {},
    log: [],
  };
}

function kindOf(pathname: string): RequestKind {
  if (pathname.startsWith('/data/')) return pathname.endsWith('.CHECKSUM') ? 'archive-checksum' : 'archive-zip';
  if (pathname === '/api/v3/klines') return 'binance-spot';
  if (pathname === '/fapi/v1/klines') return 'binance-futures';
  if (pathname === '/v5/market/kline') return 'bybit';
  return 'other';
}

function notFound(pathname: string): Reply {
  return { status: 404, headers: { 'Content-Type': 'application/xml' }, body: s3NoSuchKey(pathname) };
}

/** The fake's state behind one server. */
class Exchange {
  options: FakeExchangeOptions;
  readonly stats = emptyStats();
  readonly spot = new BinanceGate(6000);
  readonly futures = new BinanceGate(2400);
  readonly bybit = new BybitGate();
  private readonly zips = new Map<string, Uint8Array>();

  constructor(options: FakeExchangeOptions) {
    this.options = options;
  }

  now(): number {
    const n = this.options.now;
    return typeof n === 'function' ? n() : (n ?? Date.now());
  }

  data(): ExchangeDataOptions {
    return { listings: this.options.listings ?? DEFAULT_LISTINGS, maintenance: this.options.maintenance ?? DEFAULT_MAINTENANCE };
  }

  answer(kind: RequestKind, url: URL): Reply {
    switch (kind) {
      case 'archive-zip':
      case 'archive-checksum':
        return this.archive(url.pathname);
      case 'binance-spot':
        return this.binance('spot', url.searchParams);
      case 'binance-futures':
        return this.binance('futures', url.searchParams);
      case 'bybit':
        return this.bybitKline(url.searchParams);
      default:
        return notFound(url.pathname);
    }
  }

  private binance(api: 'spot' | 'futures', params: URLSearchParams): Reply {
    const gate = api === 'spot' ? this.spot : this.futures;
    const limits = (api === 'spot' ? this.options.binanceSpot : this.options.binanceFutures) ?? {};
    const limit = Number(params.get('limit') ?? '500');
    const weight = api === 'spot' ? 2 : futuresWeight(Number.isFinite(limit) ? limit : 500);
    const bansBefore = gate.bans;
    const refused = gate.admit(weight, this.now(), limits);
    this.stats.bans[api] += gate.bans - bansBefore;
    this.stats.weightUsed[api] = gate.weightTotal;
    if (refused !== undefined) return refused;
    const reply = binanceKlines(api, params, this.now(), this.data());
    return { ...reply, headers: { ...reply.headers, ...gate.headers() } };
  }

  private bybitKline(params: URLSearchParams): Reply {
    const bansBefore = this.bybit.bans;
    const admitted = this.bybit.admit(this.now(), this.options.bybit ?? {});
    this.stats.bans.bybit += this.bybit.bans - bansBefore;
    if ('refused' in admitted) return admitted.refused;
    return bybitKlines(params, this.now(), this.data(), admitted.headers);
  }

  private archive(pathname: string): Reply {
    const file = parseArchivePath(pathname);
    if (file === undefined || !isPublished(file, this.now(), this.data())) return notFound(pathname);
    if ((this.options.missing ?? []).includes(file.key)) return notFound(pathname);
    const { bytes, stale } = this.nextZip(file);
    if (file.checksum) {
      const hex = sha256Hex(bytes);
      const wrong = (this.options.wrongChecksum ?? []).includes(file.key);
      return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: checksumText(wrong ? sha256Hex(`wrong:${hex}`) : hex, file) };
    }
    this.stats.downloads[file.key] = (this.stats.downloads[file.key] ?? 0) + 1;
    if (this.isReplaced(file)) this.stats.versions[file.key] = stale ? 1 : 2;
    return { status: 200, headers: { 'Content-Type': 'application/zip' }, body: bytes };
  }

  /** The bytes the next download of this zip gets (its CHECKSUM describes them). */
  private nextZip(file: ArchiveFile): { bytes: Uint8Array; stale: boolean } {
    const done = this.stats.downloads[file.key] ?? 0;
    const stale = this.isStale(file, done);
    const zip = this.cachedZip(file, stale);
    const corrupt = (this.options.corrupt ?? []).find((c) => c.file === file.key);
    const bad = corrupt !== undefined && done < (corrupt.count ?? Number.POSITIVE_INFINITY);
    return { bytes: bad ? corrupted(zip) : zip, stale };
  }

  private isReplaced(file: ArchiveFile): boolean {
    return (this.options.replaced ?? []).some((x) => x.file === file.key);
  }

  private isStale(file: ArchiveFile, done: number): boolean {
    const r = (this.options.replaced ?? []).find((x) => x.file === file.key);
    if (r === undefined) return false;
    const byCount = r.afterDownloads ?? (r.atMs === undefined ? 1 : undefined);
    if (byCount !== undefined && done >= byCount) return false;
    return !(r.atMs !== undefined && this.now() >= r.atMs);
  }

  private cachedZip(file: ArchiveFile, stale: boolean): Uint8Array {
    const key = `${file.key}|${stale}`;
    let zip = this.zips.get(key);
    if (zip === undefined) {
      zip = archiveZip(file, this.data(), stale);
      if (this.zips.size >= 8) this.zips.delete(this.zips.keys().next().value!);
      this.zips.set(key, zip);
    }
    return zip;
  }

  clearCache(): void {
    this.zips.clear();
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': body.length });
  res.end(body);
}

export async function startFakeExchange(initial: FakeExchangeOptions = {}): Promise<FakeExchange> {
  const ex = new Exchange({ ...initial });
  const timers = new Set<NodeJS.Timeout>();

  const respond = (kind: RequestKind, url: URL, res: http.ServerResponse): void => {
    const reply = ex.answer(kind, url);
    ex.stats.statuses[reply.status] = (ex.stats.statuses[reply.status] ?? 0) + 1;
    ex.stats.log.push({ kind, path: url.pathname, status: reply.status });
    send(res, reply);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-exchange');
    const kind = req.method === 'GET' ? kindOf(url.pathname) : 'other';
    ex.stats.requests++;
    ex.stats.byKind[kind]++;
    const latency = ex.options.latencyMs ?? 0;
    if (latency <= 0) {
      respond(kind, url, res);
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      respond(kind, url, res);
    }, latency);
    timers.add(t);
  });
  server.keepAliveTimeout = 5_000;
  const { url, port } = await listenLocal(server, initial);

  return {
    url,
    port,
    stats: ex.stats,
    setOptions(partial: Partial<FakeExchangeOptions>): void {
      ex.options = { ...ex.options, ...partial };
      if (partial.listings !== undefined || partial.maintenance !== undefined) ex.clearCache();
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
