import { SinkError } from '../../kernel/errors.js';

/**
 * A SQLSTATE: five digits or upper-case letters whose class (first two) is one PostgreSQL defines.
 * Node's five-letter errno names (`EPIPE`, `EBUSY`) have the same shape; no SQLSTATE class starts with E.
 */
const SQLSTATE = /^(?:[0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

const CONDITION_NAMES: Readonly<Record<string, string>> = {
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '23502': 'not_null_violation',
  '22P02': 'invalid_text_representation',
  '22003': 'numeric_value_out_of_range',
  '22008': 'datetime_field_overflow',
  '25P02': 'in_failed_sql_transaction',
  '28000': 'invalid_authorization_specification',
  '28P01': 'invalid_password',
  '3D000': 'invalid_catalog_name',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '42501': 'insufficient_privilege',
  '42P01': 'undefined_table',
  '42P07': 'duplicate_table',
  '42P10': 'invalid_column_reference',
  '53300': 'too_many_connections',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '08000': 'connection_exception',
  '08001': 'sqlclient_unable_to_establish_sqlconnection',
  '08003': 'connection_does_not_exist',
  '08006': 'connection_failure',
};

interface PgLikeError {
  readonly code: string | undefined;
  readonly message: string;
  readonly detail: string | undefined;
}

function fieldOf(err: unknown, name: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function asPgError(err: unknown): PgLikeError {
  if (err instanceof Error) {
    return { code: fieldOf(err, 'code'), message: err.message, detail: fieldOf(err, 'detail') };
  }
  return { code: undefined, message: String(err), detail: undefined };
}

/** The SQLSTATE of a driver error, when it carries one (not Node's `ECONNREFUSED` & co). */
export function sqlState(err: unknown): string | undefined {
  const code = fieldOf(err, 'code');
  return code !== undefined && SQLSTATE.test(code) ? code : undefined;
}

/** Removes every occurrence of the given secrets (and their URL-encoded forms) from a message. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) {
    if (s.length === 0) continue;
    out = out.split(s).join('***');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('***');
  }
  return out;
}

/** A parsed `Key (a, b)=(x, y) already exists.` detail. */
export interface DuplicateKey {
  readonly columns: string;
  readonly values: string;
}

const KEY_DETAIL = /^Key \((.*)\)=\((.*)\) already exists\.?$/s;

export function parseDuplicateKey(detail: string | undefined): DuplicateKey | undefined {
  if (detail === undefined) return undefined;
  const m = KEY_DETAIL.exec(detail.trim());
  if (!m) return undefined;
  return { columns: m[1] ?? '', values: m[2] ?? '' };
}

/** `ticker=AAPL, interval_minutes=1, timestamp=2024-03-08 14:30:00+00` when columns and values line up. */
function describeKey(key: DuplicateKey): string {
  const cols = key.columns.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const vals = key.values.split(', ');
  if (cols.length !== vals.length) return `(${key.columns})=(${key.values})`;
  return cols.map((c, i) => `${c}=${vals[i] ?? ''}`).join(', ');
}

type BarConflictKey = { ticker: string; intervalMinutes: number; timestampMs: number };

/** The market_data key of a duplicate-key detail (`ticker, interval_minutes, "timestamp"`), when it is one. */
export function barKeyOf(key: DuplicateKey | undefined): BarConflictKey | undefined {
  if (key === undefined) return undefined;
  const cols = key.columns.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const vals = key.values.split(', ');
  if (cols.join(',') !== 'ticker,interval_minutes,timestamp' || vals.length !== 3) return undefined;
  // timestamptz text: `2024-03-08 14:30:00+00`, `... 09:30:00-05`, `...+05:30`, maybe with fractions.
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::?(\d\d))?$/.exec(vals[2] ?? '');
  const ms = m === null ? NaN : Date.parse(`${m[1] ?? ''}T${m[2] ?? ''}${m[3] ?? ''}:${m[4] ?? '00'}`);
  const interval = Number(vals[1]);
  if (!Number.isFinite(ms) || !Number.isInteger(interval)) return undefined;
  return { ticker: vals[0] ?? '', intervalMinutes: interval, timestampMs: ms };
}

/** SQLSTATEs of failures a retry of the whole unit can cure (connection lost, server restarting, too many connections, deadlock). */
const TRANSIENT_STATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const TRANSIENT_MESSAGE =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down|in recovery mode)|ECONNRESET|ECONNREFUSED|EPIPE/i;

/** Whether a driver error is of the connection or the server's availability (retrying the unit may succeed). */
export function isTransientPgError(err: unknown): boolean {
  if (err instanceof SinkError) return err.transient;
  const code = sqlState(err);
  if (code !== undefined) return code.startsWith('08') || TRANSIENT_STATES.has(code);
  const nodeCode = fieldOf(err, 'code');
  if (nodeCode !== undefined && TRANSIENT_NODE_CODES.has(nodeCode)) return true;
  const message = err instanceof Error ? err.message : String(err);
  return TRANSIENT_MESSAGE.test(message);
}

/**
 * Maps any driver error to a `SinkError` carrying the SQLSTATE (when there is one),
 * a message naming `context`, and never any of `secrets`.
 */
export function toSinkError(err: unknown, context: string, secrets: readonly string[] = []): SinkError {
  if (err instanceof SinkError) return err;
  const e = asPgError(err);
  const code = sqlState(err);
  let message: string;
  if (code === '23505') {
    const key = parseDuplicateKey(e.detail);
    const where = key === undefined ? (e.detail ?? e.message) : `first conflicting bar ${describeKey(key)}`;
    message =
      `${context}: SQLSTATE 23505 unique_violation: the bar already exists in market_data (${where}); ` +
      'the whole unit was rolled back, nothing of it was written (the ignore conflict mode skips existing bars)';
  } else if (code !== undefined) {
    const name = CONDITION_NAMES[code];
    const detail = e.detail === undefined ? '' : ` (${e.detail})`;
    message = `${context}: SQLSTATE ${code}${name === undefined ? '' : ` ${name}`}: ${e.message}${detail}`;
  } else {
    const nodeCode = fieldOf(err, 'code');
    message = `${context}: ${e.message}${nodeCode !== undefined && !e.message.includes(nodeCode) ? ` (${nodeCode})` : ''}`;
  }
  const options: { cause?: unknown; dbCode?: string; transient: boolean; conflict?: BarConflictKey } = { cause: err, transient: isTransientPgError(err) };
  if (code !== undefined) options.dbCode = code;
  const conflict = code === '23505' ? barKeyOf(parseDuplicateKey(e.detail)) : undefined;
  if (conflict !== undefined) options.conflict = conflict;
  return new SinkError(redact(message, secrets), options);
}
