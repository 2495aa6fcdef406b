/**
 * The fake data.binance.vision archive: monthly and daily 1m kline zips with CHECKSUM files.
 *
 *   /data/spot/monthly/klines/<SYM>/1m/<SYM>-1m-<YYYY>-<MM>.zip[.CHECKSUM]
 *   /data/spot/daily/klines/<SYM>/1m/<SYM>-1m-<YYYY>-<MM>-<DD>.zip[.CHECKSUM]
 *   /data/futures/um/{monthly,daily}/klines/... (USD-M futures)
 *
 * Each zip holds one CSV named like the zip. Spot CSVs have no header, times in milliseconds before
 * 2025-01-01 and in microseconds from it; futures CSVs have a header line from 2022 on, times in ms.
 * A CHECKSUM file is `<sha256hex>  <file>.zip\n`. Files are published for whole past days (before
 * the UTC day of "now") and whole past months; files before a symbol's listing, of unknown symbols,
 * or marked missing answer 404 with S3's XML body.
 */
import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { DAY_MS, MINUTE_MS, binanceFields, candleAt, hasCandle, listingOf } from './data.js';
import type { Candle, ExchangeDataOptions, Market } from './data.js';

export type ArchiveMarket = 'spot' | 'um';

/** One archive file, named by its key `<spot|um>/<SYM>-1m-<YYYY>-<MM>[-<DD>]`. */
export interface ArchiveFile {
  readonly market: ArchiveMarket;
  readonly symbol: string;
  readonly period: 'monthly' | 'daily';
  readonly startMs: number;
  /** Exclusive. */
  readonly endMs: number;
  /** `BTCUSDT-1m-2024-03-05` */
  readonly stem: string;
  readonly key: string;
  readonly checksum: boolean;
}

export interface ReplacedFile {
  readonly file: string;
  /** The corrected copy is served once this many zips were downloaded (default 1: after the first download). */
  readonly afterDownloads?: number;
  /** Or from this instant (ms) on. */
  readonly atMs?: number;
}

export interface CorruptFile {
  readonly file: string;
  /** Downloads served corrupt before the good copy (default: all of them). */
  readonly count?: number;
}

export interface ArchiveFaults {
  /** File keys answered 404 (e.g. a missing day). */
  readonly missing?: readonly string[];
  /** Files first served as a stale copy, then replaced by the corrected one (content and CHECKSUM change). */
  readonly replaced?: readonly ReplacedFile[];
  /** Zips whose bytes do not unzip; their CHECKSUM matches those bytes. */
  readonly corrupt?: readonly CorruptFile[];
  /** Files whose CHECKSUM does not match the zip. */
  readonly wrongChecksum?: readonly string[];
}

export const SPOT_MICROSECONDS_FROM_MS = Date.UTC(2025, 0, 1);
export const FUTURES_HEADER_FROM_MS = Date.UTC(2022, 0, 1);
export const FUTURES_HEADER =
  'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

const PATH =
  /^\/data\/(spot|futures\/um)\/(monthly|daily)\/klines\/([A-Z0-9]+)\/1m\/([A-Z0-9]+)-1m-(\d{4})-(\d{2})(?:-(\d{2}))?\.zip(\.CHECKSUM)?$/;

export function parseArchivePath(pathname: string): ArchiveFile | undefined {
  const m = PATH.exec(pathname);
  if (m === null || m[3] !== m[4]) return undefined;
  const period = m[2] === 'daily' ? 'daily' : 'monthly';
  if ((period === 'daily') !== (m[7] !== undefined)) return undefined;
  const year = Number(m[5]), month = Number(m[6]) - 1;
  const startMs = Date.UTC(year, month, period === 'daily' ? Number(m[7]) : 1);
  const start = new Date(startMs);
  if (start.getUTCMonth() !== month || (period === 'daily' && start.getUTCDate() !== Number(m[7]))) return undefined;
  const endMs = period === 'daily' ? startMs + DAY_MS : Date.UTC(year, month + 1, 1);
  const market: ArchiveMarket = m[1] === 'spot' ? 'spot' : 'um';
  const stem = `${m[3]}-1m-${m[5]}-${m[6]}${m[7] === undefined ? '' : `-${m[7]}`}`;
  return { market, symbol: m[3]!, period, startMs, endMs, stem, key: `${market}/${stem}`, checksum: m[8] !== undefined };
}

/** Whether the archive has published this file at `nowMs`. */
export function isPublished(file: ArchiveFile, nowMs: number, options: ExchangeDataOptions): boolean {
  const listed = listingOf(file.symbol, options);
  if (listed === undefined || file.endMs <= listed) return false;
  const now = new Date(nowMs);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return file.endMs <= (file.period === 'daily' ? today : thisMonth);
}

function marketOf(file: ArchiveFile): Market {
  return file.market === 'spot' ? 'binance-spot' : 'binance-um';
}

/** The stale copy of a replaced file differs in every 10th candle's volume and trades. */
function staled(c: Candle, index: number): Candle {
  return index % 10 === 0 ? { ...c, volume: c.volume + 1, trades: c.trades + 1 } : c;
}

function csvLine(c: Candle, micro: boolean): string {
  const f = binanceFields(c);
  const open = micro ? `${c.openTimeMs}000` : String(c.openTimeMs);
  const close = micro ? `${c.openTimeMs + MINUTE_MS - 1}999` : String(c.openTimeMs + MINUTE_MS - 1);
  return `${open},${f.open},${f.high},${f.low},${f.close},${f.volume},${close},${f.quoteVolume},${f.trades},${f.takerBuyBase},${f.takerBuyQuote},0`;
}

/** The CSV text of a file (stale: the copy later replaced). */
export function archiveCsv(file: ArchiveFile, options: ExchangeDataOptions, stale = false): string {
  const market = marketOf(file);
  const micro = file.market === 'spot' && file.startMs >= SPOT_MICROSECONDS_FROM_MS;
  const lines: string[] = [];
  if (file.market === 'um' && file.startMs >= FUTURES_HEADER_FROM_MS) lines.push(FUTURES_HEADER);
  let index = 0;
  for (let t = file.startMs; t < file.endMs; t += MINUTE_MS) {
    if (!hasCandle(market, file.symbol, t, options)) continue;
    const c = candleAt(market, file.symbol, t);
    lines.push(csvLine(stale ? staled(c, index) : c, micro));
    index++;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The zip bytes (fixed mtime: the same bytes every time). */
export function archiveZip(file: ArchiveFile, options: ExchangeDataOptions, stale = false): Uint8Array {
  const csv = strToU8(archiveCsv(file, options, stale));
  return zipSync({ [`${file.stem}.csv`]: [csv, { mtime: new Date(file.endMs), level: 1 }] });
}

/** Bytes that fail to unzip: the zip cut before its central directory. */
export function corrupted(zip: Uint8Array): Uint8Array {
  return zip.slice(0, Math.max(1, Math.floor(zip.length / 2)));
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function checksumText(hex: string, file: ArchiveFile): string {
  return `${hex}  ${file.stem}.zip\n`;
}

export function s3NoSuchKey(pathname: string): string {
  const key = pathname.replace(/^\//, '');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key><RequestId>FAKE0000000000000000</RequestId><HostId>fake-exchange</HostId></Error>`;
}
