/**
 * The embedded-PostgreSQL side of the benchmark, in its own node process:
 *
 *   node dist/bench/pglite-tool.js copy <data-dir> <csv-file>...
 *   node dist/bench/pglite-tool.js count <data-dir> <sql>
 *
 * `copy` is the native baseline of `inject-csv` on PGlite: PGlite's own
 * `COPY market_data (...) FROM '/dev/blob' (FORMAT csv, HEADER)`, one file per
 * transaction, into a store migrated by barfill, with `source` set to barfill's
 * constant `csv` by a column default.
 */
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';

const COLUMNS = 'ticker,exchange,interval_minutes,"timestamp",open,high,low,close,volume';

async function copy(dataDir: string, files: readonly string[]): Promise<void> {
  const db = await PGlite.create(dataDir);
  try {
    await db.query("ALTER TABLE market_data ALTER COLUMN source SET DEFAULT 'csv'");
    for (const file of files) {
      const blob = new Blob([await readFile(file)]);
      await db.query(`COPY market_data (${COLUMNS}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob });
    }
    await db.query('ALTER TABLE market_data ALTER COLUMN source DROP DEFAULT');
  } finally {
    await db.close();
  }
}

async function count(dataDir: string, sql: string): Promise<void> {
  const db = await PGlite.create(dataDir);
  try {
    const r = await db.query<Record<string, unknown>>(sql);
    process.stdout.write(`${String(Object.values(r.rows[0] ?? {})[0])}\n`);
  } finally {
    await db.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, dataDir, ...rest] = argv;
  if (cmd === 'copy' && dataDir !== undefined && rest.length > 0) await copy(dataDir, rest);
  else if (cmd === 'count' && dataDir !== undefined && rest[0] !== undefined) await count(dataDir, rest[0]);
  else {
    process.stderr.write('usage: pglite-tool copy DATA_DIR CSV... | count DATA_DIR SQL\n');
    return 2;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`pglite-tool: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
