/** The benchmark cases: barfill and its native baseline, alternately, on fresh tables each run. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { barsInRange } from '../test-support/fake-fmp/data.js';
import { startFakeFmp } from '../test-support/fake-fmp/server.js';
import { RAW_BINANCE_COLUMNS } from './chdb-columns.js';
import type { CsvDataset, ParquetDataset } from './datasets.js';
import { CH_HOST, CH_PORT, CH_URL, CHDB_TOOL, chQuery, CLI, freshName, pgAdminUrl, pgUrlFor, PGLITE_TOOL, psql } from './env.js';
import { describeFailure, runChecked, runMeasured } from './proc.js';
import type { RunResult } from './proc.js';
import type { CaseResult, Sample } from './stats.js';

export interface BenchContext {
  readonly smoke: boolean;
  readonly runs: number;
  /** backfill-1m `--batch-size`; undefined runs barfill's default (the flag is not given). */
  readonly batchSize: number | undefined;
  /** Logs of every child process. */
  readonly logDir: string;
  /** Scratch space for stores and encoded files. */
  readonly workDir: string;
}

const ISO = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const INGESTED_AT_S = 1_700_000_000;

function sample(r: RunResult, internalMs?: number): Sample {
  return internalMs === undefined
    ? { wallMs: r.wallMs, peakRssBytes: r.peakRssBytes }
    : { wallMs: r.wallMs, peakRssBytes: r.peakRssBytes, internalMs };
}

function batchArgs(ctx: BenchContext): string[] {
  return ctx.batchSize === undefined ? [] : ['--batch-size', String(ctx.batchSize)];
}

function must(r: RunResult): RunResult {
  if (r.exitCode !== 0) throw new Error(describeFailure(r));
  return r;
}

/** "rows written: N in B batches (R rows/s, X ms)" from the backfill-1m report. */
function backfillInternalMs(stderr: string): number | undefined {
  const m = /rows written:\s+\d+ in \d+ batches \([\d.]+ rows\/s, (\d+) ms\)/.exec(stderr);
  return m === null ? undefined : Number(m[1]);
}

