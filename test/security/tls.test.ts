/**
 * TLS settings against the real servers. PostgreSQL: with ssl on (Debian's
 * snakeoil certificate), PGSSLMODE=require connects and warns that the
 * certificate is not verified, verify-full fails clearly; with ssl off both
 * fail clearly ("does not support SSL": a stand-in server that refuses TLS, so
 * that this runs whatever the real server's setting). ClickHouse: CH_SECURE=true against
 * the plain HTTP server fails clearly; CH_VERIFY=false logs a warning.
 * "Clearly": exit 1, one `barfill:` line naming the server, no stack trace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { cleanEnv, runCli, tempDir } from '../e2e/cli.js';
import net from 'node:net';
import { chServerUrl, clickhouseAvailable, pgServerUrl, postgresAvailable, requirePrerequisite, requireServer } from '../../test-support/servers.js';

const NO_STACK = /\n\s+at .*:\d+:\d+/;

let pgUp = false;
let sslOn = false;
beforeAll(async () => {
  pgUp = await requireServer('PostgreSQL server', await postgresAvailable());
  if (!pgUp) return;
  const c = new pg.Client({ connectionString: pgServerUrl });
  await c.connect();
  sslOn = ((await c.query<{ ssl: string }>('SHOW ssl')).rows[0]?.ssl ?? 'off') === 'on';
  await c.end();
});

describe('PostgreSQL TLS (PGSSLMODE)', () => {
  const env = (mode: string): NodeJS.ProcessEnv => cleanEnv({ BARFILL_HOME: tempDir('tls'), DATABASE_URL: pgServerUrl, PGSSLMODE: mode });

  const sslOnRuns = (): boolean => pgUp && requirePrerequisite('ssl = on in the PostgreSQL server (.ci/run turns it on with openssl)', sslOn);

  it('with ssl on: require connects and warns that the certificate is not verified (skipped when the server has ssl off)', async (ctx) => {
    if (!sslOnRuns()) return ctx.skip();
    const r = await runCli(['query', 'postgres', '--sql', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], { env: env('require') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim()) as unknown).toEqual({ ssl: true });
    expect(r.stderr).toMatch(/WARNING sslmode=require: the connection is encrypted but the server certificate is NOT verified/);
  });

  it('with ssl on: verify-full fails clearly on the self-signed certificate (skipped when the server has ssl off)', async (ctx) => {
    if (!sslOnRuns()) return ctx.skip();
    const r = await runCli(['query', 'postgres', '--sql', 'SELECT 1'], { env: env('verify-full') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^barfill: cannot connect to PostgreSQL at .*(self[- ]signed|certificate)/im);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('a server without TLS: require and verify-full fail clearly ("does not support SSL"), require still warns', async () => {
    // Answers the client's SSLRequest with 'N', as a PostgreSQL server with ssl = off does.
    const noTls = net.createServer((socket) => {
      socket.once('data', () => socket.end('N'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => noTls.listen(0, '127.0.0.1', resolve));
    const { port } = noTls.address() as net.AddressInfo;
    const plainEnv = (mode: string): NodeJS.ProcessEnv =>
      cleanEnv({ BARFILL_HOME: tempDir('tls'), DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, PGSSLMODE: mode });
    try {
      for (const mode of ['require', 'verify-full']) {
        const r = await runCli(['query', 'postgres', '--sql', 'SELECT 1'], { env: plainEnv(mode) });
        expect(r.code, mode).toBe(1);
        expect(r.stderr).toMatch(/^barfill: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/\w+: The server does not support SSL connections$/m);
        expect(r.stderr).not.toMatch(NO_STACK);
        if (mode === 'require') expect(r.stderr).toMatch(/WARNING sslmode=require: .*NOT verified/);
      }
    } finally {
      await new Promise((resolve) => noTls.close(resolve));
    }
  });

  it('an unknown PGSSLMODE is a configuration error (exit 2)', async () => {
    const r = await runCli(['query', 'postgres', '--sql', 'SELECT 1'], { env: env('maybe') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^barfill: PGSSLMODE: expected one of disable, allow, prefer, require, verify-ca, verify-full; got 'maybe'/m);
  });
});

describe('ClickHouse TLS (CH_SECURE, CH_VERIFY) against the plain HTTP server', () => {
  let chUp = false;
  beforeAll(async () => {
    chUp = await requireServer('ClickHouse server', await clickhouseAvailable());
  });
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const u = new URL(chServerUrl);
    return cleanEnv({ BARFILL_HOME: tempDir('chtls'), CH_HOST: u.hostname, CH_PORT: u.port || '8123', ...extra });
  };

  it('CH_SECURE=true: exit 1 with a TLS error naming the https URL, no stack trace', async (ctx) => {
    if (!chUp) return ctx.skip();
    const r = await runCli(['migrate', 'clickhouse'], { env: env({ CH_SECURE: 'true' }), timeoutMs: 90_000 });
    expect(r.signal, `killed: the run hung instead of failing; stderr: ${r.stderr}`).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^barfill: ClickHouse server https:\/\/127\.0\.0\.1:\d+: .*(EPROTO|SSL|TLS)/m);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('CH_SECURE=true with CH_VERIFY=false: logs that the certificate is not verified, then fails the same way (not a hang)', async (ctx) => {
    if (!chUp) return ctx.skip();
    const r = await runCli(['migrate', 'clickhouse'], { env: env({ CH_SECURE: 'true', CH_VERIFY: 'false' }), timeoutMs: 90_000 });
    expect(r.stderr).toMatch(/WARNING CH_VERIFY=false: the TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not verified/);
    expect(r.signal, 'killed: the run hung instead of failing').toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^barfill: ClickHouse server https:\/\/127\.0\.0\.1:\d+: .*(EPROTO|SSL|TLS)/m);
  });

  it('CH_SECURE and CH_VERIFY take true/false/1/0 only (exit 2)', async () => {
    const r = await runCli(['migrate', 'clickhouse'], { env: env({ CH_SECURE: 'yes' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^barfill: CH_SECURE: expected true, false, 1 or 0; got 'yes'/m);
  });
});
