/**
 * A private ClickHouse server for fault tests (never the shared one on 8123):
 * started with .ci/clickhouse-server.sh on free ports, SIGKILLed by pid, restarted.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, repoRoot, tempDir } from '../e2e/cli.js';

const run = promisify(execFile);
const script = path.join(repoRoot, '.ci/clickhouse-server.sh');

/** True when a clickhouse-server binary is installed (the tests are skipped otherwise). */
export const clickhouseServerInstalled = existsSync(process.env['CH_SERVER_BIN'] ?? '/usr/sbin/clickhouse-server');

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

export interface OwnClickHouse {
  readonly dir: string;
  readonly httpPort: number;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no flush; waits until the process is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** The text of a query (TabSeparated), or throws. */
  query(sql: string): Promise<string>;
  /** CLI environment pointing at this server. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

export async function ownClickHouse(options: { usersXml?: string } = {}): Promise<OwnClickHouse> {
  const dir = tempDir('ch-own');
  const httpPort = await freePort();
  const tcpPort = await freePort();
  const home = tempDir('ch-own-home');
  const scriptEnv = {
    ...process.env,
    CH_CI_HTTP_PORT: String(httpPort),
    CH_CI_TCP_PORT: String(tcpPort),
    ...(options.usersXml === undefined ? {} : { CH_CI_USERS_XML: options.usersXml }),
  };
  const pid = (): number | undefined => {
    try {
      const n = Number(readFileSync(path.join(dir, 'clickhouse-server.pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const alive = (p: number): boolean => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    dir,
    httpPort,
    async start() {
      await run(script, ['start', dir], { env: scriptEnv });
    },
    async kill() {
      const p = pid();
      if (p === undefined) throw new Error(`no pid file in ${dir}`);
      process.kill(p, 'SIGKILL');
      while (alive(p)) await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      await run(script, ['stop', dir], { env: scriptEnv });
    },
    async query(sql) {
      const res = await fetch(`http://127.0.0.1:${httpPort}/?query=${encodeURIComponent(sql)}`, { method: 'POST' });
      const text = await res.text();
      if (!res.ok) throw new Error(text);
      return text;
    },
    env(extra = {}) {
      return cleanEnv({ CH_HOST: '127.0.0.1', CH_PORT: String(httpPort), BARFILL_HOME: home, ...extra });
    },
  };
}
