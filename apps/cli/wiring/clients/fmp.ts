import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FmpBarSource } from '../../../../src/adapters/fmp/fmp-bar-source.js';
import { parseDotenv, resolveFmpConfig } from '../../../../src/adapters/fmp/fmp-config.js';
import type { DotenvFile } from '../../../../src/adapters/fmp/fmp-config.js';
import { RateLimiter } from '../../../../src/adapters/fmp/rate-limiter.js';
import { FileWindowCache, type FmpWindowCache } from '../../../../src/adapters/fmp/window-cache.js';
import type { BarSource } from '../../../../src/application/ports/bar-source.js';
import { ConfigError } from '../../../../src/kernel/errors.js';
import type { Logger } from '../../../../src/kernel/logger.js';

async function readDotenv(file: string): Promise<DotenvFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`cannot read ${file}: ${typeof code === 'string' ? code : 'unknown error'}`);
  }
  return parseDotenv(text);
}

/**
 * The FMP bar source: settings from the environment, else from `.env` in
 * `cwd` (FMP_API_KEY, FMP_BASE_URL, FMP_RATE_LIMIT, FMP_MAX_RETRIES,
 * FMP_TIMEOUT_MS). One rate limiter per source, shared by every worker that
 * uses it.
 */
export async function createFmpBarSource(
  env: Readonly<Record<string, string | undefined>>,
  options: { cwd: string; logger: Logger; cache?: FmpWindowCache },
): Promise<BarSource> {
  const dotenvPath = path.join(options.cwd, '.env');
  const config = resolveFmpConfig(env, await readDotenv(dotenvPath), dotenvPath);
  const rateLimiter = new RateLimiter({ requestsPerWindow: config.requestsPerMinute });
  options.logger.debug('FMP source', {
    baseUrl: config.baseUrl,
    requestsPerMinute: config.requestsPerMinute,
    maxRetries: config.maxRetries,
    timeoutMs: config.timeoutMs,
    rowCap: config.rowCap,
  });
  return new FmpBarSource({
    apiKey: config.apiKey,
    baseUrl: config.baseUrl,
    rateLimiter,
    logger: options.logger,
    ...(config.maxRetries === undefined ? {} : { maxRetries: config.maxRetries }),
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.rowCap === undefined ? {} : { rowCap: config.rowCap }),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
}

/**
 * The cache of FMP answers under `<home>/cache/fmp/<vendor host>/`, for the configured FMP_BASE_URL
 * (its leftovers swept: interrupted writes, entries past their age).
 */
export async function createFmpWindowCache(
  env: Readonly<Record<string, string | undefined>>,
  options: { cwd: string; home: string; logger: Logger },
): Promise<FileWindowCache> {
  const dotenvPath = path.join(options.cwd, '.env');
  const config = resolveFmpConfig(env, await readDotenv(dotenvPath), dotenvPath);
  const cache = new FileWindowCache({ root: path.join(options.home, 'cache', 'fmp'), baseUrl: config.baseUrl, logger: options.logger });
  await cache.sweep();
  return cache;
}

/** What a fetch plan needs: the rate limit, the row cap, and the optional FMP_DAILY_LIMIT (requests per UTC day). */
export async function fmpPlanSettings(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<{ requestsPerMinute: number; rowCap: number | undefined; dailyLimit: number | undefined }> {
  const dotenvPath = path.join(cwd, '.env');
  const dotenv = await readDotenv(dotenvPath);
  const config = resolveFmpConfig(env, dotenv, dotenvPath);
  const raw = env['FMP_DAILY_LIMIT'] ?? dotenv?.values.get('FMP_DAILY_LIMIT');
  let dailyLimit: number | undefined;
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
      throw new ConfigError(`FMP_DAILY_LIMIT: expected a positive number of requests per day (the free plan allows 250); got '${raw.slice(0, 20)}'`);
    }
    dailyLimit = Number(raw);
  }
  return { requestsPerMinute: config.requestsPerMinute, rowCap: config.rowCap, dailyLimit };
}
