/**
 * Where the real database servers are for tests, and whether they must be there.
 *
 * - `BARFILL_TEST_CH_URL` (default `http://127.0.0.1:8123`): a ClickHouse server (Debian's 18.16 in CI).
 * - `BARFILL_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`): a PostgreSQL server.
 * - `BARFILL_REQUIRE_SERVERS=1` (set by `.ci/run`): a missing server, or any other missing prerequisite of a test
 *   (chDB, Debian's clickhouse-server binary, `script`, a tmpfs mount, TLS on the PostgreSQL server), fails its
 *   suite instead of skipping it. Every conditional skip in the tests goes through `requireServer`/`requirePrerequisite`.
 */
import http from 'node:http';
import net from 'node:net';

export const chServerUrl = process.env['BARFILL_TEST_CH_URL'] ?? 'http://127.0.0.1:8123';
export const pgServerUrl = process.env['BARFILL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const serversRequired = process.env['BARFILL_REQUIRE_SERVERS'] === '1';

/** True when the ClickHouse server answers `/ping` with `Ok.`. */
export function clickhouseAvailable(url = chServerUrl): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(new URL('/ping', url), { timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => { resolve(res.statusCode === 200 && body.startsWith('Ok')); });
    });
    req.on('error', () => { resolve(false); });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** True when something accepts TCP connections at the PostgreSQL URL's host and port. */
export function postgresAvailable(url = pgServerUrl): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 5432), timeout: 2000 });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => { resolve(false); });
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/**
 * Decides whether a real-server suite runs. Returns true to run; false to skip
 * (only when servers are not required). Throws when required and missing, so
 * that CI fails loudly instead of skipping.
 */
export async function requireServer(name: string, available: boolean): Promise<boolean> {
  await Promise.resolve();
  if (available) return true;
  if (serversRequired) {
    throw new Error(`${name} is required (BARFILL_REQUIRE_SERVERS=1) but is not reachable`);
  }
  return false;
}

/**
 * The same for a prerequisite that is not a server (an optional package, a
 * tool, a privilege): true to run; false to skip, only when not required;
 * throws under BARFILL_REQUIRE_SERVERS=1 when it is missing.
 */
export function requirePrerequisite(name: string, available: boolean, required = serversRequired): boolean {
  if (available) return true;
  if (required) {
    throw new Error(`${name} is required (BARFILL_REQUIRE_SERVERS=1) but is missing: CI must run this test, not skip it`);
  }
  return false;
}
