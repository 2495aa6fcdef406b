import { describe, expect, it } from 'vitest';
import { ConfigError, SinkError } from '../../../../src/kernel/errors.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import { openPostgres, postgresServerSettings } from './postgres.js';

describe('postgresServerSettings', () => {
  it('is undefined (embedded PGlite) when no server variable is set', () => {
    expect(postgresServerSettings({})).toBeUndefined();
    expect(postgresServerSettings({ PGPASSWORD: 'x', PGSSLMODE: 'require', DATABASE_URL: '' })).toBeUndefined();
  });

  it('reads DATABASE_URL (decoded, URL parts win over PG*)', () => {
    const s = postgresServerSettings({
      DATABASE_URL: 'postgresql://bob:p%40ss%3Aword@db.example:6543/bars?sslmode=verify-full',
      PGHOST: 'ignored',
      PGSSLMODE: 'disable',
    });
    expect(s).toMatchObject({ host: 'db.example', port: 6543, user: 'bob', password: 'p@ss:word', database: 'bars', sslmode: 'verify-full' });
    expect(s?.description).toBe('db.example:6543/bars');
    expect(s?.description).not.toContain('p@ss');
  });

  it('reads PG* variables with libpq defaults', () => {
    expect(postgresServerSettings({ PGHOST: '10.0.0.5', PGUSER: 'etl' })).toMatchObject({
      host: '10.0.0.5', port: 5432, user: 'etl', database: 'etl', sslmode: 'disable', password: undefined,
    });
    expect(postgresServerSettings({ PGPORT: '5433', PGDATABASE: 'md', PGSSLMODE: 'REQUIRE' })).toMatchObject({
      host: 'localhost', port: 5433, database: 'md', sslmode: 'require',
    });
  });

  it('refuses bad values with a ConfigError', () => {
    expect(() => postgresServerSettings({ PGHOST: 'h', PGSSLMODE: 'sometimes' })).toThrow(ConfigError);
    expect(() => postgresServerSettings({ PGPORT: '99999' })).toThrow(/PGPORT/);
    expect(() => postgresServerSettings({ DATABASE_URL: 'mysql://h/db' })).toThrow(/postgres:\/\//);
  });
});

describe('openPostgres', () => {
  it('fails to connect with a SinkError that names the server and never the password', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const err = await openPostgres(
      { DATABASE_URL: 'postgres://u:Sup3rS3cret@127.0.0.1:1/db?sslmode=require' },
      { home: '/nonexistent', maxConnections: 2, logger },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as Error).message).toContain('127.0.0.1:1/db');
    expect((err as Error).message).not.toContain('Sup3rS3cret');
    expect(warnings.join('\n')).toContain('NOT verified');
  });
});
