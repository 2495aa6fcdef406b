/**
 * The part of `AbortSignal` inner layers use to learn that a run must stop
 * (SIGINT/SIGTERM). Declared here so the kernel and application layers need
 * neither Node nor DOM types; a real `AbortSignal` satisfies it.
 */
export interface StopSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A minimal controller for a StopSignal, for use inside the application layer. */
export class StopController {
  readonly signal: StopSignal;
  private readonly fire: (reason: unknown) => void;

  constructor() {
    const listeners = new Set<() => void>();
    let aborted = false;
    let reason: unknown;
    this.signal = {
      get aborted() {
        return aborted;
      },
      get reason() {
        return reason;
      },
      addEventListener(_type, listener) {
        listeners.add(listener);
      },
      removeEventListener(_type, listener) {
        listeners.delete(listener);
      },
    };
    this.fire = (r) => {
      if (aborted) return;
      aborted = true;
      reason = r;
      for (const l of [...listeners]) l();
      listeners.clear();
    };
  }

  abort(reason: unknown): void {
    this.fire(reason);
  }
}
