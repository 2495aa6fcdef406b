import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../kernel/errors.js';
import { loadClickHouseMigrations, splitSqlStatements } from './clickhouse-migrator.js';
import { sqlString, substituteDatabase, validateDatabaseName } from './clickhouse-sql.js';

describe('splitSqlStatements', () => {
  it('splits on a ; at a line end and drops comment lines', () => {
    const sql = `-- header; with a semicolon\nCREATE TABLE a\n(\n  x UInt8\n);\n\nINSERT INTO a SELECT 1;\n-- tail\nSELECT 2`;
    expect(splitSqlStatements(sql)).toEqual(['CREATE TABLE a\n(\n  x UInt8\n)', 'INSERT INTO a SELECT 1', 'SELECT 2']);
  });
});

describe('loadClickHouseMigrations', () => {
  it('loads the shipped migrations in order, each using the {db} placeholder', () => {
    const ms = loadClickHouseMigrations();
    expect(ms.map((m) => m.version)).toEqual(['0001', '0002', '0003', '0004', '0005', '0006']);
    for (const m of ms) {
      expect(m.sql).toContain('{db}.');
      expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
      // every DDL statement is idempotent, so a half-applied migration can be re-run
      for (const st of splitSqlStatements(m.sql)) {
        if (/^CREATE/i.test(st)) expect(st).toMatch(/IF NOT EXISTS/i);
      }
    }
    const all = ms.map((m) => m.sql).join('\n');
    expect(all).not.toMatch(/DateTime64|LowCardinality/); // must apply on ClickHouse 18.16
  });

  it('refuses badly named files and duplicate versions with a ConfigError naming the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'barfill-mig-'));
    try {
      writeFileSync(path.join(dir, '0001_a.sql'), 'SELECT 1;');
      writeFileSync(path.join(dir, '0001_b.sql'), 'SELECT 1;');
      expect(() => loadClickHouseMigrations(dir)).toThrow(/0001_b\.sql: version 0001 is also used by 0001_a\.sql/);
      rmSync(path.join(dir, '0001_b.sql'));
      writeFileSync(path.join(dir, 'init.sql'), 'SELECT 1;');
      expect(() => loadClickHouseMigrations(dir)).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('database names and literals', () => {
  it('validates CH_DATABASE and substitutes {db}', () => {
    expect(validateDatabaseName('market_data')).toBe('market_data');
    expect(validateDatabaseName('_x9')).toBe('_x9');
    for (const bad of ['', '9lives', 'a-b', 'a.b', 'x'.repeat(64), 'db`; DROP']) {
      expect(() => validateDatabaseName(bad)).toThrow(/CH_DATABASE/);
    }
    expect(substituteDatabase('CREATE TABLE {db}.t; SELECT * FROM {db}.u', 'md')).toBe('CREATE TABLE md.t; SELECT * FROM md.u');
  });

  it('quotes string literals', () => {
    expect(sqlString("it's a \\ test\n")).toBe("'it\\'s a \\\\ test\\n'");
  });
});
