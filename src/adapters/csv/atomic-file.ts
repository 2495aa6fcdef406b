import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputError, errorMessage } from '../../kernel/errors.js';

/** Temporary files not yet renamed or removed, for `removeTemporaryFilesSync`. */
const openTemporaryFiles = new Set<string>();

/**
 * Removes every temporary file still open, synchronously: for a process that
 * must exit at once (a second Ctrl-C), so that it leaves none behind.
 */
export function removeTemporaryFilesSync(): void {
  for (const p of openTemporaryFiles) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
  openTemporaryFiles.clear();
}

/**
 * A file written under a temporary name in the destination's directory
 * (created exclusively, mode 0644) and renamed over the destination on
 * `commit` (after fsync): readers never see a partial file, and a symlink
 * planted at the destination is replaced, never followed. Writes are
 * serialized, so concurrent async callers cannot interleave inside a write.
 */
export class AtomicFile {
  readonly destination: string;
  readonly tempPath: string;
  private readonly handle: FileHandle;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private state: 'open' | 'committed' | 'aborted' = 'open';
  private readonly what: string;

  private constructor(destination: string, tempPath: string, handle: FileHandle, what: string) {
    this.destination = destination;
    this.tempPath = tempPath;
    this.handle = handle;
    this.what = what;
  }

  /** `what` names the file in messages, e.g. `--output-filename`. */
  static async create(destination: string, what: string): Promise<AtomicFile> {
    const dest = path.resolve(destination);
    try {
      const st = await lstat(dest);
      if (st.isDirectory()) throw new InputError(`${what} ${dest}: is a directory`);
    } catch (err) {
      if (err instanceof InputError) throw err;
      if ((err as { code?: unknown }).code !== 'ENOENT') throw new InputError(`${what} ${dest}: ${errorMessage(err)}`, { cause: err });
    }
    const tempPath = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(tempPath, 'wx', 0o644);
      await handle.chmod(0o644); // whatever the umask
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const why = code === 'ENOENT' ? 'the directory does not exist' : code === 'EACCES' ? 'permission denied' : errorMessage(err);
      throw new InputError(`${what} ${dest}: cannot create a file in ${path.dirname(dest)}: ${why}`, { cause: err });
    }
    openTemporaryFiles.add(tempPath);
    return new AtomicFile(dest, tempPath, handle, what);
  }

  /** Appends text; resolves once written to the temporary file. */
  write(text: string): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new InputError(`${this.what} ${this.destination}: already closed`));
    const p = this.queue.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        await this.handle.write(text);
      } catch (err) {
        this.failure = new InputError(`${this.what} ${this.destination}: cannot write: ${errorMessage(err)}`, { cause: err });
        throw this.failure;
      }
    });
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Waits for pending writes, fsyncs and renames over the destination. */
  async commit(): Promise<void> {
    if (this.state !== 'open') throw new InputError(`${this.what} ${this.destination}: already closed`);
    await this.queue;
    if (this.failure !== undefined) {
      await this.abort();
      throw this.failure;
    }
    this.state = 'committed';
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.tempPath, this.destination);
      openTemporaryFiles.delete(this.tempPath);
    } catch (err) {
      await unlink(this.tempPath).catch(() => undefined);
      openTemporaryFiles.delete(this.tempPath);
      throw new InputError(`${this.what} ${this.destination}: cannot finish the file: ${errorMessage(err)}`, { cause: err });
    }
    // Make the rename durable (best effort: not every file system allows it).
    const dir = await open(path.dirname(this.destination), 'r').catch(() => undefined);
    if (dir !== undefined) {
      await dir.sync().catch(() => undefined);
      await dir.close().catch(() => undefined);
    }
  }

  /** Drops the temporary file; the destination is left as it was. Idempotent. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.queue;
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
    openTemporaryFiles.delete(this.tempPath);
  }
}

/** One CSV field, quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
