/**
 * A read-only query on PostgreSQL (server or PGlite), streamed: inside
 * `BEGIN READ ONLY` (the engine refuses any write), through a cursor fetched a
 * chunk at a time, so memory does not grow with the result. Values come as
 * the server's text and are turned into JSON by type, the same way for both
 * engines.
 */
import { SinkError } from '../../kernel/errors.js';
import { floatValue, integerValue, type JsonValue, type ResultChunk, type ResultColumn } from '../export/query-result.js';

/** One statement's answer with every value as the server's text (or null). */
export interface TextRows {
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** A connection that answers one statement at a time with text values (no client-side parsing). */
export interface TextRowsConnection {
  query(sql: string): Promise<TextRows>;
}

const CURSOR = 'barfill_read_query';

/** Type OIDs with their own JSON form; every other type is its text. */
const INTEGER_OIDS = new Set([20, 21, 23, 26]);
const FLOAT_OIDS = new Set([700, 701]);
const JSON_OIDS = new Set([114, 3802]);
const BOOL_OID = 16;
const TIMESTAMPTZ_OID = 1184;

/** One value's text as JSON, by its column's type OID. */
export function pgTextValue(text: string | null, oid: number): JsonValue {
  if (text === null) return null;
  if (INTEGER_OIDS.has(oid)) return integerValue(text);
  if (FLOAT_OIDS.has(oid)) return floatValue(text);
  if (oid === BOOL_OID) return text === 't';
  if (JSON_OIDS.has(oid)) return JSON.parse(text) as JsonValue;
  if (oid === TIMESTAMPTZ_OID) return isoTimestamptz(text);
  return text;
}

/**
 * `2024-03-04 14:30:00+00` (the session is UTC) as JavaScript writes a date, `2024-03-04T14:30:00.000Z`: at least
 * three fraction digits, more when the server has them (microseconds); any other text unchanged.
 */
function isoTimestamptz(text: string): string {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?\+00$/.exec(text);
  if (m === null) return text;
  const [, date = '', time = '', fraction = ''] = m;
  return `${date}T${time}.${fraction.padEnd(3, '0')}Z`;
}

/** A statement a cursor cannot hold (INSERT, DROP, ...) is a syntax error there: say why in barfill's words. */
async function declare(conn: TextRowsConnection, sql: string): Promise<void> {
  try {
    await conn.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql.replace(/[\s;]+$/, '')}`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== '42601' && code !== '25006') throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new SinkError(`barfill query is read-only: PostgreSQL runs only queries (SELECT, VALUES, TABLE, WITH ... SELECT), in a read-only transaction (${reason})`, { cause: err });
  }
}

function columnsOf(r: TextRows): ResultColumn[] {
  return r.fields.map((f) => ({ name: f.name, type: String(f.dataTypeID) }));
}

function chunkOf(r: TextRows): ResultChunk {
  const oids = r.fields.map((f) => f.dataTypeID);
  return { columns: columnsOf(r), rows: r.rows.map((row) => row.map((v, k) => pgTextValue(v, oids[k] ?? 25))) };
}

/**
 * Runs `sql` (one statement: a query a cursor can hold, such as SELECT, VALUES,
 * TABLE or WITH ... SELECT) read-only and yields its rows `fetchRows` at a
 * time; the first chunk is yielded even when there is no row, for the columns.
 * Stopping early (a closed stdout) rolls the transaction back.
 */
export async function* readOnlyQuery(conn: TextRowsConnection, sql: string, fetchRows = 2000): AsyncGenerator<ResultChunk> {
  await conn.query('BEGIN READ ONLY');
  let done = false;
  try {
    await declare(conn, sql);
    for (let first = true; ; first = false) {
      const r = await conn.query(`FETCH FORWARD ${fetchRows} FROM ${CURSOR}`);
      if (r.rows.length > 0 || first) yield chunkOf(r);
      if (r.rows.length < fetchRows) break;
    }
    await conn.query('COMMIT');
    done = true;
  } finally {
    if (!done) await conn.query('ROLLBACK').catch(() => undefined);
  }
}
