/**
 * Wiring: the ClickHouse store from the environment.
 *
 * - CH_HOST set: a ClickHouse server over HTTP(S) (@clickhouse/client): CH_PORT
 *   (default 8123, 8443 when secure), CH_USER (default `default`), CH_PASSWORD,
 *   CH_DATABASE (default `market_data`), CH_SECURE (true/false/1/0, default
 *   false), CH_VERIFY (default true; false skips TLS certificate verification).
 * - CH_HOST unset: the embedded chDB store at `${home}/clickhouse` (needs the
 *   optional dependency `chdb`); its migrations are applied when it is opened.
 *   The process takes the store's lock first and holds it until the command
 *   ends (../store-locks.ts).
 */
import https from 'node:https';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { RawKlineWriter } from '../../../../src/application/ports/raw-kline-writer.js';
import { openChdbGateway } from '../../../../src/adapters/clickhouse/chdb-gateway.js';
import { ClickHouseConnectGateway } from '../../../../src/adapters/clickhouse/clickhouse-connect-gateway.js';
import type { ClickHouseGateway, ClickHouseReadOnlyQueries } from '../../../../src/adapters/clickhouse/clickhouse-gateway.js';
import { ClickHouseMigrator } from '../../../../src/adapters/clickhouse/clickhouse-migrator.js';
import { ClickHouseRawKlineWriter } from '../../../../src/adapters/clickhouse/clickhouse-raw-kline-writer.js';
import { validateDatabaseName } from '../../../../src/adapters/clickhouse/clickhouse-sql.js';
import { ConfigError, SinkError, errorMessage } from '../../../../src/kernel/errors.js';
import type { Logger } from '../../../../src/kernel/logger.js';
import type { RetryPolicy } from '../../../../src/application/use-cases/retry.js';
import { retryPolicyFromEnv, timerSleep } from '../sleep.js';
import { lockEmbeddedStore } from '../store-locks.js';
import { requireExistingStore } from '../home.js';

export interface ClickHouseHandle {
  readonly gateway: ClickHouseGateway & ClickHouseReadOnlyQueries;
  readonly database: string;
  readonly embedded: boolean;
  /** e.g. `ClickHouse server http://127.0.0.1:8123 database market_data`; never with credentials. */
  readonly description: string;
  /**
   * Applies pending migrations; returns the versions newly applied. For the
   * embedded store (migrated when opened) the first call also reports what the
   * open applied. Cheap when the schema is up to date (one read).
   */
  migrate(): Promise<string[]>;
  /**
   * A raw kline writer that retries transient insert failures (CH_MAX_RETRIES,
   * default 5; CH_RETRY_BASE_MS, default 500; cap 30 s; full jitter). `signal`
   * (SIGINT/SIGTERM) ends the retries.
   */
  createRawKlineWriter(options?: { signal?: AbortSignal; logger?: Logger }): RawKlineWriter;
  close(): Promise<void>;
}

export type ClickHouseEnvConfig =
  | {
      readonly kind: 'server';
      /** `http(s)://host:port`, without credentials. */
      readonly url: string;
      readonly username: string;
      readonly password: string;
      readonly database: string;
      readonly secure: boolean;
      readonly verify: boolean;
    }
  | { readonly kind: 'embedded'; readonly path: string; readonly database: string };

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function parseBool(env: Env, name: string, fallback: boolean): boolean {
  const v = value(env, name);
  if (v === undefined) return fallback;
  switch (v.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw new ConfigError(`${name}: expected true, false, 1 or 0; got '${v.slice(0, 40)}'`);
  }
}

/** Reads the CH_* variables (no I/O). `home` is BARFILL_HOME, resolved by the caller. */
export function parseClickHouseEnv(env: Env, home: string): ClickHouseEnvConfig {
  const database = validateDatabaseName(value(env, 'CH_DATABASE') ?? 'market_data', 'CH_DATABASE');
  const host = value(env, 'CH_HOST');
  if (host === undefined) return { kind: 'embedded', path: path.resolve(home, 'clickhouse'), database };
  if (/[/\s@?#]/.test(host) || host.includes('://')) {
    throw new ConfigError(
      `CH_HOST: expected a host name or IP address (set the port with CH_PORT and https with CH_SECURE); got '${host.slice(0, 60)}'`,
    );
  }
  const secure = parseBool(env, 'CH_SECURE', false);
  const verify = parseBool(env, 'CH_VERIFY', true);
  const portText = value(env, 'CH_PORT');
  let port = secure ? 8443 : 8123;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new ConfigError(`CH_PORT: expected a port number 1..65535; got '${portText.slice(0, 20)}'`);
    }
    port = Number(portText);
  }
  const bareHost = host.startsWith('[') ? host : host.includes(':') ? `[${host}]` : host;
  return {
    kind: 'server',
    url: `${secure ? 'https' : 'http'}://${bareHost}:${port}`,
    username: value(env, 'CH_USER') ?? 'default',
    password: env['CH_PASSWORD'] ?? '',
    database,
    secure,
    verify,
  };
}

