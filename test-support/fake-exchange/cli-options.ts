/**
 * The fake exchange's command line, parsed into server options (kept apart from main.ts so it is testable).
 */
import { parseArgs } from 'node:util';
import type { CorruptFile, ReplacedFile } from './archive.js';
import type { FakeExchangeOptions } from './server.js';

/** A flag the fake exchange cannot use; main.ts prints it with the usage and exits 2. */
export class FakeExchangeUsageError extends Error {
  readonly code = 'FAKE_EXCHANGE_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'FakeExchangeUsageError';
  }
}

export const USAGE = `usage: fake-exchange [--port 8090] [--host 127.0.0.1] [--now ISO (the clock starts there)] [--latency-ms N]
  [--spot-weight-limit 6000] [--futures-weight-limit 2400] [--ban-after-ignored 3] [--ban-ms 120000]
  [--bybit-limit 600] [--bybit-window-ms 5000] [--bybit-ban-ms 600000]
  [--missing KEY]... [--replaced KEY[=DOWNLOADS|=ISO]]... [--corrupt KEY[=COUNT]]... [--wrong-checksum KEY]...
KEY names an archive file: spot/BTCUSDT-1m-2024-03-05 (daily) or um/BTCUSDT-1m-2024-03 (monthly, USD-M).
`;

function fail(message: string): never {
  throw new FakeExchangeUsageError(message);
}

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${name}: expected a whole number, got '${value}'`);
  return Number(value);
}

function instant(name: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) fail(`--${name}: expected an ISO instant, got '${value}'`);
  return ms;
}

function replaced(spec: string): ReplacedFile {
  const [file = '', when] = spec.split('=');
  if (when === undefined) return { file };
  return /^\d+$/.test(when) ? { file, afterDownloads: Number(when) } : { file, atMs: instant('replaced', when) };
}

function corrupt(spec: string): CorruptFile {
  const [file = '', count] = spec.split('=');
  const n = intFlag('corrupt', count);
  return n === undefined ? { file } : { file, count: n };
}

/** The object without its undefined properties (exactOptionalPropertyTypes). */
function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function optionsFrom(values: Record<string, string | boolean | string[] | undefined>, realNow: () => number): FakeExchangeOptions {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const list = (k: string): string[] => (Array.isArray(values[k]) ? values[k] : []);
  const nowFlag = str('now');
  const offset = nowFlag === undefined ? 0 : instant('now', nowFlag) - realNow();
  return {
    port: intFlag('port', str('port')) ?? 8090,
    host: str('host') ?? '127.0.0.1',
    now: () => realNow() + offset,
    ...defined({ latencyMs: intFlag('latency-ms', str('latency-ms')) }),
    binanceSpot: defined({
      weightLimit: intFlag('spot-weight-limit', str('spot-weight-limit')),
      banAfterIgnored: intFlag('ban-after-ignored', str('ban-after-ignored')),
      banMs: intFlag('ban-ms', str('ban-ms')),
    }),
    binanceFutures: defined({
      weightLimit: intFlag('futures-weight-limit', str('futures-weight-limit')),
      banAfterIgnored: intFlag('ban-after-ignored', str('ban-after-ignored')),
      banMs: intFlag('ban-ms', str('ban-ms')),
    }),
    bybit: defined({
      limit: intFlag('bybit-limit', str('bybit-limit')),
      windowMs: intFlag('bybit-window-ms', str('bybit-window-ms')),
      banMs: intFlag('bybit-ban-ms', str('bybit-ban-ms')),
    }),
    missing: list('missing'),
    replaced: list('replaced').map(replaced),
    corrupt: list('corrupt').map(corrupt),
    wrongChecksum: list('wrong-checksum'),
  };
}

export interface ParsedArgs {
  readonly help: boolean;
  readonly options: FakeExchangeOptions;
}

/** Parses the flags; `realNow` is the machine clock (the fake's clock runs from `--now` at its pace). */
export function parseFakeExchangeArgs(args: readonly string[], realNow: () => number): ParsedArgs {
  const text = { type: 'string' } as const;
  const many = { type: 'string', multiple: true } as const;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: text, host: text, now: text, 'latency-ms': text,
        'spot-weight-limit': text, 'futures-weight-limit': text, 'ban-after-ignored': text, 'ban-ms': text,
        'bybit-limit': text, 'bybit-window-ms': text, 'bybit-ban-ms': text,
        missing: many, replaced: many, corrupt: many, 'wrong-checksum': many,
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  return { help: values.help, options: optionsFrom(values, realNow) };
}
