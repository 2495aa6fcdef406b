/**
 * Whether SQL text holds one statement: a `;` outside string literals, quoted
 * identifiers and comments ends a statement, and only white space and comments
 * may follow the first one. Knows both dialects barfill reads: ClickHouse
 * (backslash escapes in '...', `...` identifiers) and PostgreSQL ('' escapes,
 * E'...' strings, $tag$...$tag$ bodies, nested /* comments).
 */
export type SqlDialect = 'clickhouse' | 'postgres';

/** The number of statements in `sql` (0 for only white space and comments). */
export function countStatements(sql: string, dialect: SqlDialect): number {
  let count = 0;
  let inStatement = false;
  let i = 0;
  while (i < sql.length) {
    const skip = skipNonCode(sql, i, dialect);
    if (skip > i) {
      if (!isComment(sql, i)) inStatement = true;
      i = skip;
      continue;
    }
    const c = sql.charAt(i);
    if (c === ';') {
      if (inStatement) count++;
      inStatement = false;
    } else if (!/\s/.test(c)) inStatement = true;
    i++;
  }
  return inStatement ? count + 1 : count;
}

function isComment(sql: string, i: number): boolean {
  return sql.startsWith('--', i) || sql.startsWith('/*', i);
}

/** The index after a literal, quoted identifier or comment starting at `i`, or `i` when none starts there. */
function skipNonCode(sql: string, i: number, dialect: SqlDialect): number {
  if (sql.startsWith('--', i)) return lineEnd(sql, i);
  if (sql.startsWith('/*', i)) return blockCommentEnd(sql, i, dialect === 'postgres');
  const c = sql[i];
  if (c === "'") return quotedEnd(sql, i, "'", dialect === 'clickhouse' || isEscapeString(sql, i));
  if (c === '"') return quotedEnd(sql, i, '"', dialect === 'clickhouse');
  if (c === '`' && dialect === 'clickhouse') return quotedEnd(sql, i, '`', true);
  if (c === '$' && dialect === 'postgres') return dollarQuotedEnd(sql, i);
  return i;
}

function lineEnd(sql: string, i: number): number {
  const nl = sql.indexOf('\n', i);
  return nl === -1 ? sql.length : nl + 1;
}

function blockCommentEnd(sql: string, i: number, nested: boolean): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) {
      depth = nested ? depth + 1 : 1;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return sql.length;
}

/** PostgreSQL's E'...' (and e'...') strings take backslash escapes. */
function isEscapeString(sql: string, quote: number): boolean {
  const prev = sql[quote - 1];
  return (prev === 'E' || prev === 'e') && !/[\w$]/.test(sql[quote - 2] ?? '');
}

/** After the closing `q` of a literal opened at `i` (a doubled `q` is one; a backslash escapes when `backslash`). */
function quotedEnd(sql: string, i: number, q: string, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslash && c === '\\') j += 2;
    else if (c === q && sql[j + 1] === q) j += 2;
    else if (c === q) return j + 1;
    else j++;
  }
  return sql.length;
}

function dollarQuotedEnd(sql: string, i: number): number {
  const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
  if (tag === null || /[\w$]/.test(sql[i - 1] ?? '')) return i;
  const end = sql.indexOf(tag[0], i + tag[0].length);
  return end === -1 ? sql.length : end + tag[0].length;
}
