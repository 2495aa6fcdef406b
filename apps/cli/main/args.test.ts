import { describe, expect, it } from 'vitest';
import { parseFlags, positiveInt, renderHelp, type CommandSpec } from './args.js';
import { UsageError } from '../../../src/kernel/errors.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A demo.',
  usage: 'barfill demo',
  positionals: [{ name: 'engine', description: 'Engine.', choices: ['a', 'b'] }],
  flags: [
    { name: 'start', kind: 'string', value: 'X', required: true, description: 'Start.' },
    { name: 'parquet', kind: 'repeat', value: 'P', description: 'Files.' },
    { name: 'tickers', kind: 'list', value: 'T...', description: 'Tickers.' },
    { name: 'mode', kind: 'string', default: 'fail', choices: ['fail', 'ignore'], description: 'Mode.' },
    { name: 'dry-run', kind: 'boolean', description: 'Dry.' },
    { name: 'help', kind: 'boolean', description: 'Help.' },
  ],
};

describe('parseFlags', () => {
  it('parses every kind', () => {
    const f = parseFlags(spec, ['a', '--start=1', '--parquet', 'x', '--parquet', 'y', '--tickers', 'A', 'B', '--dry-run']);
    expect(f.positional(0)).toBe('a');
    expect(f.string('start')).toBe('1');
    expect(f.list('parquet')).toEqual(['x', 'y']);
    expect(f.list('tickers')).toEqual(['A', 'B']);
    expect(f.has('dry-run')).toBe(true);
    expect(f.string('mode')).toBe('fail');
  });
  it('names unknown, missing and bad flags', () => {
    expect(() => parseFlags(spec, ['a', '--start', '1', '--nope'])).toThrow(/unknown flag --nope/);
    expect(() => parseFlags(spec, ['a'])).toThrow(/missing required flag --start/);
    expect(() => parseFlags(spec, ['a', '--start', '1', '--mode', 'x'])).toThrow(/--mode: expected one of fail, ignore/);
    expect(() => parseFlags(spec, ['c', '--start', '1'])).toThrow(/<engine> must be one of a, b/);
    expect(() => parseFlags(spec, ['a', '--start'])).toThrow(/--start needs a value/);
    expect(() => parseFlags(spec, ['a', '--start', '1', '--start', '2'])).toThrow(/more than once/);
  });
  it('lets --help through without required flags', () => {
    expect(parseFlags(spec, ['--help']).has('help')).toBe(true);
  });
  it('takes -h as --help', () => {
    expect(parseFlags(spec, ['-h']).has('help')).toBe(true);
    expect(parseFlags(spec, ['a', '-h']).has('help')).toBe(true);
  });
  it('matches choices without regard to case, and keeps the choice spelling', () => {
    expect(parseFlags(spec, ['a', '--start', '1', '--mode', 'IGNORE']).string('mode')).toBe('ignore');
  });
  it('renders every flag with its default', () => {
    const h = renderHelp(spec);
    for (const f of spec.flags) expect(h).toContain(`--${f.name}`);
    expect(h).toContain('default: fail');
    expect(h).toContain('<engine>');
  });
  it('checks positive integers', () => {
    expect(positiveInt('batch-size', '10')).toBe(10);
    expect(() => positiveInt('batch-size', '0')).toThrow(UsageError);
    expect(() => positiveInt('batch-size', 'ten')).toThrow(/--batch-size/);
  });
});
