import { ConfigError, SinkError } from '../../kernel/errors.js';
import type { ClickHouseGateway, ClickHouseReadOnlyQueries, ClickHouseRow, ColumnarInsert, InsertColumn } from './clickhouse-gateway.js';
import { toSinkError } from './clickhouse-errors.js';
import { stripTrailingSemicolons, summarize } from './clickhouse-connect-gateway.js';
import { sqlString } from './clickhouse-sql.js';

/** One column handed to chDB's Arrow C Data Interface input. */
interface ChdbArrowColumn {
  name: string;
  format: string;
  length: number;
  nullCount: number;
  buffers: (Buffer | null)[];
}

interface ChdbResult {
  text(): string;
}

/** A chunk of a streamed result (chDB's `StreamChunk`). */
interface ChdbStreamChunk {
  text(): string;
}

/** The part of a chDB `Session` this gateway uses. */
export interface ChdbSession {
  readonly connection: unknown;
  readonly path: string;
  queryAsync(query: string, opts?: { format?: string }): Promise<ChdbResult>;
  queryStream(query: string, opts?: { format?: string }): AsyncIterable<ChdbStreamChunk>;
  close(): void;
}

/** The part of the `chdb` module this gateway uses (its `_arrow*` helpers are undocumented in its types). */
export interface ChdbModule {
  Session: new (path: string) => ChdbSession;
  _arrowRegisterColumns(connection: unknown, tableName: string, columns: ChdbArrowColumn[]): void;
  _arrowUnregister(connection: unknown, tableName: string): void;
  drainPending?: () => Promise<void>;
}

/** Loads the optional `chdb` package; a ConfigError says what to do when it is missing. */
export async function loadChdb(): Promise<ChdbModule> {
  let mod: unknown;
  try {
    mod = await import('chdb');
  } catch (err) {
    throw new ConfigError(
      'the embedded ClickHouse store needs the optional dependency `chdb` (npm install chdb), or set CH_HOST to use a ClickHouse server',
      { cause: err },
    );
  }
  const m = mod as { default?: ChdbModule } & Partial<ChdbModule>;
  const chdb = m.default ?? (m as ChdbModule);
  if (typeof chdb.Session !== 'function' || typeof chdb._arrowRegisterColumns !== 'function') {
    throw new ConfigError('the installed `chdb` package lacks Session or Arrow input (chdb 3.4 or newer is needed)');
  }
  return chdb;
}

/** Opens (creating if needed) an embedded chDB store at `path` and returns its gateway. */
export async function openChdbGateway(path: string): Promise<ChdbGateway> {
  const chdb = await loadChdb();
  let session: ChdbSession;
  try {
    session = new chdb.Session(path);
  } catch (err) {
    throw toSinkError(err, `cannot open the embedded ClickHouse store at ${path}`);
  }
  return new ChdbGateway(chdb, session);
}

/** A `...WithNamesAndTypes` chunk without its two header lines. */
function withoutHeader(text: string): string {
  const names = text.indexOf('\n');
  const types = names === -1 ? -1 : text.indexOf('\n', names + 1);
  return types === -1 ? '' : text.slice(types + 1);
}

let batchCounter = 0;

/**
 * The gateway to the embedded engine (chDB). Inserts hand the typed arrays to
 * chDB zero-copy through its Arrow input (`arrowstream('<name>')`) and convert
 * in SQL (epoch ms → DateTime, NaN → NULL). chDB binds one data directory per
 * process: keep one gateway per process. The gateway owns the session.
 */
export class ChdbGateway implements ClickHouseGateway, ClickHouseReadOnlyQueries {
  readonly kind = 'embedded';
  readonly description: string;
  private readonly chdb: ChdbModule;
  private readonly session: ChdbSession;
  private closed = false;

  constructor(chdb: ChdbModule, session: ChdbSession) {
    this.chdb = chdb;
    this.session = session;
    this.description = `embedded ClickHouse (chDB) at ${session.path}`;
  }

  async command(sql: string): Promise<void> {
    this.assertOpen();
    try {
      await this.session.queryAsync(sql);
    } catch (err) {
      throw toSinkError(err, `${this.description}: statement failed (${summarize(sql)})`);
    }
  }

  async queryRows(sql: string): Promise<ClickHouseRow[]> {
    this.assertOpen();
    let text: string;
    try {
      text = (await this.session.queryAsync(stripTrailingSemicolons(sql), { format: 'JSONEachRow' })).text();
    } catch (err) {
      throw toSinkError(err, `${this.description}: query failed (${summarize(sql)})`);
    }
    const rows: ClickHouseRow[] = [];
    for (const line of text.split('\n')) {
      if (line.length > 0) rows.push(JSON.parse(line) as ClickHouseRow);
    }
    return rows;
  }

