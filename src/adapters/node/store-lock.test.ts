import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StoreLockedError, type StoreLockHolder } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { acquireStoreLock, processExists, type StoreLockOptions } from './store-lock.js';

const HOST = 'host-a';
const owner = (pid: number, command = 'inject-csv'): StoreLockHolder => ({ pid, host: HOST, command, started: '2026-01-02T03:04:05.000Z' });

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info() {}, warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

/** Options on a fresh directory, a fake clock and a sleep that advances it (and runs `onSleep`). */
function setup(over: Partial<StoreLockOptions> & { onSleep?: (n: number) => void } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'barfill-lock-'));
  let now = 1_000;
  let sleeps = 0;
  const logger = recorder();
  const { onSleep, ...rest } = over;
  const options: StoreLockOptions = {
    store: 'the store',
    lockPath: path.join(dir, 'pglite.lock'),
    owner: owner(2002),
    timeoutMs: 0,
    timeoutVariable: 'LOCK_TIMEOUT',
    logger,
    now: () => now,
    sleep: (ms) => {
      now += ms;
      sleeps += 1;
      onSleep?.(sleeps);
      return Promise.resolve();
    },
    isAlive: () => true,
    ...rest,
  };
  return { dir, options, logger, sleeps: () => sleeps };
}

const holderOf = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe('acquireStoreLock', () => {
  it('writes the holder as JSON and removes the file on release (twice is harmless); no temporary file is left', async () => {
    const { dir, options } = setup();
    const lock = await acquireStoreLock(options);
    expect(holderOf(options.lockPath)).toEqual(owner(2002));
    expect(readdirSync(dir)).toEqual(['pglite.lock']);
    lock.release();
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a held lock with timeout 0 fails at once, naming the holder and the variable, without waiting', async () => {
    const { options, logger, sleeps } = setup();
    await acquireStoreLock({ ...options, owner: owner(1001, 'backfill-1m') });
    const err = await acquireStoreLock(options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as StoreLockedError).code).toBe('E_LOCKED');
    expect((err as StoreLockedError).holder).toEqual(owner(1001, 'backfill-1m'));
    expect((err as Error).message).toBe(
      'the store is in use: held by pid 1001 (backfill-1m on host-a, since 2026-01-02T03:04:05.000Z); one process at a time: set LOCK_TIMEOUT=<seconds> to wait for it',
    );
    expect(sleeps()).toBe(0);
    expect(logger.lines).toEqual([]);
    expect(holderOf(options.lockPath)).toEqual(owner(1001, 'backfill-1m'));
  });

  it('waits for a held lock with one log line, and takes it when the holder releases it', async () => {
    let release = (): void => undefined;
    const { options, logger } = setup({ timeoutMs: 30_000, onSleep: (n) => { if (n === 3) release(); } });
    const first = await acquireStoreLock({ ...options, owner: owner(1001) });
    release = () => { first.release(); };
    const second = await acquireStoreLock(options);
    expect(holderOf(options.lockPath)).toEqual(owner(2002));
    expect(logger.lines).toEqual([
      'warn waiting for the store, held by pid 1001 (inject-csv on host-a, since 2026-01-02T03:04:05.000Z): up to 30 s (LOCK_TIMEOUT)',
    ]);
    first.release(); // the old holder's release leaves the new holder's lock alone
    expect(holderOf(options.lockPath)).toEqual(owner(2002));
    second.release();
    expect(existsSync(options.lockPath)).toBe(false);
  });

  it('gives up after the timeout, naming the holder and the variable', async () => {
    const { options, logger, sleeps } = setup({ timeoutMs: 1_500, pollMs: 200 });
    await acquireStoreLock({ ...options, owner: owner(1001) });
    await expect(acquireStoreLock(options)).rejects.toThrow(
      'gave up after 1.5 s (LOCK_TIMEOUT) waiting for the store: held by pid 1001 (inject-csv on host-a, since 2026-01-02T03:04:05.000Z)',
    );
    expect(sleeps()).toBe(8); // 7 x 200 ms + 100 ms
    expect(logger.lines).toHaveLength(1);
  });

  it('a wait ends with the signal', async () => {
    const controller = new AbortController();
    const { options } = setup({
      timeoutMs: 60_000,
      signal: controller.signal,
      sleep: (_ms, signal) => {
        controller.abort(new Error('SIGINT'));
        return Promise.reject(signal?.reason as Error);
      },
    });
    await acquireStoreLock({ ...options, owner: owner(1001) });
    await expect(acquireStoreLock(options)).rejects.toThrow('SIGINT');
    expect(holderOf(options.lockPath)).toEqual(owner(1001));
  });

  it('takes over the lock of a process of this host that no longer exists, with a warning', async () => {
    const { options, logger } = setup({ isAlive: (pid) => pid !== 1001 });
    await acquireStoreLock({ ...options, owner: owner(1001) });
    const lock = await acquireStoreLock(options);
    expect(holderOf(options.lockPath)).toEqual(owner(2002));
    expect(logger.lines).toEqual([
      'warn the store: taking over the stale lock of pid 1001 (inject-csv, since 2026-01-02T03:04:05.000Z), which no longer runs',
    ]);
    lock.release();
  });

  it('a lock holding our own pid that this process did not take is stale (an earlier process with the same pid)', async () => {
    const { options } = setup();
    await acquireStoreLock(options);
    const lock = await acquireStoreLock(options);
    expect(holderOf(options.lockPath)).toEqual(owner(2002));
    lock.release();
  });

  it('never takes over the lock of another host, even when that pid does not exist here', async () => {
    const { options } = setup({ isAlive: () => false });
    await acquireStoreLock({ ...options, owner: { ...owner(1001), host: 'host-b' } });
    await expect(acquireStoreLock(options)).rejects.toThrow('held by pid 1001 (inject-csv on host-b');
  });

  it('does not take over a stale lock while another live process is taking it over (the take-over guard)', async () => {
    const { options } = setup({ timeoutMs: 400, isAlive: (pid) => pid !== 1001 });
    await acquireStoreLock({ ...options, owner: owner(1001) });
    writeFileSync(`${options.lockPath}.takeover`, JSON.stringify(owner(3003)));
    await expect(acquireStoreLock(options)).rejects.toThrow('gave up after 0.4 s');
    expect(holderOf(options.lockPath)).toEqual(owner(1001));
  });

  it('a take-over guard left by a process that no longer exists is removed', async () => {
    const { options } = setup({ isAlive: (pid) => pid !== 1001 && pid !== 3003 });
    await acquireStoreLock({ ...options, owner: owner(1001) });
    writeFileSync(`${options.lockPath}.takeover`, JSON.stringify(owner(3003)));
    const lock = await acquireStoreLock(options);
    expect(holderOf(options.lockPath)).toEqual(owner(2002));
    expect(existsSync(`${options.lockPath}.takeover`)).toBe(false);
    lock.release();
  });

  it('an unreadable lock file is not taken over: the error names the file to remove', async () => {
    const { options } = setup();
    writeFileSync(options.lockPath, 'not json');
    const err = await acquireStoreLock(options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as StoreLockedError).holder).toBeUndefined();
    expect((err as Error).message).toContain(`a lock file that cannot be read (${options.lockPath}; remove it if no barfill is running)`);
  });
});

describe('processExists', () => {
  it('is true for this process and false for one that has exited', () => {
    expect(processExists(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(processExists(child.pid ?? 0)).toBe(false);
  });
});
