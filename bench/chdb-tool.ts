/**
 * The embedded-engine side of the benchmark, run in its own node process (chDB
 * binds one data directory per process):
 *
 *   node dist/bench/chdb-tool.js version
 *   node dist/bench/chdb-tool.js insert <store-dir> <database> <parquet> <ingested-at-epoch-s>
 *   node dist/bench/chdb-tool.js count <store-dir> <sql>
 *   node dist/bench/chdb-tool.js rowbinary <parquet> <out-file> <ingested-at-epoch-s>
 *
 * `insert` is the native baseline of `backfill-1m` on the embedded engine: one
 * `INSERT ... SELECT ... FROM file(Parquet)` into the raw Binance table (which
 * fires the materialized view into the canonical table), with the column
 * mapping of ClickHouseRawKlineWriter.
 */
import { query, Session } from 'chdb';
import { binanceSelect, RAW_BINANCE_COLUMNS, sqlString } from './chdb-columns.js';

function main(argv: readonly string[]): void {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'version':
      process.stdout.write(query('SELECT version()', 'TSV'));
      return;
    case 'insert': {
      const [store, database, parquet, ingested] = rest;
      if (store === undefined || database === undefined || parquet === undefined || ingested === undefined) break;
      const session = new Session(store);
      try {
        session.query(
          `INSERT INTO ${database}.raw_binance_klines_1m (${RAW_BINANCE_COLUMNS.join(', ')}) ${binanceSelect(parquet, Number(ingested))}`,
        );
      } finally {
        session.close();
      }
      return;
    }
    case 'count': {
      const [store, sql] = rest;
      if (store === undefined || sql === undefined) break;
      const session = new Session(store);
      try {
        process.stdout.write(session.query(sql, 'TSV'));
      } finally {
        session.close();
      }
      return;
    }
    case 'rowbinary': {
      const [parquet, out, ingested] = rest;
      if (parquet === undefined || out === undefined || ingested === undefined) break;
      query(`${binanceSelect(parquet, Number(ingested))} INTO OUTFILE ${sqlString(out)} TRUNCATE FORMAT RowBinary`, 'TSV');
      return;
    }
    default:
      break;
  }
  process.stderr.write('usage: chdb-tool version | insert STORE DB PARQUET TS | count STORE SQL | rowbinary PARQUET OUT TS\n');
  process.exitCode = 2;
}

main(process.argv.slice(2));
