import type { StopSignal } from '../../kernel/stop-signal.js';

/** A real AbortSignal (for fetch, timers, drivers) that follows an application StopSignal. */
export function toAbortSignal(stop: StopSignal | undefined): AbortSignal | undefined {
  if (stop === undefined) return undefined;
  if (stop instanceof AbortSignal) return stop;
  const controller = new AbortController();
  if (stop.aborted) controller.abort(stop.reason);
  else stop.addEventListener('abort', () => { controller.abort(stop.reason); }, { once: true });
  return controller.signal;
}
