/**
 * `barfill query` as a user runs it, from a directory that is not the checkout,
 * on both engines of each store: read-only as the engine enforces it, one
 * statement, every column kept, the same JSON types on both engines, the three
 * formats, and a pipe closed early (`| head -1`) ending quietly with exit 0.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runCli, tempDir } from './cli.js';
import { embeddedCh, serverCh, type ChTarget } from './ch-target.js';
import { embeddedPg, serverPg, type PgTarget } from './pg-target.js';

type Target = { readonly name: string; readonly database?: string; env(extra?: Record<string, string>): NodeJS.ProcessEnv; drop(): Promise<void> };

interface EngineCase {
  readonly engine: 'clickhouse' | 'postgres';
  readonly make: () => Promise<Target | undefined>;
  /** A table the migrations create, and statements that would change it. */
  readonly table: (db: string) => string;
  readonly writes: (db: string) => readonly string[];
  /** SELECT of: 1 AS a, 2 AS a, a count, 2^63 - 1, 2^53 - 1, a decimal, a float. */
  readonly typed: (db: string) => string;
  /** A million rows. */
  readonly many: string;
}

const cases: EngineCase[] = [
  ...[async () => Promise.resolve(embeddedCh() as ChTarget | undefined), serverCh].map((make) => ({
    engine: 'clickhouse' as const,
    make: make,
    table: (db: string) => `${db}.ref_market`,
    writes: (db: string) => [`INSERT INTO ${db}.ref_market SELECT * FROM ${db}.ref_market`, `ALTER TABLE ${db}.ref_market DELETE WHERE 1`, `DROP TABLE ${db}.ref_market`],
    typed: (db: string) =>
      `SELECT 1 AS a, toUInt8(2) AS b, count() AS n, toInt64(9223372036854775807) AS big, toInt64(9007199254740991) AS edge, toDecimal64(1.5, 2) AS d, 0.25 AS f FROM ${db}.ref_market`,
    many: 'SELECT number AS n FROM numbers(1000000)',
  })),
  ...[async () => Promise.resolve(embeddedPg() as PgTarget | undefined), serverPg].map((make) => ({
    engine: 'postgres' as const,
    make: make,
    table: () => 'market_data',
    writes: () => ["INSERT INTO market_data (ticker) VALUES ('X')", 'DELETE FROM market_data', 'DROP TABLE market_data'],
    typed: () => 'SELECT 1 AS a, 2 AS b, count(*) AS n, 9223372036854775807::bigint AS big, 9007199254740991::bigint AS edge, 1.50::numeric AS d, 0.25::float8 AS f FROM market_data',
    many: 'SELECT g AS n FROM generate_series(0, 999999) g',
  })),
];

const cwd = tempDir('query-cwd');

for (const c of cases) {
  describe(`barfill query (${c.engine})`, () => {
    let t: Target | undefined;
    const query = (args: string[]) => runCli(['query', c.engine, ...args], { env: t!.env(), cwd });
    beforeAll(async () => {
      t = await c.make();
      if (t !== undefined) expect((await runCli(['migrate', c.engine], { env: t.env(), cwd })).code).toBe(0);
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('refuses every write, in the engine, and the table is still there', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const db = t.database ?? '';
      const before = await query(['--sql', `SELECT count(*) AS n FROM ${c.table(db)}`]);
      expect(before.code, before.stderr).toBe(0);
      for (const sql of c.writes(db)) {
        const r = await query(['--sql', sql]);
        expect(r.code, sql).toBe(1);
        expect(r.stderr, sql).toMatch(/read-?only/i);
      }
      const after = await query(['--sql', `SELECT count(*) AS n FROM ${c.table(db)}`]);
      expect(after.stdout).toBe(before.stdout);
    });

    it('refuses several statements with a clear message, running none', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await query(['--sql', `SELECT 1; ${c.writes(t.database ?? '')[0]!}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--sql: expected one statement, found 2');
    });

    it('keeps every column and gives integers as numbers up to 2^53, larger ones and decimals as strings', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await query(['--sql', c.typed(t.database ?? '')]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ a: 1, b: 2, n: c.engine === 'clickhouse' ? 4 : 0, big: '9223372036854775807', edge: 9007199254740991, d: '1.50', f: 0.25 });
      // ClickHouse refuses one alias for two expressions itself; PostgreSQL returns both columns.
      if (c.engine === 'postgres') expect(JSON.parse((await query(['--sql', 'SELECT 1 AS a, 2 AS b, 3 AS a'])).stdout)).toEqual({ a: 1, b: 2, a_2: 3 });
    });

    it('prints csv and tsv with a header line', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const sql = c.engine === 'clickhouse' ? "SELECT 'x,\"y' AS s, toNullable(NULL) AS z, 'a\tb' AS t" : "SELECT 'x,\"y' AS s, NULL AS z, E'a\\tb' AS t";
      const csv = await query(['--sql', sql, '--format', 'csv']);
      expect(csv.stdout).toBe('s,z,t\n"x,""y",,a\tb\n');
      const tsv = await query(['--sql', sql, '--format', 'tsv']);
      expect(tsv.stdout).toBe('s\tz\tt\nx,"y\t\\N\ta\\tb\n');
    });

    it('streams a million rows exactly, each once, in order', async (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = await query(['--sql', c.many, '--format', 'tsv']);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1_000_001);
      expect(lines[0]).toBe('n');
      expect(lines.slice(1).every((l, k) => l === String(k))).toBe(true);
    });

    it('| head -1 ends quietly with exit 0, after a million rows were asked for', (ctx) => {
      if (t === undefined) return ctx.skip();
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${binPath}" query ${c.engine} --sql "${c.many}" | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`], {
        env: t.env(),
        cwd,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.stdout).toBe('{"n":0}\n');
      expect(r.stderr).toContain('exit=0');
      expect(r.stderr).not.toMatch(/EPIPE|Error/);
    });
  });
}
