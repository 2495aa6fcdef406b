import { UsageError } from '../../../src/kernel/errors.js';

/**
 * A small declarative flag parser: every command lists its flags once, and
 * the same list drives parsing, validation and `--help`.
 *
 * - `string`: `--flag value` or `--flag=value`
 * - `repeat`: may be given several times (`--parquet a --parquet b`)
 * - `list`: takes every following value up to the next flag (`--tickers AAPL MSFT`)
 * - `boolean`: `--flag` (no value)
 */
export type FlagKind = 'string' | 'repeat' | 'list' | 'boolean';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly value?: string;
  readonly description: string;
  readonly default?: string;
  readonly required?: boolean;
  /** Accepted values, checked by the parser and shown in help. */
  readonly choices?: readonly string[];
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  /** Required positional arguments, before any flag (e.g. `migrate clickhouse`). */
  readonly positionals?: readonly PositionalSpec[];
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  readonly notes?: readonly string[];
}

export interface ParsedFlags {
  readonly values: ReadonlyMap<string, string | readonly string[] | true>;
  string(name: string): string | undefined;
  list(name: string): readonly string[];
  has(name: string): boolean;
  positional(index: number): string;
}

export const helpFlag: FlagSpec = { name: 'help', kind: 'boolean', description: 'Show this help and exit.' };

export function parseFlags(spec: CommandSpec, given: readonly string[]): ParsedFlags {
  // `-h` is `--help`, as in most command-line tools.
  const argv = given.map((a) => (a === '-h' ? '--help' : a));
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const values = new Map<string, string | string[] | true>();
  const positionals: string[] = [];
  let i = 0;
  const wantsHelp = argv.includes('--help');
  for (const p of spec.positionals ?? []) {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) {
      if (wantsHelp) break;
      throw new UsageError(`${spec.name}: missing <${p.name}>${p.choices ? ` (one of: ${p.choices.join(', ')})` : ''}`);
    }
    if (p.choices !== undefined && !p.choices.includes(v)) {
      throw new UsageError(`${spec.name}: <${p.name}> must be one of ${p.choices.join(', ')}; got '${v.slice(0, 40)}'`);
    }
    positionals.push(v);
    i += 1;
  }
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`${spec.name}: unexpected argument '${arg}' (flags start with --; see 'barfill ${spec.name} --help')`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const flag = byName.get(name);
    if (flag === undefined) {
      throw new UsageError(`${spec.name}: unknown flag --${name} (accepted: ${spec.flags.map((f) => `--${f.name}`).join(', ')})`);
    }
    i += 1;
    if (flag.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values.set(name, true);
      continue;
    }
    const taken: string[] = [];
    if (inline !== undefined) taken.push(inline);
    else {
      const next = argv[i];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value${flag.value ? ` (${flag.value})` : ''}`);
      }
      taken.push(next);
      i += 1;
    }
    if (flag.kind === 'list') {
      while (i < argv.length && !(argv[i] ?? '').startsWith('--')) {
        taken.push(argv[i] ?? '');
        i += 1;
      }
    }
    taken.forEach((v, k) => {
      taken[k] = checkChoice(flag, v);
    });
    if (flag.kind === 'string') {
      if (values.has(name)) throw new UsageError(`--${name} was given more than once`);
      values.set(name, taken[0] ?? '');
    } else {
      const prev = values.get(name);
      values.set(name, [...(Array.isArray(prev) ? prev : []), ...taken]);
    }
  }
  // With --resume the required flags come from the recorded run.
  if (!values.has('help') && !values.has('resume')) {
    for (const f of spec.flags) {
      if (f.required === true && !values.has(f.name)) {
        throw new UsageError(`${spec.name}: missing required flag --${f.name}${f.value ? ` ${f.value}` : ''}`);
      }
    }
  }
  return {
    values,
    string(n) {
      const v = values.get(n);
      if (typeof v === 'string') return v;
      if (v === undefined) return byName.get(n)?.default;
      return undefined;
    },
    list(n) {
      const v = values.get(n);
      return Array.isArray(v) ? (v) : [];
    },
    has(n) {
      return values.has(n);
    },
    positional(k) {
      return positionals[k] ?? '';
    },
  };
}

/** The value in the spelling of its choice (choices are matched without regard to case: `debug` is `DEBUG`). */
function checkChoice(flag: FlagSpec, v: string): string {
  if (flag.choices === undefined) return v;
  const choice = flag.choices.find((c) => c.toLowerCase() === v.toLowerCase());
  if (choice === undefined) throw new UsageError(`--${flag.name}: expected one of ${flag.choices.join(', ')}; got '${v.slice(0, 40)}'`);
  return choice;
}

/** Parses a positive integer flag value, or throws a UsageError naming the flag. */
export function positiveInt(flag: string, value: string | undefined, max = 1_000_000_000): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) {
    throw new UsageError(`--${flag}: expected a positive integer; got '${String(value).slice(0, 40)}'`);
  }
  const n = Number(value.trim());
  if (n < 1 || n > max) throw new UsageError(`--${flag}: expected an integer from 1 to ${max}; got ${value}`);
  return n;
}

export function renderHelp(spec: CommandSpec): string {
  const lines = [`barfill ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`, ''];
  if (spec.positionals !== undefined && spec.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of spec.positionals) {
      lines.push(`  <${p.name}>  ${p.description}${p.choices ? ` [one of: ${p.choices.join(', ')}]` : ''}`);
    }
    lines.push('');
  }
  lines.push('Flags:');
  const left = spec.flags.map((f) => `  --${f.name}${f.value ? ` ${f.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  spec.flags.forEach((f, k) => {
    const extras: string[] = [];
    if (f.required === true) extras.push('required');
    if (f.choices !== undefined) extras.push(`one of: ${f.choices.join(', ')}`);
    if (f.default !== undefined) extras.push(`default: ${f.default}`);
    if (f.kind === 'repeat') extras.push('repeatable');
    const tail = extras.length > 0 ? ` [${extras.join('; ')}]` : '';
    lines.push(`${(left[k] ?? '').padEnd(width)}${f.description}${tail}`);
  });
  if (spec.notes !== undefined && spec.notes.length > 0) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}
