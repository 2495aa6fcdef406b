import { describe, expect, it } from 'vitest';
import { countStatements } from './single-statement.js';

describe('countStatements', () => {
  it.each([
    ['SELECT 1', 1],
    ['SELECT 1;', 1],
    ['  SELECT 1 ;  -- done\n', 1],
    ['SELECT 1; SELECT 2', 2],
    ['SELECT 1;; ;', 1],
    ['', 0],
    ['-- only a comment', 0],
    ["SELECT ';' AS s", 1],
    ['SELECT 1 /* ; */', 1],
    ['SELECT 1; DROP TABLE t', 2],
    ['INSERT INTO t VALUES (1); -- x\n SELECT 1', 2],
  ] as const)('%j: %i (both dialects)', (sql, n) => {
    expect(countStatements(sql, 'clickhouse')).toBe(n);
    expect(countStatements(sql, 'postgres')).toBe(n);
  });

  it('ClickHouse: backslash escapes and backquoted identifiers', () => {
    expect(countStatements("SELECT 'it\\'s;' AS s", 'clickhouse')).toBe(1);
    expect(countStatements('SELECT 1 AS `a;b`', 'clickhouse')).toBe(1);
    expect(countStatements('SELECT "x;" FROM t; SELECT 2', 'clickhouse')).toBe(2);
  });

  it("PostgreSQL: '' escapes, E-strings, dollar quotes, nested comments", () => {
    expect(countStatements("SELECT 'it''s;' AS s", 'postgres')).toBe(1);
    expect(countStatements("SELECT E'a\\';b' AS s", 'postgres')).toBe(1);
    expect(countStatements('SELECT $$a;b$$, $t$;$t$', 'postgres')).toBe(1);
    expect(countStatements('SELECT 1 /* a /* ; */ ; */', 'postgres')).toBe(1);
    expect(countStatements('SELECT $1; SELECT 2', 'postgres')).toBe(2);
  });
});
