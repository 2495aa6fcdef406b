/**
 * An exclusive, cross-process lock on one embedded store (a PGlite or chDB
 * directory): a lock file beside the store holding JSON
 * `{pid, host, command, started}`.
 *
 * - Taken atomically: the JSON is written to a private temporary file, then
 *   hard-linked to the lock path (`link` fails with EEXIST when the lock exists,
 *   like `open(path, 'wx')`, and a reader never sees a half-written lock file).
 * - A lock whose holder ran on this host and no longer exists
 *   (`kill(pid, 0)` gives ESRCH) is stale: it is taken over, with a warning.
 *   The take-over runs under a second lock (`<lock>.takeover`) and re-reads the
 *   holder first, so two processes finding the same stale lock never remove a
 *   fresh one.
 * - A held lock is waited for, polling, up to `timeoutMs` (0: not at all), with
 *   one log line naming the holder; then StoreLockedError.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { StoreLockedError, type StoreLockHolder } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';

export interface StoreLockOptions {
  /** What the store is, for messages: `embedded PostgreSQL (PGlite) at /abs/path`. */
  readonly store: string;
  readonly lockPath: string;
  readonly owner: StoreLockHolder;
  /** How long to wait for a held lock; 0 fails at once. */
  readonly timeoutMs: number;
  /** The environment variable that sets `timeoutMs`, named in messages. */
  readonly timeoutVariable: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** Rejects when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Poll interval while waiting (default 200 ms). */
  readonly pollMs?: number;
  /** Whether a process of this host exists (default: `process.kill(pid, 0)`). */
  readonly isAlive?: (pid: number) => boolean;
}

/** A lock this process holds. Releasing twice is harmless. */
export interface HeldStoreLock {
  readonly lockPath: string;
  /** Synchronous, so that it can run in a process `exit` handler. */
  release(): void;
}

type Read = { kind: 'absent' } | { kind: 'unreadable' } | { kind: 'held'; holder: StoreLockHolder };

/** Acquires the lock, waiting up to `timeoutMs`; throws StoreLockedError when it stays held. */
export async function acquireStoreLock(o: StoreLockOptions): Promise<HeldStoreLock> {
  const deadline = o.now() + o.timeoutMs;
  const isAlive = o.isAlive ?? processExists;
  let announced = false;
  for (;;) {
    if (tryCreate(o.lockPath, o.owner)) return held(o.lockPath, o.owner);
    const current = readLock(o.lockPath);
    if (current.kind === 'absent') continue;
    if (current.kind === 'held' && isStale(current.holder, o.owner, isAlive) && takeOver(o, current.holder, isAlive)) continue;
    const remaining = deadline - o.now();
    if (remaining <= 0) throw lockedError(o, current);
    if (!announced) o.logger.warn(waitingLine(o, current));
    announced = true;
    await o.sleep(Math.min(o.pollMs ?? 200, remaining), o.signal);
  }
}

/** `kill(pid, 0)`: ESRCH means gone; EPERM means it exists (another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function isStale(holder: StoreLockHolder, owner: StoreLockHolder, isAlive: (pid: number) => boolean): boolean {
  if (holder.host !== owner.host) return false;
  // Our own pid in a lock this process did not take: left by an earlier process that had the same pid (containers).
  return holder.pid === owner.pid || !isAlive(holder.pid);
}

/** Creates the lock file with `owner`, atomically; false when it exists. */
function tryCreate(lockPath: string, owner: StoreLockHolder): boolean {
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(tmp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkQuietly(tmp);
  }
}

function readLock(lockPath: string): Read {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw err;
  }
  const holder = parseHolder(text);
  return holder === undefined ? { kind: 'unreadable' } : { kind: 'held', holder };
}

function parseHolder(text: string): StoreLockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof StoreLockHolder, unknown>>;
    const { pid, host, command, started } = v;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
    if (typeof host !== 'string' || typeof command !== 'string' || typeof started !== 'string') return undefined;
    return { pid, host, command, started };
  } catch {
    return undefined;
  }
}

const sameHolder = (a: StoreLockHolder, b: StoreLockHolder): boolean =>
  a.pid === b.pid && a.host === b.host && a.started === b.started && a.command === b.command;

/**
 * Removes the stale lock of `stale`, unless another process took it over
 * meanwhile. False when another live process is taking it over right now.
 */
function takeOver(o: StoreLockOptions, stale: StoreLockHolder, isAlive: (pid: number) => boolean): boolean {
  const guard = `${o.lockPath}.takeover`;
  if (!tryCreate(guard, o.owner)) {
    const g = readLock(guard);
    if (g.kind === 'held' && !isStale(g.holder, o.owner, isAlive)) return false;
    unlinkQuietly(guard);
    return true;
  }
  try {
    const current = readLock(o.lockPath);
    if (current.kind === 'held' && sameHolder(current.holder, stale)) {
      unlinkQuietly(o.lockPath);
      o.logger.warn(`${o.store}: taking over the stale lock of pid ${stale.pid} (${stale.command}, since ${stale.started}), which no longer runs`);
    }
    return true;
  } finally {
    unlinkQuietly(guard);
  }
}

function held(lockPath: string, owner: StoreLockHolder): HeldStoreLock {
  let released = false;
  return {
    lockPath,
    release() {
      if (released) return;
      released = true;
      const current = readLock(lockPath);
      if (current.kind === 'held' && sameHolder(current.holder, owner)) unlinkQuietly(lockPath);
    },
  };
}

function describeHolder(h: StoreLockHolder): string {
  return `pid ${h.pid} (${h.command} on ${h.host}, since ${h.started})`;
}

function waitingLine(o: StoreLockOptions, r: Read): string {
  const who = r.kind === 'held' ? describeHolder(r.holder) : `the process that wrote ${o.lockPath}`;
  return `waiting for ${o.store}, held by ${who}: up to ${o.timeoutMs / 1000} s (${o.timeoutVariable})`;
}

function lockedError(o: StoreLockOptions, r: Read): StoreLockedError {
  const holder = r.kind === 'held' ? r.holder : undefined;
  const who = holder === undefined ? `a lock file that cannot be read (${o.lockPath}; remove it if no barfill is running)` : describeHolder(holder);
  const head = o.timeoutMs > 0 ? `gave up after ${o.timeoutMs / 1000} s (${o.timeoutVariable}) waiting for ${o.store}` : `${o.store} is in use`;
  const hint = o.timeoutMs > 0 ? '' : `; one process at a time: set ${o.timeoutVariable}=<seconds> to wait for it`;
  return new StoreLockedError(`${head}: held by ${who}${hint}`, holder);
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
