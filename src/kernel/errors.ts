/**
 * The few error classes barfill raises. Each has a stable `code`; the CLI maps
 * them to exit codes at one boundary (apps/cli/main/error-boundary.ts).
 *
 * Messages never carry secrets: adapters redact before they throw.
 */
export type ErrorCode =
  | 'E_USAGE' // bad flags or values: exit 2
  | 'E_CONFIG' // bad configuration file or environment: exit 2
  | 'E_INPUT' // an input file or row that cannot be read: exit 1
  | 'E_SOURCE' // a data vendor failed (HTTP, auth, rate limit): exit 1
  | 'E_SINK' // the database failed: exit 1
  | 'E_LOCKED' // an embedded store is in use by another process: exit 1
  | 'E_RUN_HELD' // --resume of a run another live process holds: exit 2
  | 'E_NO_STORE' // a reader was pointed at an embedded store that does not exist: exit 1
  | 'E_INTERRUPTED'; // SIGINT/SIGTERM: exit 130/143

export class BarfillError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BarfillError';
    this.code = code;
  }
}

export class UsageError extends BarfillError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}

export class ConfigError extends BarfillError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** `--resume` of a run whose lease another live process holds (pid, host, last heartbeat in the message). */
export class RunHeldError extends BarfillError {
  constructor(message: string) {
    super('E_RUN_HELD', message);
    this.name = 'RunHeldError';
  }
}

export class InputError extends BarfillError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INPUT', message, options);
    this.name = 'InputError';
  }
}

export class SourceError extends BarfillError {
  /** False when retrying cannot help (invalid API key, plan-gated symbol). */
  readonly retryable: boolean;
  /** True when no other unit can succeed either (an invalid API key): the run stops. */
  readonly fatal: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean; fatal?: boolean }) {
    super('E_SOURCE', message, options);
    this.name = 'SourceError';
    this.retryable = options?.retryable ?? true;
    this.fatal = options?.fatal ?? false;
  }
}

export class SinkError extends BarfillError {
  /** SQLSTATE or ClickHouse error code when the database gave one. */
  readonly dbCode: string | undefined;
  /**
   * True when the failure is of the connection or the server's availability
   * (refused, reset, timed out, restarting) and retrying the same work can
   * succeed; false for errors of the statement, the data or the credentials.
   */
  readonly transient: boolean;
  /** A unique violation's key, when the database named it (`fail` mode: the first conflicting bar). */
  readonly conflict: { readonly ticker: string; readonly intervalMinutes: number; readonly timestampMs: number } | undefined;
  constructor(
    message: string,
    options?: { cause?: unknown; dbCode?: string; transient?: boolean; conflict?: { ticker: string; intervalMinutes: number; timestampMs: number } },
  ) {
    super('E_SINK', message, options);
    this.name = 'SinkError';
    this.dbCode = options?.dbCode;
    this.transient = options?.transient ?? false;
    this.conflict = options?.conflict;
  }
}

/** Who holds an embedded store's lock, as written in its lock file. */
export interface StoreLockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  /** ISO 8601 UTC. */
  readonly started: string;
}

/** An embedded store is in use by another process (its lock is held): exit 1, nothing written. */
export class StoreLockedError extends BarfillError {
  /** The holder, or undefined when the lock file cannot be read. */
  readonly holder: StoreLockHolder | undefined;
  constructor(message: string, holder: StoreLockHolder | undefined) {
    super('E_LOCKED', message);
    this.name = 'StoreLockedError';
    this.holder = holder;
  }
}

/** A reader (query, gaps, runs) found no embedded store where it looked; it created nothing: exit 1. */
export class StoreNotFoundError extends BarfillError {
  /** The store directory that does not exist. */
  readonly path: string;
  constructor(message: string, path: string) {
    super('E_NO_STORE', message);
    this.name = 'StoreNotFoundError';
    this.path = path;
  }
}

export class InterruptedError extends BarfillError {
  readonly signal: 'SIGINT' | 'SIGTERM';
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super('E_INTERRUPTED', `interrupted by ${signal}`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

/** A printable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