  /**
   * Sets `readonly = 2` on the session first: from then on (chDB does not let it be unset) the session only reads.
   * chDB streams SELECTs; other statements (SHOW, DESCRIBE, and the writes the engine then refuses) run whole.
   */
  async *streamReadOnly(sql: string): AsyncGenerator<string> {
    this.assertOpen();
    const query = stripTrailingSemicolons(sql);
    const format = 'TabSeparatedWithNamesAndTypes';
    try {
      // Decimals with their trailing zeros, as the server (18.16) prints them: one query, one output on both engines.
      await this.session.queryAsync('SET output_format_decimal_trailing_zeros = 1');
      await this.session.queryAsync('SET readonly = 2');
      let chunks: AsyncIterator<ChdbStreamChunk>;
      let next: IteratorResult<ChdbStreamChunk>;
      try {
        chunks = this.session.queryStream(query, { format })[Symbol.asyncIterator]();
        next = await chunks.next();
      } catch (err) {
        if (!/Streaming query is not supported/.test(String(err))) throw err;
        yield (await this.session.queryAsync(query, { format })).text();
        return;
      }
      // chDB formats each streamed chunk on its own: every chunk after the first repeats the two header lines.
      for (let first = true; next.done !== true; next = await chunks.next(), first = false) {
        yield first ? next.value.text() : withoutHeader(next.value.text());
      }
    } catch (err) {
      throw toSinkError(err, `${this.description}: query failed (${summarize(sql)})`);
    }
  }

  async insertColumns(insert: ColumnarInsert): Promise<void> {
    this.assertOpen();
    if (insert.rows === 0) return;
    const name = `barfill_batch_${process.pid}_${++batchCounter}_${Date.now().toString(36)}`;
    const arrow: ChdbArrowColumn[] = [];
    const exprs = insert.columns.map((c, i) => selectExpression(c, `c${i}`, insert.rows, arrow));
    const sql =
      `INSERT INTO ${insert.table} (${insert.columns.map((c) => c.name).join(', ')}) ` +
      (arrow.length > 0 ? `SELECT ${exprs.join(', ')} FROM arrowstream(${sqlString(name)})` : `SELECT ${exprs.join(', ')} FROM numbers(${insert.rows})`);
    let registered = false;
    try {
      if (arrow.length > 0) {
        this.chdb._arrowRegisterColumns(this.session.connection, name, arrow);
        registered = true;
      }
      await this.session.queryAsync(sql);
    } catch (err) {
      throw toSinkError(err, `${this.description}: insert of ${insert.rows} rows into ${insert.table} failed`);
    } finally {
      if (registered) {
        try {
          this.chdb._arrowUnregister(this.session.connection, name);
        } catch {
          // the session may have been closed under us; nothing is left to release
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
    if (this.chdb.drainPending) await this.chdb.drainPending();
  }

  private assertOpen(): void {
    if (this.closed) throw new SinkError(`${this.description}: the store is closed`);
  }
}

function f64Column(name: string, values: Float64Array, rows: number): ChdbArrowColumn {
  const v = values.length === rows ? values : values.subarray(0, rows);
  return { name, format: 'g', length: rows, nullCount: 0, buffers: [null, Buffer.from(v.buffer, v.byteOffset, v.byteLength)] };
}

/** The SELECT expression producing one column; registers the Arrow columns it reads. */
function selectExpression(column: InsertColumn, id: string, rows: number, arrow: ChdbArrowColumn[]): string {
  const s = column.source;
  const t = column.type;
  switch (s.kind) {
    case 'null':
      return `CAST(NULL AS ${t})`;
    case 'constant':
      if (t === 'String') return sqlString(String(s.value));
      if (t === 'DateTime') return `toDateTime(${Math.floor(Number(s.value) / 1000)}, 'UTC')`;
      if (typeof s.value === 'bigint') return `to${t === 'Int64' ? 'Int64' : 'UInt64'}('${s.value.toString()}')`;
      return `CAST(${numberLiteral(Number(s.value))} AS ${t})`;
    case 'values-or-offset': {
      const base = `${id}_base`;
      arrow.push(f64Column(base, s.base, rows));
      if (s.values === null) return `to${t}(${base} + ${numberLiteral(s.offset)})`;
      arrow.push(f64Column(id, s.values, rows));
      return `to${t}(if(isNaN(${id}), ${base} + ${numberLiteral(s.offset)}, ${id}))`;
    }
    case 'values':
      arrow.push(f64Column(id, s.values, rows));
      switch (t) {
        case 'Float64':
          return id;
        case 'Nullable(Float64)':
          return `if(isNaN(${id}), NULL, ${id})`;
        case 'Nullable(UInt64)':
          return `if(isNaN(${id}), NULL, toUInt64(if(isNaN(${id}), 0, ${id})))`;
        case 'Int64':
        case 'UInt64':
        case 'UInt8':
          return `to${t}(${id})`;
        case 'DateTime':
          return `toDateTime(intDiv(toInt64(${id}), 1000), 'UTC')`;
        case 'String':
          throw new TypeError(`column ${column.name}: String columns must be constants`);
      }
  }
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`not a finite number: ${n}`);
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}
