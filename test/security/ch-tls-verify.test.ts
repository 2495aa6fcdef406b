/**
 * CH_SECURE verifies the server certificate by default: against a local HTTPS
 * server with a self-signed certificate the connection is refused for that
 * reason; with CH_VERIFY=false the handshake succeeds (the fake then answers
 * /ping, and the first real query fails for other reasons) and a warning says
 * that the certificate is not verified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { cleanEnv, runCli, tempDir } from '../e2e/cli.js';

describe('CH_SECURE certificate verification', () => {
  let server: https.Server | undefined;
  let port = 0;
  const seen: string[] = [];
  beforeAll(async () => {
    const dir = tempDir('tls');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' });
    server = https.createServer({ key: readFileSync(path.join(dir, 'k.pem')), cert: readFileSync(path.join(dir, 'c.pem')) }, (req, res) => {
      seen.push(req.url ?? '');
      if ((req.url ?? '').startsWith('/ping')) res.end('Ok.\n');
      else {
        res.statusCode = 500;
        res.end('Code: 1. DB::Exception: this is a TLS test server, not ClickHouse');
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    const s = server;
    if (s === undefined) return;
    await new Promise<void>((resolve) => {
      s.close(() => {
        resolve();
      });
    });
  });

  it('is on by default: a self-signed certificate is refused, and nothing is sent', async () => {
    const r = await runCli(['migrate', 'clickhouse'], { env: cleanEnv({ CH_HOST: '127.0.0.1', CH_PORT: String(port), CH_SECURE: 'true', BARFILL_HOME: tempDir('h') }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/self[- ]signed certificate/i);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(seen).toEqual([]);
  });

  it('CH_VERIFY=false connects despite the certificate and logs a warning', async () => {
    const r = await runCli(['migrate', 'clickhouse'], {
      env: cleanEnv({ CH_HOST: '127.0.0.1', CH_PORT: String(port), CH_SECURE: 'true', CH_VERIFY: 'false', BARFILL_HOME: tempDir('h') }),
    });
    expect(r.stderr).toMatch(/WARNING CH_VERIFY=false: the TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not verified/);
    expect(r.stderr).not.toMatch(/self[- ]signed certificate/i);
    expect(seen.some((u) => u.startsWith('/ping'))).toBe(true);
    expect(r.code).toBe(1); // the fake is not ClickHouse: the first real statement fails
    expect(r.stderr).toContain('this is a TLS test server');
  });
});
