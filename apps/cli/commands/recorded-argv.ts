import path from 'node:path';

/** Flags whose value is a file or directory: inputs, and destinations (`--summary-json -` is stdout, kept). */
export const PATH_FLAGS: readonly string[] = ['parquet', 'csv-dir', 'tickers-file', 'config', 'reject-file', 'output-filename', 'summary-json'];

/**
 * The command line as the run ledger records it: the path flags' values made
 * absolute against the working directory, so that `--resume` from another
 * directory reads and writes the same files. Everything else is kept as given.
 */
export function recordedArgv(argv: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const absolute = (value: string): string => (value === '-' || value === '' ? value : path.resolve(cwd, value));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : '';
    const next = argv[i + 1];
    if (!PATH_FLAGS.includes(name)) out.push(arg);
    else if (eq !== -1) out.push(`--${name}=${absolute(arg.slice(eq + 1))}`);
    else if (next !== undefined && !next.startsWith('--')) {
      out.push(arg, absolute(next));
      i += 1;
    } else out.push(arg);
  }
  return out;
}
