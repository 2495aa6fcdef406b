import { BarfillError, SinkError } from '../../kernel/errors.js';

const CODE_IN_MESSAGE = /Code:\s*(\d+)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/** The ClickHouse error code of a driver error (server or chDB), when it has one. */
export function clickHouseErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { clickhouseCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e.clickhouseCode === 'number' || (typeof e.clickhouseCode === 'string' && /^\d+$/.test(e.clickhouseCode))) {
    return String(e.clickhouseCode);
  }
  if (typeof e.code === 'string' && /^\d+$/.test(e.code)) return e.code;
  if (typeof e.message === 'string') {
    const m = CODE_IN_MESSAGE.exec(e.message);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

function systemCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK_CODES.has(code) ? code : undefined;
}

/**
 * ClickHouse error codes of failures that retrying can cure: timeouts, too many
 * queries or parts, a read-only or restarting replica, network errors between
 * servers, an insert of unknown status.
 */
const TRANSIENT_CH_CODES = new Set(['159', '202', '203', '209', '210', '242', '252', '285', '319', '425', '999']);
const TRANSIENT_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const TRANSIENT_MESSAGE =
  /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|timeout error|timed out|other side closed|network socket disconnected|server is shutting down|\b(?:502|503|504)\b|bad gateway|service unavailable|gateway timeout/i;

/**
 * Whether a driver error is transient: the connection was refused, reset or
 * timed out, the server answered 5xx/restarting, or a ClickHouse code that
 * retrying can cure. Errors of the statement, data, credentials (516, 192, 193,
 * 497) or database (81) are not.
 */
export function isTransientClickHouseError(err: unknown): boolean {
  if (err instanceof SinkError) return err.transient;
  const ch = clickHouseErrorCode(err);
  if (ch !== undefined) return TRANSIENT_CH_CODES.has(ch);
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_SYSTEM_CODES.has(code)) return true;
    const cause = (err as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== err && isTransientClickHouseError(cause)) return true;
  }
  const message = err instanceof Error ? err.message : String(err);
  return TRANSIENT_MESSAGE.test(message);
}

/** Removes every secret (e.g. the password) from a message. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) {
    if (s.length > 0) out = out.split(s).join('***');
  }
  return out;
}

/**
 * Maps a driver error to a SinkError: `${what}: ${first line of the ClickHouse
 * message}` with the ClickHouse error code as `dbCode`. Secrets are redacted.
 * A BarfillError passes through unchanged.
 */
export function toSinkError(err: unknown, what: string, secrets: readonly string[] = []): BarfillError {
  if (err instanceof BarfillError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const firstLine = (raw.split('\n').find((l) => l.trim().length > 0) ?? raw).trim();
  const text = redact(firstLine.length > 600 ? `${firstLine.slice(0, 600)}...` : firstLine, secrets);
  const dbCode = clickHouseErrorCode(err);
  const sys = systemCode(err);
  const detail = sys !== undefined && !text.includes(sys) ? `${text} (${sys})` : text;
  const transient = isTransientClickHouseError(err);
  return new SinkError(
    `${what}: ${detail || 'unknown ClickHouse error'}`,
    dbCode === undefined ? { cause: err, transient } : { cause: err, dbCode, transient },
  );
}
