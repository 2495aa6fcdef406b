import type { CommandSpec, ParsedFlags } from './args.js';

/** What a command gets from the composition root: no globals. */
export interface CommandContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The command's own arguments (after its name), as given: recorded in the run ledger for --resume. */
  readonly argv: readonly string[];
  /** stdout, for the only things a command prints (help, `--summary-json -`, query hints); a no-op once stdout is closed. */
  readonly stdout: (text: string) => void;
  /** Aborted when the reader of stdout went away (`barfill query ... | head -1`): stop printing, end with exit 0. */
  readonly stdoutClosed: AbortSignal;
  /** stderr, raw (logs go through the logger a command builds). */
  readonly stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM with an InterruptedError as the reason. */
  readonly signal: AbortSignal;
}

export interface CommandModule {
  readonly spec: CommandSpec;
  /** Returns the exit code; throws typed errors, which the boundary maps. */
  run(ctx: CommandContext, flags: ParsedFlags): Promise<number>;
}
