/**
 * How `barfill query` prints a result: `jsonl` (one JSON object per row; a
 * column name that repeats gets `_2`, `_3`, ... so that no value is lost),
 * `csv` (RFC 4180, a header line, NULL as an empty field) or `tsv` (a header
 * line, backslash escapes, NULL as `\N`).
 */
import { csvField } from '../csv/atomic-file.js';
import type { JsonValue, ResultColumn } from './query-result.js';

export const RESULT_FORMATS = ['jsonl', 'csv', 'tsv'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** Column names made unique for JSON objects: the second `a` is `a_2` (or `a_2_2` when `a_2` is taken). */
export function uniqueNames(columns: readonly ResultColumn[]): string[] {
  const taken = new Set<string>();
  return columns.map((c) => {
    let name = c.name;
    for (let k = 2; taken.has(name); k++) name = `${c.name}_${k}`;
    taken.add(name);
    return name;
  });
}

function text(v: JsonValue): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

const TSV_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function tsvField(v: JsonValue): string {
  return v === null ? '\\N' : text(v).replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c] ?? c);
}

/** Writes a result in one format: the header (none for jsonl), then rows as they come. */
export class ResultPrinter {
  private readonly format: ResultFormat;
  private names: string[] | undefined;

  constructor(format: ResultFormat) {
    this.format = format;
  }

  /** The text of the header (once, on the first call) and of `rows`. */
  print(columns: readonly ResultColumn[], rows: readonly (readonly JsonValue[])[]): string {
    let out = '';
    if (this.names === undefined) {
      this.names = uniqueNames(columns);
      if (this.format !== 'jsonl') out += this.line(columns.map((c) => c.name));
    }
    for (const row of rows) out += this.format === 'jsonl' ? `${this.object(row)}\n` : this.line(row);
    return out;
  }

  private object(row: readonly JsonValue[]): string {
    const names = this.names ?? [];
    const o: Record<string, JsonValue> = {};
    row.forEach((v, k) => {
      o[names[k] ?? `column_${k + 1}`] = v;
    });
    return JSON.stringify(o);
  }

  private line(values: readonly JsonValue[]): string {
    if (this.format === 'csv') return `${values.map((v) => (v === null ? '' : csvField(text(v)))).join(',')}\n`;
    return `${values.map(tsvField).join('\t')}\n`;
  }
}
