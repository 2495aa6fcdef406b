/**
 * Files shipped with the barfill package (configs/, examples/), found from this
 * module's own location: the same in a checkout (`dist/` or the sources under
 * test) and in an installed package, whatever the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../src/kernel/errors.js';
import type { Logger } from '../../../src/kernel/logger.js';

/** The `--config` default of backfill-1m and gaps (the seed's), relative to the working directory. */
export const DEFAULT_MARKET_CONFIG = 'configs/dev/market_data.yaml';

let root: string | undefined;

/** The package's root: the nearest directory above this module whose package.json is barfill's. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (isBarfillPackage(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new ConfigError(`no barfill package.json above ${import.meta.dirname}: the installation is incomplete`);
  }
}

function isBarfillPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'barfill';
  } catch {
    return false;
  }
}

/** A file shipped with the package, e.g. `examples/BTCUSDT-1m-sample.parquet`. */
export function shippedFile(relative: string): string {
  return path.join(packageRoot(), relative);
}

/**
 * The market config to load: an explicit `--config` as given (a missing one
 * stays an error when it is read); without `--config`, the default relative to
 * the working directory when it exists there, else the copy shipped with the
 * package. Says at DEBUG which file it chose.
 */
export function marketConfigPath(explicit: string | undefined, cwd: string, logger: Logger): string {
  if (explicit !== undefined) return path.resolve(cwd, explicit);
  const local = path.resolve(cwd, DEFAULT_MARKET_CONFIG);
  if (existsSync(local)) {
    logger.debug(`market config: ${local} (--config default, found in the working directory)`);
    return local;
  }
  const shipped = shippedFile(DEFAULT_MARKET_CONFIG);
  logger.debug(`market config: ${shipped} (shipped with barfill; no ${DEFAULT_MARKET_CONFIG} in ${cwd})`);
  return shipped;
}
