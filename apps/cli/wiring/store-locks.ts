/**
 * Wiring: one writer per embedded store. The first time this process opens an
 * embedded store (PGlite at `<BARFILL_HOME>/pglite`, chDB at
 * `<BARFILL_HOME>/clickhouse`) it takes the store's lock (`<store>.lock`,
 * src/adapters/node/store-lock.ts) and holds it until the command ends: a
 * command that opens its store more than once (--resume reads the ledger first,
 * `gaps --fill` reads, writes, reads) never lets another process in between.
 *
 * The lock is a resource of the process (its holder is a pid), so the locks
 * held are kept here, per process: `main` names the command and releases them
 * when the command ends; a process `exit` handler releases them on every other
 * way out (a second SIGINT, an uncaught error). A SIGKILL leaves the lock file:
 * the next process finds its pid gone and takes it over.
 */
import { hostname } from 'node:os';
import { ConfigError } from '../../../src/kernel/errors.js';
import type { Logger } from '../../../src/kernel/logger.js';
import { acquireStoreLock, type HeldStoreLock } from '../../../src/adapters/node/store-lock.js';
import { timerSleep } from './sleep.js';

type Env = Readonly<Record<string, string | undefined>>;

const TIMEOUT_VARIABLE = 'BARFILL_LOCK_TIMEOUT';
const MAX_TIMEOUT_SECONDS = 7 * 86_400;

/** Locks being taken or held, by lock path; `acquired` holds those taken (released synchronously at exit). */
const taking = new Map<string, Promise<void>>();
const acquired = new Map<string, HeldStoreLock>();
let settings: { command: string; signal: AbortSignal | undefined } = { command: 'barfill', signal: undefined };
let exitHookInstalled = false;

/** The command named in lock files, and the signal that ends a wait (SIGINT/SIGTERM). */
export function configureStoreLocks(command: string, signal: AbortSignal): void {
  settings = { command, signal };
}

/** BARFILL_LOCK_TIMEOUT: seconds to wait for a held store (default 0: fail at once). */
export function lockTimeoutMs(env: Env): number {
  const text = env[TIMEOUT_VARIABLE]?.trim() ?? '';
  if (text === '') return 0;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new ConfigError(`${TIMEOUT_VARIABLE}: expected seconds to wait for a busy embedded store, 0..${MAX_TIMEOUT_SECONDS}; got '${text.slice(0, 20)}'`);
  }
  return Math.round(seconds * 1000);
}

/**
 * Takes the lock of the embedded store at `storeDir` for the rest of the
 * command (a no-op when this process holds it already). Throws
 * StoreLockedError when another process holds it past BARFILL_LOCK_TIMEOUT.
 */
export async function lockEmbeddedStore(storeDir: string, store: string, env: Env, logger: Logger): Promise<void> {
  const lockPath = `${storeDir}.lock`;
  let pending = taking.get(lockPath);
  if (pending === undefined) {
    pending = take(lockPath, store, lockTimeoutMs(env), logger);
    taking.set(lockPath, pending);
    installExitHook();
  }
  await pending;
}

async function take(lockPath: string, store: string, timeoutMs: number, logger: Logger): Promise<void> {
  try {
    const lock = await acquireStoreLock({
      store,
      lockPath,
      owner: { pid: process.pid, host: hostname(), command: settings.command, started: new Date().toISOString() },
      timeoutMs,
      timeoutVariable: TIMEOUT_VARIABLE,
      logger,
      now: Date.now,
      sleep: timerSleep,
      ...(settings.signal === undefined ? {} : { signal: settings.signal }),
    });
    acquired.set(lockPath, lock);
  } catch (err) {
    taking.delete(lockPath);
    throw err;
  }
}

/** Releases every store lock this process holds (the command has ended). */
export async function releaseStoreLocks(): Promise<void> {
  await Promise.allSettled(taking.values());
  releaseAcquired();
}

function releaseAcquired(): void {
  for (const lock of acquired.values()) lock.release();
  acquired.clear();
  taking.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', releaseAcquired);
}