/** Opens the ClickHouse store the environment describes. */
/** The insert retry policy: CH_MAX_RETRIES (default 5), CH_RETRY_BASE_MS (default 500), cap 30 s. */
export function clickHouseRetryPolicy(env: Env): RetryPolicy {
  return retryPolicyFromEnv(env, { retries: 'CH_MAX_RETRIES', baseMs: 'CH_RETRY_BASE_MS' }, { retries: 5, baseMs: 500 });
}

/** `create: false` (readers): an embedded store that does not exist is a StoreNotFoundError, and nothing is created. */
export async function openClickHouse(env: Env, options: { home: string; logger: Logger; create?: boolean }): Promise<ClickHouseHandle> {
  const config = parseClickHouseEnv(env, options.home);
  const retry = clickHouseRetryPolicy(env);
  const { logger } = options;
  if (config.kind === 'server') {
    if (config.secure && !config.verify) {
      logger.warn(`CH_VERIFY=false: the TLS certificate of ${config.url} is not verified`);
    }
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      application: 'barfill',
      request_timeout: 300_000,
      compression: { request: false, response: false },
      // Errors reach the caller as SinkErrors; the client's own console logging would duplicate them.
      log: { level: ClickHouseLogLevel.OFF },
      ...(config.secure && !config.verify ? { http_agent: new https.Agent({ rejectUnauthorized: false, keepAlive: true }) } : {}),
    });
    const description = `ClickHouse server ${config.url} database ${config.database}`;
    await pingWithin(client, config.url, config.secure, 15_000);
    const gateway = new ClickHouseConnectGateway(client, {
      description: `ClickHouse server ${config.url}`,
      secrets: config.password === '' ? [] : [config.password],
    });
    return handle(gateway, config.database, false, description, [], retry, logger);
  }

  if (options.create === false) requireExistingStore(config.path, 'embedded ClickHouse store (chDB)', 'CH_HOST');
  try {
    mkdirSync(config.path, { recursive: true });
  } catch (err) {
    throw new ConfigError(`cannot create the embedded ClickHouse directory ${config.path} (BARFILL_HOME)`, { cause: err });
  }
  const description = `embedded ClickHouse (chDB) at ${config.path}`;
  // chDB cannot be opened by two processes on one path safely: one process at a time, for the whole command.
  await lockEmbeddedStore(config.path, description, env, logger);
  const gateway = await openChdbGateway(config.path);
  let applied: string[];
  try {
    applied = await new ClickHouseMigrator(gateway, config.database).migrate();
  } catch (err) {
    await gateway.close();
    throw err;
  }
  if (applied.length > 0) logger.debug('applied ClickHouse migrations to the embedded store', { versions: applied, path: config.path });
  return handle(gateway, config.database, true, description, applied, retry, logger);
}

function handle(
  gateway: ClickHouseGateway & ClickHouseReadOnlyQueries,
  database: string,
  embedded: boolean,
  description: string,
  appliedAtOpen: string[],
  retry: RetryPolicy,
  defaultLogger: Logger,
): ClickHouseHandle {
  let unreported = appliedAtOpen;
  let closed = false;
  return {
    gateway,
    database,
    embedded,
    description,
    async migrate() {
      if (closed) throw new SinkError(`${description}: already closed`);
      const now = await new ClickHouseMigrator(gateway, database).migrate();
      const out = [...unreported, ...now];
      unreported = [];
      return out;
    },
    createRawKlineWriter(options = {}) {
      return new ClickHouseRawKlineWriter(gateway, database, {
        policy: retry,
        sleep: timerSleep,
        random: Math.random,
        logger: options.logger ?? defaultLogger,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await gateway.close();
    },
  };
}

/**
 * A first ping, bounded: a server that does not answer (for example plain HTTP
 * spoken to with CH_SECURE=true, which can leave the TLS handshake hanging)
 * fails at once with one clear line instead of waiting for the request timeout.
 */
async function pingWithin(client: ClickHouseClient, url: string, secure: boolean, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hint = secure ? ' (CH_SECURE=true: the TLS handshake got no answer or failed; does the server serve HTTPS on this port?)' : '';
  try {
    const answer = await Promise.race([
      client.ping(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => { resolve('timeout'); }, ms);
      }),
    ]);
    if (answer === 'timeout') {
      throw new SinkError(`ClickHouse server ${url}: cannot be reached: no answer within ${ms / 1000} s${hint}`);
    }
    if (!answer.success) {
      throw new SinkError(`ClickHouse server ${url}: cannot be reached: ${errorMessage(answer.error)}${hint}`, { cause: answer.error });
    }
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
