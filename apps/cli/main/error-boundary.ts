import { BarfillError, InterruptedError } from '../../../src/kernel/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The one place errors become exit codes. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof InterruptedError) return err.signal === 'SIGTERM' ? 143 : 130;
  if (err instanceof BarfillError) {
    return err.code === 'E_USAGE' || err.code === 'E_CONFIG' || err.code === 'E_RUN_HELD' ? EXIT_USAGE : EXIT_FAILURE;
  }
  return EXIT_FAILURE;
}

/** One clear line; the stack only when asked for (`--log-level DEBUG`). */
export function describeError(err: unknown, withStack: boolean): string {
  if (err instanceof BarfillError) {
    const head = `barfill: ${err.message}`;
    return withStack && err.stack !== undefined ? `${head}\n${err.stack}` : head;
  }
  if (err instanceof Error) {
    const head = `barfill: unexpected error: ${err.message}`;
    return withStack && err.stack !== undefined ? `${head}\n${err.stack}` : head;
  }
  return `barfill: unexpected error: ${String(err)}`;
}
