import { describe, expect, it } from 'vitest';
import { ResultPrinter, uniqueNames } from './result-formats.js';

const cols = [
  { name: 'a', type: 'UInt8' },
  { name: 'a', type: 'UInt8' },
  { name: 'a_2', type: 'String' },
];

describe('ResultPrinter', () => {
  it('jsonl keeps every column: repeated names get a suffix', () => {
    expect(uniqueNames(cols)).toEqual(['a', 'a_2', 'a_2_2']);
    const p = new ResultPrinter('jsonl');
    expect(p.print(cols, [[1, 2, 'x']])).toBe('{"a":1,"a_2":2,"a_2_2":"x"}\n');
    expect(p.print(cols, [[3, null, 'y']])).toBe('{"a":3,"a_2":null,"a_2_2":"y"}\n');
  });

  it('csv: one header, RFC 4180 quoting, NULL empty', () => {
    const p = new ResultPrinter('csv');
    expect(p.print(cols, [[1, null, 'x,"y"']])).toBe('a,a,a_2\n1,,"x,""y"""\n');
    expect(p.print(cols, [])).toBe('');
  });

  it('tsv: one header, escapes, NULL as \\N', () => {
    const p = new ResultPrinter('tsv');
    expect(p.print(cols, [[1, null, 'x\ty\n\\']])).toBe('a\ta\ta_2\n1\t\\N\tx\\ty\\n\\\\\n');
  });

  it('a header even when there is no row (csv, tsv)', () => {
    expect(new ResultPrinter('csv').print(cols, [])).toBe('a,a,a_2\n');
    expect(new ResultPrinter('jsonl').print(cols, [])).toBe('');
  });
});
