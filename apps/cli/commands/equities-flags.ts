import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { helpFlag, type FlagSpec } from '../main/args.js';
import type { ParsedFlags } from '../main/args.js';
import { UsageError, errorMessage } from '../../../src/kernel/errors.js';
import { parseTickers } from '../../../src/kernel/ticker.js';
import type { BarInterval } from '../../../src/application/bar-batch.js';
import type { ConflictMode } from '../../../src/application/ports/bar-writer.js';

export const dateFlags: readonly FlagSpec[] = [
  { name: 'start', kind: 'string', value: 'DDMMYY', required: true, description: 'First day, inclusive (e.g. 010125 = 1 January 2025).' },
  { name: 'end', kind: 'string', value: 'DDMMYY', required: true, description: 'Last day, inclusive.' },
];

export const tickerFlags: readonly FlagSpec[] = [
  { name: 'tickers', kind: 'list', value: 'T1 T2 ...', description: 'Tickers (letters, digits, . - ^; up to 15 chars; upper-cased). Default: tickers.json in the working directory.' },
  { name: 'tickers-file', kind: 'string', value: '<path>', description: 'A JSON list of tickers to use when --tickers is absent (instead of ./tickers.json).' },
];

export const sharedFlags: readonly FlagSpec[] = [
  { name: 'exchange', kind: 'string', value: 'EXCH', default: 'NASDAQ', description: 'Exchange code stored with each bar.' },
  { name: 'interval', kind: 'string', value: 'N', default: '1', choices: ['1', '5', '15', '30', '60'], description: 'Bar interval in minutes.' },
  { name: 'dry-run', kind: 'boolean', description: 'Fetch/read and count, but write nothing to the database (--output-filename is still written).' },
  { name: 'on-conflict', kind: 'string', value: 'MODE', default: 'fail', choices: ['fail', 'ignore', 'update'], description: 'fail: a bar already stored fails that unit (rolled back); ignore: skip it and count it; update: replace bars whose values changed (counts ins, upd, skip).' },
  { name: 'summary-json', kind: 'string', value: '<path|->', description: "Write the final summary as one JSON document to a file, or '-' for stdout (then the only thing on stdout)." },
  { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'INFO', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], description: 'Log level (logs go to stderr).' },
];

export const equitiesNotes: readonly string[] = [
  'PostgreSQL: DATABASE_URL or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE/PGSSLMODE; none set: embedded PGlite under BARFILL_HOME (default $XDG_DATA_HOME/barfill, else ~/.local/share/barfill).',
  'Exit codes: 0 every unit succeeded (even with no data), 1 any unit failed or any row was rejected, 2 usage or configuration error, 130/143 interrupted.',
];

export { helpFlag };

export function intervalOf(flags: ParsedFlags): BarInterval {
  const n = Number(flags.string('interval') ?? '1');
  if (n === 1 || n === 5 || n === 15 || n === 30 || n === 60) return n;
  throw new UsageError(`--interval: expected one of 1, 5, 15, 30, 60; got '${flags.string('interval') ?? ''}'`);
}

export function exchangeOf(flags: ParsedFlags): string {
  const e = (flags.string('exchange') ?? 'NASDAQ').trim().toUpperCase();
  if (!/^[A-Z0-9._-]{1,16}$/.test(e)) throw new UsageError(`--exchange: expected 1 to 16 letters or digits; got '${e.slice(0, 20)}'`);
  return e;
}

/** --tickers, else --tickers-file, else ./tickers.json. */
export async function tickersOf(flags: ParsedFlags, cwd: string): Promise<string[]> {
  if (flags.has('tickers')) return parseTickers(flags.list('tickers'));
  const file = flags.string('tickers-file');
  const p = path.resolve(cwd, file ?? 'tickers.json');
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch (err) {
    if (file === undefined) throw new UsageError(`no --tickers given and no tickers.json in ${cwd}`);
    throw new UsageError(`--tickers-file ${file}: cannot read: ${errorMessage(err)}`);
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${p}: not valid JSON: ${errorMessage(err)}`);
  }
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) {
    throw new UsageError(`${p}: expected a JSON list of ticker strings, e.g. ["AAPL", "MSFT"]`);
  }
  return parseTickers(list, p);
}

/** --resume and the progress flags, shared by every command that records runs. */
export const runFlags: readonly FlagSpec[] = [
  { name: 'resume', kind: 'string', value: '<run-id|last>', description: "Rerun only the units not done in that run (or the newest run of this command), with its arguments and its --on-conflict mode; refused (exit 2) while another live process holds the run. Only operational flags may change (--threads, --log-level, --summary-json, --batch-size, --report-format, progress flags)." },
  { name: 'no-progress', kind: 'boolean', description: 'No progress display (terminal) or progress log lines (otherwise).' },
  { name: 'progress-interval', kind: 'string', value: 'SECONDS', default: '10', description: 'When stderr is not a terminal: a progress log line this often.' },
];

/** --on-conflict: a resumed run keeps the run's mode (a unit is recorded done in the transaction of its rows). */
export function conflictModeOf(flags: ParsedFlags): ConflictMode {
  return (flags.string('on-conflict') ?? 'fail') as ConflictMode;
}