function expectRows(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: expected ${want} rows, found ${got}`);
}

/** `runs` rounds of barfill and its baseline, alternating which goes first; barfill alone without a baseline. */
async function alternately(runs: number, barfill: () => Promise<void>, baseline?: () => Promise<void>): Promise<void> {
  for (let i = 0; i < runs; i++) {
    if (baseline === undefined) await barfill();
    else if (i % 2 === 0) {
      await barfill();
      await baseline();
    } else {
      await baseline();
      await barfill();
    }
  }
}

// ---------------------------------------------------------------- backfill-1m, embedded

export async function backfillEmbedded(ctx: BenchContext, data: ParquetDataset, result: CaseResult, withBaseline: boolean): Promise<void> {
  const cliArgs = [
    CLI,
    'backfill-1m',
    '--market-id', '1',
    '--symbol', 'BTCUSDT',
    '--start', ISO(data.startMs),
    '--end', ISO(data.endMs),
    '--parquet', data.input,
    ...batchArgs(ctx),
  ];
  const count = async (home: string, table: string): Promise<number> => {
    const r = await runChecked({
      label: 'chdb-count',
      command: process.execPath,
      args: [CHDB_TOOL, 'count', path.join(home, 'clickhouse'), `SELECT count() FROM market_data.${table}`],
      logDir: ctx.logDir,
    });
    return Number(r.stdout.trim());
  };
  const barfill = async (): Promise<void> => {
    const home = await mkdtemp(path.join(ctx.workDir, 'home-'));
    try {
      const r = must(await runMeasured({ label: `barfill-backfill-embedded-${data.rows}`, command: process.execPath, args: cliArgs, env: { BARFILL_HOME: home, CH_HOST: '' }, logDir: ctx.logDir }));
      expectRows('barfill raw table', await count(home, 'raw_binance_klines_1m'), data.rows);
      expectRows('barfill canonical table', await count(home, 'canonical_candles_1m'), data.rows);
      result.barfill.push(sample(r, backfillInternalMs(r.stderr)));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };
  const baseline = async (): Promise<void> => {
    const home = await mkdtemp(path.join(ctx.workDir, 'home-'));
    try {
      must(await runMeasured({ label: 'migrate-clickhouse-embedded', command: process.execPath, args: [CLI, 'migrate', 'clickhouse'], env: { BARFILL_HOME: home, CH_HOST: '' }, logDir: ctx.logDir }));
      const r = must(await runMeasured({
        label: `baseline-chdb-insert-select-${data.rows}`,
        command: process.execPath,
        args: [CHDB_TOOL, 'insert', path.join(home, 'clickhouse'), 'market_data', data.glob, String(INGESTED_AT_S)],
        logDir: ctx.logDir,
      }));
      expectRows('baseline raw table', await count(home, 'raw_binance_klines_1m'), data.rows);
      expectRows('baseline canonical table', await count(home, 'canonical_candles_1m'), data.rows);
      result.baseline.push(sample(r));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };
  await alternately(ctx.runs, barfill, withBaseline ? baseline : undefined);
}

// ---------------------------------------------------------------- backfill-1m, ClickHouse server

export async function backfillServer(ctx: BenchContext, data: ParquetDataset, result: CaseResult): Promise<void> {
  // Encode the same rows once per file, before timing, with the same mapping as barfill's writer.
  const encoded: string[] = [];
  let encodeMs = 0;
  for (const [k, file] of data.files.entries()) {
    const out = path.join(ctx.workDir, `rows-${data.rows}-${k}.rowbinary`);
    const enc = await runChecked({ label: 'encode-rowbinary', command: process.execPath, args: [CHDB_TOOL, 'rowbinary', file, out, String(INGESTED_AT_S)], logDir: ctx.logDir });
    encoded.push(out);
    encodeMs += enc.wallMs;
  }
  result.notes.push(`RowBinary encoded once before timing by chDB in ${(encodeMs / 1000).toFixed(1)} s (not counted)${encoded.length > 1 ? `, one file per input file (${encoded.length}), sent one after the other` : ''}`);
  const count = async (db: string, table: string): Promise<number> => Number((await chQuery(`SELECT count() FROM ${db}.${table}`)).trim());
  const withDb = async (fn: (db: string) => Promise<void>): Promise<void> => {
    const db = freshName('barfill_bench');
    try {
      await fn(db);
    } finally {
      await chQuery(`DROP DATABASE IF EXISTS ${db}`).catch((err: unknown) => {
        process.stderr.write(`warning: could not drop ClickHouse database ${db}: ${String(err)}\n`);
      });
    }
  };
  const env = (db: string): Record<string, string> => ({ CH_HOST, CH_PORT, CH_DATABASE: db });
  const barfill = (): Promise<void> =>
    withDb(async (db) => {
      const home = await mkdtemp(path.join(ctx.workDir, 'home-'));
      try {
        const r = must(await runMeasured({
          label: `barfill-backfill-server-${data.rows}`,
          command: process.execPath,
          args: [CLI, 'backfill-1m', '--market-id', '1', '--symbol', 'BTCUSDT', '--start', ISO(data.startMs), '--end', ISO(data.endMs), '--parquet', data.input, ...batchArgs(ctx)],
          env: { ...env(db), BARFILL_HOME: home },
          logDir: ctx.logDir,
        }));
        expectRows('barfill raw table', await count(db, 'raw_binance_klines_1m'), data.rows);
        expectRows('barfill canonical table', await count(db, 'canonical_candles_1m'), data.rows);
        result.barfill.push(sample(r, backfillInternalMs(r.stderr)));
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });
  const baseline = (): Promise<void> =>
    withDb(async (db) => {
      must(await runMeasured({ label: 'migrate-clickhouse-server', command: process.execPath, args: [CLI, 'migrate', 'clickhouse'], env: env(db), logDir: ctx.logDir }));
      const query = `INSERT INTO ${db}.raw_binance_klines_1m (${RAW_BINANCE_COLUMNS.join(',')}) FORMAT RowBinary`;
      const runs: RunResult[] = [];
      for (const file of encoded) {
        runs.push(must(await runMeasured({
          label: 'baseline-curl-rowbinary',
          command: 'curl',
          args: ['-sS', '--fail-with-body', '--data-binary', `@${file}`, `${CH_URL}/?query=${encodeURIComponent(query)}`],
          logDir: ctx.logDir,
        })));
      }
      const r = sequence(runs);
      expectRows('baseline raw table', await count(db, 'raw_binance_klines_1m'), data.rows);
      expectRows('baseline canonical table', await count(db, 'canonical_candles_1m'), data.rows);
      result.baseline.push(sample(r));
    });
  try {
    await alternately(ctx.runs, barfill, baseline);
  } finally {
    await Promise.all(encoded.map((f) => rm(f, { force: true })));
  }
}

/** Processes run one after the other, as one sample: their wall times added, the largest peak RSS. */
function sequence(runs: readonly RunResult[]): RunResult {
  const first = runs[0];
  if (first === undefined) throw new Error('no run to add up');
  const rss = runs.map((r) => r.peakRssBytes).filter((x): x is number => x !== undefined);
  return { ...first, wallMs: runs.reduce((a, r) => a + r.wallMs, 0), peakRssBytes: rss.length === runs.length ? Math.max(...rss) : undefined };
}

// ---------------------------------------------------------------- inject-csv, PostgreSQL

const PG_COLUMNS = 'ticker,exchange,interval_minutes,"timestamp",open,high,low,close,volume';

/** Splits files round-robin over `n` workers (the files are the same size, so this is what a pool does). */
function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((x, i) => out[i % n]!.push(x));
  return out.filter((g) => g.length > 0);
}

function sqlLiteralPath(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}

/** One psql script per worker: a \copy per file (autocommit: one transaction per file, as barfill). */
function copyScript(files: readonly string[], mode: 'fail' | 'ignore'): string {
  return files
    .map((f) =>
      mode === 'fail'
        ? `\\copy market_data(${PG_COLUMNS}) FROM ${sqlLiteralPath(f)} WITH (FORMAT csv, HEADER true)`
        : [
            'BEGIN;',
            'CREATE TEMP TABLE bench_staging (LIKE market_data INCLUDING DEFAULTS) ON COMMIT DROP;',
            `\\copy bench_staging(${PG_COLUMNS}) FROM ${sqlLiteralPath(f)} WITH (FORMAT csv, HEADER true)`,
            `INSERT INTO market_data (${PG_COLUMNS},source) SELECT ${PG_COLUMNS},source FROM bench_staging ON CONFLICT (ticker, interval_minutes, "timestamp") DO NOTHING;`,
            'COMMIT;',
          ].join('\n'),
    )
    .join('\n');
}

/** Runs the psql workers in parallel; the wall time is the slowest worker's (from the first start to the last end). */
async function psqlWorkers(ctx: BenchContext, url: string, groups: readonly (readonly string[])[], mode: 'fail' | 'ignore', label: string): Promise<Sample> {
  const t0 = performance.now();
  const results = await Promise.all(
    groups.map((g, k) =>
      runMeasured({ label: `${label}-w${k}`, command: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url], stdin: copyScript(g, mode), logDir: ctx.logDir }),
    ),
  );
  const wallMs = performance.now() - t0;
  for (const r of results) must(r);
  const rss = results.map((r) => r.peakRssBytes ?? 0).reduce((a, b) => a + b, 0);
  return { wallMs, peakRssBytes: rss };
}

export async function injectCsv(ctx: BenchContext, data: CsvDataset, mode: 'fail' | 'ignore', threads: number, result: CaseResult): Promise<void> {
  const admin = pgAdminUrl();
  const countRows = async (url: string): Promise<number> => Number(await psql(url, 'SELECT count(*) FROM market_data', ctx.logDir));
  /** A fresh database with barfill's schema (and, for the baseline, source defaulting to barfill's 'csv'). */
  const withDb = async (fn: (url: string) => Promise<void>): Promise<void> => {
    const db = freshName('barfill_bench');
    await psql(admin, `CREATE DATABASE ${db}`, ctx.logDir);
    const url = pgUrlFor(db);
    try {
      must(await runMeasured({ label: 'migrate-postgres', command: process.execPath, args: [CLI, 'migrate', 'postgres'], env: { DATABASE_URL: url }, logDir: ctx.logDir }));
      if (mode === 'ignore') {
        // Every row already present (loaded untimed).
        await psql(url, "ALTER TABLE market_data ALTER COLUMN source SET DEFAULT 'csv'", ctx.logDir);
        await psqlWorkers(ctx, url, split(data.files, threads), 'fail', 'preload');
        await psql(url, 'ALTER TABLE market_data ALTER COLUMN source DROP DEFAULT', ctx.logDir);
        await psql(url, 'VACUUM ANALYZE market_data', ctx.logDir);
        expectRows('preloaded table', await countRows(url), data.rows);
      }
      await fn(url);
    } finally {
      await psql(admin, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, ctx.logDir).catch((err: unknown) => {
        process.stderr.write(`warning: could not drop PostgreSQL database ${db}: ${String(err)}\n`);
      });
    }
  };
  const barfill = (): Promise<void> =>
    withDb(async (url) => {
      const summaryFile = path.join(ctx.workDir, `summary-${Date.now()}.json`);
      const r = must(await runMeasured({
        label: `barfill-inject-csv-${mode}`,
        command: process.execPath,
        args: [CLI, 'inject-csv', '--csv-dir', data.dir, '--threads', String(threads), '--on-conflict', mode, '--summary-json', summaryFile],
        env: { DATABASE_URL: url },
        logDir: ctx.logDir,
      }));
      const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as { inserted?: number; skipped?: number; elapsed_ms?: number };
      await rm(summaryFile, { force: true });
      expectRows('barfill table', await countRows(url), data.rows);
      if (mode === 'fail') expectRows('barfill summary inserted', summary.inserted ?? -1, data.rows);
      else expectRows('barfill summary skipped', summary.skipped ?? -1, data.rows);
      result.barfill.push(sample(r, summary.elapsed_ms));
    });
  const baselineVariant = (workers: number): Promise<Sample> => {
    let s: Sample | undefined;
    return withDb(async (url) => {
      await psql(url, "ALTER TABLE market_data ALTER COLUMN source SET DEFAULT 'csv'", ctx.logDir);
      s = await psqlWorkers(ctx, url, split(data.files, workers), mode, `baseline-psql-${mode}-x${workers}`);
      expectRows('baseline table', await countRows(url), data.rows);
    }).then(() => s!);
  };
  const seq: Sample[] = [];
  const par: Sample[] = [];
  const baseline = async (): Promise<void> => {
    seq.push(await baselineVariant(1));
    par.push(await baselineVariant(threads));
  };
  await alternately(ctx.runs, barfill, baseline);
  const med = (xs: readonly Sample[]): number => {
    const v = xs.map((x) => x.wallMs).sort((a, b) => a - b);
    return v.length % 2 === 1 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  const best = med(par) < med(seq) ? par : seq;
  result.baseline.push(...best);
  result.notes.push(
    `baseline psql: sequential median ${(med(seq) / 1000).toFixed(2)} s, ${threads} in parallel ${(med(par) / 1000).toFixed(2)} s; the faster (${best === par ? 'parallel' : 'sequential'}) is the baseline`,
  );
}

// ---------------------------------------------------------------- inject-csv, embedded PGlite

export async function injectCsvPglite(ctx: BenchContext, data: CsvDataset, result: CaseResult): Promise<void> {
  const count = async (home: string): Promise<number> => {
    const r = await runChecked({ label: 'pglite-count', command: process.execPath, args: [PGLITE_TOOL, 'count', path.join(home, 'pglite'), 'SELECT count(*) FROM market_data'], logDir: ctx.logDir });
    return Number(r.stdout.trim());
  };
  const withHome = async (fn: (home: string) => Promise<void>): Promise<void> => {
    const home = await mkdtemp(path.join(ctx.workDir, 'home-'));
    try {
      await fn(home);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };
  const env = (home: string): Record<string, string> => ({ BARFILL_HOME: home, DATABASE_URL: '' });
  const barfill = (): Promise<void> =>
    withHome(async (home) => {
      const summaryFile = path.join(ctx.workDir, `summary-${Date.now()}.json`);
      const r = must(await runMeasured({ label: 'barfill-inject-csv-pglite', command: process.execPath, args: [CLI, 'inject-csv', '--csv-dir', data.dir, '--summary-json', summaryFile], env: env(home), logDir: ctx.logDir }));
      const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as { inserted?: number; elapsed_ms?: number };
      await rm(summaryFile, { force: true });
      expectRows('barfill summary inserted', summary.inserted ?? -1, data.rows);
      expectRows('barfill table', await count(home), data.rows);
      result.barfill.push(sample(r, summary.elapsed_ms));
    });
  const baseline = (): Promise<void> =>
    withHome(async (home) => {
      must(await runMeasured({ label: 'migrate-pglite', command: process.execPath, args: [CLI, 'migrate', 'postgres'], env: env(home), logDir: ctx.logDir }));
      const r = must(await runMeasured({ label: 'baseline-pglite-copy', command: process.execPath, args: [PGLITE_TOOL, 'copy', path.join(home, 'pglite'), ...data.files], logDir: ctx.logDir }));
      expectRows('baseline table', await count(home), data.rows);
      result.baseline.push(sample(r));
    });
  await alternately(ctx.runs, barfill, baseline);
}

// ---------------------------------------------------------------- concurrent against the fake FMP

export interface ConcurrentSpec {
  readonly tickers: number;
  readonly fromDate: string;
  readonly toDate: string;
  readonly threads: number;
  readonly rateLimitPerMinute: number;
  readonly latencyMs: number;
}

function ddmmyy(date: string): string {
  return `${date.slice(8, 10)}${date.slice(5, 7)}${date.slice(2, 4)}`;
}

export async function concurrentFmp(ctx: BenchContext, spec: ConcurrentSpec, result: CaseResult): Promise<void> {
  const tickers = Array.from({ length: spec.tickers }, (_, i) => `F${String(i).padStart(3, '0')}`);
  const expected = tickers.reduce((n, t) => n + barsInRange(t, 1, spec.fromDate, spec.toDate).length, 0);
  const dir = await mkdtemp(path.join(ctx.workDir, 'fmp-'));
  const tickersFile = path.join(dir, 'tickers.json');
  await writeFile(tickersFile, JSON.stringify(tickers));
  const allowedPerSec = spec.rateLimitPerMinute / 60;
  try {
    for (let i = 0; i < ctx.runs; i++) {
      const fake = await startFakeFmp({ latencyMs: spec.latencyMs, rateLimitPerMinute: spec.rateLimitPerMinute });
      try {
        const summaryFile = path.join(dir, `summary-${i}.json`);
        const r = must(await runMeasured({
          label: 'barfill-concurrent',
          command: process.execPath,
          args: [CLI, 'concurrent', '--start', ddmmyy(spec.fromDate), '--end', ddmmyy(spec.toDate), '--tickers-file', tickersFile, '--threads', String(spec.threads), '--dry-run', '--summary-json', summaryFile],
          env: { FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: String(spec.rateLimitPerMinute), BARFILL_HOME: dir },
          cwd: dir,
          logDir: ctx.logDir,
        }));
        const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as { bars?: number; failed?: number; elapsed_ms?: number };
        const answered = fake.stats.statuses[200] ?? 0;
        const rate = answered / (r.wallMs / 1000);
        const pct = (100 * rate) / allowedPerSec;
        const lost = expected - (summary.bars ?? 0);
        result.notes.push(
          `run ${i + 1}: ${answered} answered requests (${fake.stats.requests} total, ${fake.stats.rateLimited} x 429) in ${(r.wallMs / 1000).toFixed(1)} s = ${rate.toFixed(1)} req/s = ${pct.toFixed(1)} % of the allowed ${allowedPerSec.toFixed(1)} req/s; bars ${summary.bars ?? '?'} of ${expected} expected (${lost} lost), failed tickers ${summary.failed ?? '?'}`,
        );
        result.barfill.push(sample(r, summary.elapsed_ms));
        (result as { rates?: number[] }).rates = [...((result as { rates?: number[] }).rates ?? []), pct];
        if (lost !== 0 || (summary.failed ?? 0) !== 0) throw new Error(`concurrent: ${lost} bars lost, ${summary.failed ?? '?'} tickers failed (see ${r.stderrFile})`);
        if (fake.stats.rateLimited > 1) result.notes.push(`run ${i + 1}: ${fake.stats.rateLimited} answers were 429 (target: none after the first)`);
        const rl = (result as { rateLimited?: number }).rateLimited ?? 0;
        (result as { rateLimited?: number }).rateLimited = Math.max(rl, fake.stats.rateLimited);
      } finally {
        await fake.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const TMP_PREFIX = path.join(os.tmpdir(), 'barfill-bench-run-');
