import { describe, expect, it } from 'vitest';
import { TsvResultReader, tsvValue, unescapeTsv } from './tsv-result.js';

describe('TsvResultReader', () => {
  it('reads names, types and rows, whatever the chunking', () => {
    const text = 'a\ta\tbig\ts\tn\nUInt64\tFloat64\tUInt64\tString\tNullable(Int32)\n1\t2.5\t18446744073709551615\tx\\ty\t\\N\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const r = new TsvResultReader();
      const rows = [...r.push(text.slice(0, cut)), ...r.push(text.slice(cut)), ...r.end()];
      expect(r.columns?.map((c) => c.name)).toEqual(['a', 'a', 'big', 's', 'n']);
      expect(rows).toEqual([[1, 2.5, '18446744073709551615', 'x\ty', null]]);
    }
  });

  it('values by type: safe integers as numbers, others as strings; floats; Bool; strings unescaped', () => {
    expect(tsvValue('9007199254740991', 'Int64')).toBe(9007199254740991);
    expect(tsvValue('9007199254740992', 'Int64')).toBe('9007199254740992');
    expect(tsvValue('-3', 'Int8')).toBe(-3);
    expect(tsvValue('nan', 'Float64')).toBe('nan');
    expect(tsvValue('inf', 'Float32')).toBe('inf');
    expect(tsvValue('1e-7', 'Float64')).toBe(1e-7);
    expect(tsvValue('true', 'Bool')).toBe(true);
    expect(tsvValue('12.50', 'Decimal(9, 2)')).toBe('12.50');
    expect(tsvValue('\\N', 'LowCardinality(Nullable(String))')).toBe(null);
    expect(tsvValue('2024-10-01 00:00:00', "DateTime('UTC')")).toBe('2024-10-01 00:00:00');
    expect(unescapeTsv('a\\nb\\\\c\\\'')).toBe("a\nb\\c'");
  });
});
