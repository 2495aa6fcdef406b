import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkError } from '../../kernel/errors.js';
import type { ClickHouseGateway, ClickHouseReadOnlyQueries, ClickHouseRow, ColumnarInsert } from './clickhouse-gateway.js';
import { toSinkError } from './clickhouse-errors.js';
import { encodeRowBinary } from './row-binary.js';

export interface ClickHouseConnectGatewayOptions {
  /** e.g. `ClickHouse server http://127.0.0.1:8123`; never with credentials. */
  readonly description?: string;
  /** Strings to scrub from error messages (the password). */
  readonly secrets?: readonly string[];
}

/**
 * The gateway to a ClickHouse server over HTTP, through @clickhouse/client.
 * Inserts are RowBinary (one Buffer per batch); works against servers from
 * 18.16 on. The client must not set `database` (the migrator creates it): every
 * statement uses qualified names. The gateway owns the client and closes it.
 */
export class ClickHouseConnectGateway implements ClickHouseGateway, ClickHouseReadOnlyQueries {
  readonly kind = 'server';
  readonly description: string;
  private readonly client: ClickHouseClient;
  private readonly secrets: readonly string[];
  private closed = false;

  constructor(client: ClickHouseClient, options: ClickHouseConnectGatewayOptions = {}) {
    this.client = client;
    this.description = options.description ?? 'ClickHouse server';
    this.secrets = options.secrets ?? [];
  }

  async command(sql: string): Promise<void> {
    this.assertOpen();
    try {
      await this.client.command({ query: sql });
    } catch (err) {
      throw toSinkError(err, `${this.description}: statement failed (${summarize(sql)})`, this.secrets);
    }
  }

  async queryRows(sql: string): Promise<ClickHouseRow[]> {
    this.assertOpen();
    try {
      const rs = await this.client.query({ query: stripTrailingSemicolons(sql), format: 'JSONEachRow' });
      return await rs.json<ClickHouseRow>();
    } catch (err) {
      throw toSinkError(err, `${this.description}: query failed (${summarize(sql)})`, this.secrets);
    }
  }

  /** No FORMAT clause is added to the query (it would break a write's syntax before the engine could refuse it): the format is the default. */
  async *streamReadOnly(sql: string): AsyncGenerator<string> {
    this.assertOpen();
    try {
      const result = await this.client.exec({
        query: stripTrailingSemicolons(sql),
        clickhouse_settings: { readonly: '2', default_format: 'TabSeparatedWithNamesAndTypes' },
      });
      const decoder = new TextDecoder();
      for await (const chunk of result.stream as AsyncIterable<Uint8Array>) yield decoder.decode(chunk, { stream: true });
      const rest = decoder.decode();
      if (rest !== '') yield rest;
    } catch (err) {
      throw toSinkError(err, `${this.description}: query failed (${summarize(sql)})`, this.secrets);
    }
  }

  async insertColumns(insert: ColumnarInsert): Promise<void> {
    this.assertOpen();
    if (insert.rows === 0) return;
    const body = encodeRowBinary(insert);
    const cols = insert.columns.map((c) => c.name).join(', ');
    try {
      const result = await this.client.exec({
        query: `INSERT INTO ${insert.table} (${cols}) FORMAT RowBinary`,
        values: Readable.from([body]),
      });
      result.stream.resume();
      await finished(result.stream);
    } catch (err) {
      throw toSinkError(err, `${this.description}: insert of ${insert.rows} rows into ${insert.table} failed`, this.secrets);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new SinkError(`${this.description}: the connection is closed`);
  }
}

/** The first words of a statement, for error messages. */
export function summarize(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

/** `SELECT 1;` → `SELECT 1` (a FORMAT clause is appended to queries). */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
