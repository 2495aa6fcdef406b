/**
 * Reads ClickHouse's `TabSeparatedWithNamesAndTypes` output (the same on the
 * server, from 18.16 on, and on chDB) into named columns and JSON values, so
 * that one query prints the same JSON on both engines.
 */
import { floatValue, integerValue, type JsonValue, type ResultColumn } from '../export/query-result.js';

const ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', r: '\r', n: '\n', t: '\t', '0': '\0', "'": "'", '\\': '\\' };

/** A TSV field's text: `\t`, `\n`, `\\` and the other backslash escapes undone. */
export function unescapeTsv(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/gs, (_m, c: string) => ESCAPES[c] ?? c);
}

/** The type inside `Nullable(...)` and `LowCardinality(...)`. */
function baseType(type: string): string {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  const inner = m?.[1];
  return inner === undefined ? type : baseType(inner);
}

/** One field of a column of ClickHouse type `type` as JSON. */
export function tsvValue(field: string, type: string): JsonValue {
  const base = baseType(type);
  if (field === '\\N' && base !== type) return null;
  if (/^U?Int\d+$/.test(base)) return integerValue(field);
  if (/^Float\d+$/.test(base)) return floatValue(field);
  if (base === 'Bool') return field === 'true';
  return unescapeTsv(field);
}

/**
 * Assembles lines of `TabSeparatedWithNamesAndTypes` text (fed in chunks that
 * may split a line) into the columns and rows of JSON values.
 */
export class TsvResultReader {
  private carry = '';
  private names: string[] | undefined;
  private columnList: ResultColumn[] | undefined;

  /** The columns, once the two header lines were read. */
  get columns(): readonly ResultColumn[] | undefined {
    return this.columnList;
  }

  /** Takes a chunk of text; returns the rows it completes. */
  push(text: string): JsonValue[][] {
    const lines = (this.carry + text).split('\n');
    this.carry = lines.pop() ?? '';
    return this.rowsOf(lines);
  }

  /** At the end of the output: the last row, when the text did not end with a newline. */
  end(): JsonValue[][] {
    const last = this.carry;
    this.carry = '';
    return last === '' ? [] : this.rowsOf([last]);
  }

  private rowsOf(lines: readonly string[]): JsonValue[][] {
    const rows: JsonValue[][] = [];
    for (const line of lines) {
      const fields = line.split('\t');
      if (this.names === undefined) this.names = fields.map(unescapeTsv);
      else if (this.columnList === undefined) this.columnList = this.names.map((name, k) => ({ name, type: unescapeTsv(fields[k] ?? 'String') }));
      else {
        const cols = this.columnList;
        rows.push(fields.map((f, k) => tsvValue(f, cols[k]?.type ?? 'String')));
      }
    }
    return rows;
  }
}
