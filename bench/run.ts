/**
 * `npm run bench [-- --smoke] [--write] [--runs N] [--tuned-batch-size N] [--cases a,b] [--keep-logs]`
 *
 * Runs barfill against the engines' own ingest (see docs/benchmarks.md), prints
 * a table, and in full mode (or with --write) rewrites docs/benchmarks.md.
 * Exit code: 0 when every case ran (targets missed or not: they are printed as
 * BELOW TARGET), 1 when a case crashed or produced wrong row counts, 2 on bad flags.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { backfillEmbedded, backfillServer, concurrentFmp, injectCsv, injectCsvPglite, TMP_PREFIX } from './cases.js';
import type { BenchContext, ConcurrentSpec } from './cases.js';
import { binanceMonthly, binanceParquet, cacheDir, csvDirectory } from './datasets.js';
import { CHDB_TOOL, chPing, chQuery, CLI, ensureClickHouseServer, pgAdminUrl, pgAvailable, psql, REPO } from './env.js';
import { hasGnuTime, runMeasured, setProfileDir } from './proc.js';
import { describeProfile, summarizeProfiles } from './profile.js';
import { fmtMb, fmtSec, markdownTable, maxRss, medianWall, TABLE_HEADER, tableRow, textTable } from './stats.js';
import type { CaseResult } from './stats.js';

const ALL_CASES = [
  'embedded',
  'server',
  'monthly-embedded',
  'monthly-server',
  'embedded-tuned',
  'server-tuned',
  'csv-fail',
  'csv-ignore',
  'csv-pglite',
  'concurrent',
  'scaling',
] as const;
type CaseId = (typeof ALL_CASES)[number];

interface Options {
  smoke: boolean;
  write: boolean;
  runs: number;
  /** `--batch-size` of the tuned rows; every other case runs barfill's defaults. */
  tunedBatchSize: number;
  cases: Set<CaseId>;
  keepLogs: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { smoke: false, write: false, runs: 0, tunedBatchSize: 100_000, cases: new Set(ALL_CASES), keepLogs: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--smoke') o.smoke = true;
    else if (a === '--write') o.write = true;
    else if (a === '--keep-logs') o.keepLogs = true;
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--tuned-batch-size') o.tunedBatchSize = Number(value());
    else if (a === '--cases') {
      const list = value().split(',');
      for (const c of list) if (!(ALL_CASES as readonly string[]).includes(c)) throw new Error(`unknown case '${c}' (known: ${ALL_CASES.join(', ')})`);
      o.cases = new Set(list as CaseId[]);
    } else throw new Error(`unknown flag ${a} (known: --smoke --write --runs N --tuned-batch-size N --cases ${ALL_CASES.join(',')} --keep-logs)`);
  }
  if (o.runs === 0) o.runs = o.smoke ? 1 : 3;
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isInteger(o.tunedBatchSize) || o.tunedBatchSize < 1) throw new Error('--tuned-batch-size must be a positive integer');
  return o;
}

/** Peak RSS limit of barfill where the engine is a server (barfill's own memory). */
const SERVER_RSS_LIMIT = 512 * 1024 * 1024;

function newCase(id: string, title: string, rows: number, target: string): CaseResult {
  return { id, title, rows, target, barfill: [], baseline: [], status: 'OK', notes: [] };
}

/** The ratio of the medians against its target. */
function judgeRatio(c: CaseResult, maxRatio: number): void {
  const b = medianWall(c.barfill);
  const n = medianWall(c.baseline);
  if (c.barfill.length > 0 && c.baseline.length > 0) c.ratio = b / n;
  if (c.ratio === undefined || c.ratio > maxRatio) c.status = 'BELOW TARGET';
}

/** Every barfill run's peak RSS under a fixed limit (server cases: barfill's own memory). */
function judgeRssLimit(c: CaseResult, limit = SERVER_RSS_LIMIT): void {
  const over = c.barfill.filter((s) => s.peakRssBytes === undefined || s.peakRssBytes > limit);
  if (over.length > 0) {
    c.status = 'BELOW TARGET';
    c.notes.push(`peak RSS above ${fmtMb(limit)} MB (or unknown) in ${over.length} of ${c.barfill.length} barfill runs: ${over.map((s) => fmtMb(s.peakRssBytes)).join(', ')} MB`);
  }
}

/** Embedded cases: barfill's peak RSS at most the engine's own ingest's peak (the engine runs inside both). */
function judgeRssBaseline(c: CaseResult): void {
  const mine = maxRss(c.barfill);
  const theirs = maxRss(c.baseline);
  c.notes.push(`peak RSS: barfill ${fmtMb(mine)} MB, the engine's own ingest ${fmtMb(theirs)} MB (target: barfill at most the baseline)`);
  if (mine === undefined || theirs === undefined || mine > theirs) c.status = 'BELOW TARGET';
}

function judgeServer(maxRatio: number): (c: CaseResult) => void {
  return (c) => {
    judgeRatio(c, maxRatio);
    judgeRssLimit(c);
  };
}

function judgeEmbedded(maxRatio: number): (c: CaseResult) => void {
  return (c) => {
    judgeRatio(c, maxRatio);
    judgeRssBaseline(c);
  };
}

async function versions(logDir: string): Promise<Record<string, string>> {
  const v: Record<string, string> = { node: process.version };
  const chdb = await runMeasured({ label: 'chdb-version', command: process.execPath, args: [CHDB_TOOL, 'version'], logDir });
  v['chDB engine'] = chdb.exitCode === 0 ? chdb.stdout.trim() : 'unavailable';
  v['ClickHouse server'] = (await chPing()) ? (await chQuery('SELECT version()').catch(() => '?')).trim() : 'not running';
  v['PostgreSQL'] = await psql(pgAdminUrl(), 'SHOW server_version', logDir).catch(() => 'unavailable');
  return v;
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const started = new Date();
  const runDir = await mkdtemp(TMP_PREFIX);
  const logDir = path.join(runDir, 'logs');
  const workDir = path.join(runDir, 'work');
  await mkdir(workDir, { recursive: true });
  const ctx: BenchContext = { smoke: opts.smoke, runs: opts.runs, batchSize: undefined, logDir, workDir };
  const tuned: BenchContext = { ...ctx, batchSize: opts.tunedBatchSize };
  const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);
  log(`mode ${opts.smoke ? 'smoke' : 'full'}, ${opts.runs} run(s) per side, cache ${cacheDir()}, logs ${logDir}`);
  if (!hasGnuTime()) log('warning: /usr/bin/time missing (apt-get install -y time); peak RSS is polled from /proc/PID/status VmHWM');

  const sizes = opts.smoke
    ? { parquet: 200_000, parquetBig: 800_000, months: 3, csvTickers: 4, csvRows: 20_000 }
    : { parquet: 5_000_000, parquetBig: 20_000_000, months: 36, csvTickers: 20, csvRows: 250_000 };
  const fmp: ConcurrentSpec = opts.smoke
    ? { tickers: 200, fromDate: '2024-01-01', toDate: '2024-01-05', threads: 8, rateLimitPerMinute: 3000, latencyMs: 50 }
    : { tickers: 200, fromDate: '2024-01-01', toDate: '2024-03-15', threads: 8, rateLimitPerMinute: 3000, latencyMs: 50 };

  const results: CaseResult[] = [];
  const profiles: string[] = [];
  let crashed = false;
  const runCase = async (c: CaseResult, fn: () => Promise<void>, judge: (c: CaseResult) => void): Promise<void> => {
    results.push(c);
    log(`case ${c.id}: ${c.title}`);
    try {
      await fn();
      judge(c);
    } catch (err) {
      crashed = true;
      c.status = 'ERROR';
      c.error = err instanceof Error ? err.message : String(err);
      log(`case ${c.id} ERROR: ${c.error}`);
    }
    log(`case ${c.id}: ${c.status}${c.ratio === undefined ? '' : ` ratio ${c.ratio.toFixed(2)}`}`);
  };
  const skip = (c: CaseResult, why: string): void => {
    c.status = 'SKIPPED';
    c.notes.push(why);
    results.push(c);
    log(`case ${c.id}: SKIPPED: ${why}`);
  };

  let server: Awaited<ReturnType<typeof ensureClickHouseServer>>;
  let versionInfo: Record<string, string>;
  try {
    log('preparing data sets (cached)');
    const pq = await binanceParquet(sizes.parquet);
    const csv = await csvDirectory(sizes.csvTickers, sizes.csvRows);
    const monthly = await binanceMonthly(sizes.months);
    log(`data: ${pq.input} (${pq.generatedMs > 2000 ? `generated in ${fmtSec(pq.generatedMs)} s` : 'cached'}), ${monthly.input}, ${csv.dir}`);

    const embeddedTitle = (what: string): string => `backfill-1m into chDB, ${what} vs INSERT ... SELECT FROM file(Parquet) in chDB`;
    const serverTitle = (what: string): string => `backfill-1m into clickhouse-server over HTTP, ${what} vs curl of pre-encoded RowBinary`;
    const tunedFlag = `--batch-size ${opts.tunedBatchSize}`;
    if (opts.cases.has('embedded')) {
      const c = newCase('backfill-1m embedded', embeddedTitle('default flags'), pq.rows, '<= 1.3');
      await runCase(c, () => backfillEmbedded(ctx, pq, c, true), judgeEmbedded(1.3));
    }
    if (opts.cases.has('monthly-embedded')) {
      const c = newCase('backfill-1m embedded, monthly files', embeddedTitle(`${sizes.months} monthly files (a directory), default flags; baseline file() with a glob`), monthly.rows, '<= 1.3');
      await runCase(c, () => backfillEmbedded(ctx, monthly, c, true), judgeEmbedded(1.3));
    }
    if (opts.cases.has('embedded-tuned')) {
      const c = newCase('backfill-1m embedded, tuned', embeddedTitle(tunedFlag), pq.rows, '<= 1.3');
      await runCase(c, () => backfillEmbedded(tuned, pq, c, true), judgeEmbedded(1.3));
    }
    const serverCases = (['server', 'monthly-server', 'server-tuned'] as const).filter((id) => opts.cases.has(id));
    if (serverCases.length > 0) server = await ensureClickHouseServer(logDir);
    if (server?.started === true) log(`started clickhouse-server in ${server.dir ?? '?'} (stopped at the end)`);
    const onServer = async (c: CaseResult, fn: () => Promise<void>): Promise<void> => {
      if (server === undefined) skip(c, 'no ClickHouse server on 127.0.0.1:8123 and none could be started');
      else await runCase(c, fn, judgeServer(1.3));
    };
    if (opts.cases.has('server')) {
      const c = newCase('backfill-1m server', serverTitle('default flags'), pq.rows, '<= 1.3');
      await onServer(c, () => backfillServer(ctx, pq, c));
    }
    if (opts.cases.has('monthly-server')) {
      const c = newCase('backfill-1m server, monthly files', serverTitle(`${sizes.months} monthly files (a directory), default flags; baseline one curl per file`), monthly.rows, '<= 1.3');
      await onServer(c, () => backfillServer(ctx, monthly, c));
    }
    if (opts.cases.has('server-tuned')) {
      const c = newCase('backfill-1m server, tuned', serverTitle(tunedFlag), pq.rows, '<= 1.3');
      await onServer(c, () => backfillServer(tuned, pq, c));
    }
    const pgOk = opts.cases.has('csv-fail') || opts.cases.has('csv-ignore') ? await pgAvailable(logDir) : false;
    if (opts.cases.has('csv-fail')) {
      const c = newCase('inject-csv fail', `inject-csv ${csv.tickers} files, --on-conflict fail, empty table vs psql \\copy`, csv.rows, '<= 1.0');
      if (!pgOk) skip(c, `PostgreSQL not reachable at ${pgAdminUrl()}`);
      else await runCase(c, () => injectCsv(ctx, csv, 'fail', 2, c), judgeServer(1.0));
    }
    if (opts.cases.has('csv-ignore')) {
      const c = newCase('inject-csv ignore', `inject-csv rerun, --on-conflict ignore, every row present vs psql \\copy to temp + INSERT ON CONFLICT DO NOTHING`, csv.rows, '<= 1.1');
      if (!pgOk) skip(c, `PostgreSQL not reachable at ${pgAdminUrl()}`);
      else await runCase(c, () => injectCsv(ctx, csv, 'ignore', 2, c), judgeServer(1.1));
    }
    if (opts.cases.has('csv-pglite')) {
      const c = newCase('inject-csv embedded PGlite', `inject-csv ${csv.tickers} files into PGlite, default flags, vs PGlite's own COPY FROM '/dev/blob' of each file in one process`, csv.rows, '<= 1.5');
      await runCase(c, () => injectCsvPglite(ctx, csv, c), judgeEmbedded(1.5));
    }
    if (opts.cases.has('concurrent')) {
      const c = newCase('concurrent fake FMP', `concurrent ${fmp.tickers} tickers ${fmp.fromDate}..${fmp.toDate} 1min, --threads ${fmp.threads}, --dry-run, fake FMP latency ${fmp.latencyMs} ms, ${fmp.rateLimitPerMinute}/min`, 0, '>= 90 % of rate, <= 1 x 429, 0 lost');
      await runCase(c, () => concurrentFmp(ctx, fmp, c), (x) => {
        const rates = (x as { rates?: number[] }).rates ?? [];
        const sorted = [...rates].sort((a, b) => a - b);
        const med = sorted[Math.floor(sorted.length / 2)] ?? 0;
        x.notes.push(`median request rate ${med.toFixed(1)} % of allowed`);
        const r429 = (x as { rateLimited?: number }).rateLimited ?? 0;
        if (med < 90 || r429 > 1) x.status = 'BELOW TARGET';
        judgeRssLimit(x);
      });
    }
    if (opts.cases.has('scaling') && !opts.smoke) {
      const c = newCase('backfill-1m embedded 20M', 'backfill-1m into chDB, 20M rows (scaling vs 5M)', sizes.parquetBig, 'time x3.6..4.4, RSS +-10 % of 5M');
      // Like with like: 5M and 20M barfill runs alternate here, both without a baseline run between them
      // (in the 5M case each barfill run follows or precedes chDB's own 1.5 GB ingest).
      const small = newCase('backfill-1m embedded 5M (scaling)', 'scaling reference', pq.rows, '-');
      await runCase(
        c,
        async () => {
          const big = await binanceParquet(sizes.parquetBig);
          for (let i = 0; i < ctx.runs; i++) {
            await backfillEmbedded({ ...ctx, runs: 1 }, pq, small, false);
            await backfillEmbedded({ ...ctx, runs: 1 }, big, c, false);
          }
        },
        (x) => {
          const tr = medianWall(x.barfill) / medianWall(small.barfill);
          const r5 = maxRss(small.barfill);
          const r20 = maxRss(x.barfill);
          const rr = r5 === undefined || r20 === undefined ? NaN : r20 / r5;
          x.notes.push(
            `5M runs alternating with these (no baseline between): ${small.barfill.map((b) => fmtSec(b.wallMs)).join(', ')} s, peak RSS ${small.barfill.map((b) => fmtMb(b.peakRssBytes)).join(', ')} MB`,
          );
          x.notes.push(`20M/5M wall-time ratio ${tr.toFixed(2)} (target 3.6..4.4); 20M/5M peak RSS ratio ${rr.toFixed(2)} (target 0.9..1.1)`);
          if (!(tr >= 3.6 && tr <= 4.4) || !(rr >= 0.9 && rr <= 1.1)) x.status = 'BELOW TARGET';
        },
      );
    } else if (opts.cases.has('scaling')) {
      log('case scaling (20M rows) runs in full mode only');
    }
    // One more barfill run per case with a CPU profile (not counted in the table): where its main thread spends the run.
    // Smoke mode profiles the embedded case only, so that the pass cannot rot.
    log('profile pass: one profiled barfill run per case (not counted)');
    const passes: [string, (c: CaseResult, one: BenchContext) => Promise<void>][] = [
      ['backfill-1m embedded', (c, one) => backfillEmbedded(one, pq, c, false)],
      ...(opts.smoke
        ? []
        : ([
            ['backfill-1m server', (c, one) => backfillServer(one, pq, c)],
            ['inject-csv fail', (c, one) => injectCsv(one, csv, 'fail', 2, c)],
            ['inject-csv ignore', (c, one) => injectCsv(one, csv, 'ignore', 2, c)],
            ['concurrent fake FMP', (c, one) => concurrentFmp(one, fmp, c)],
          ] as [string, (c: CaseResult, one: BenchContext) => Promise<void>][])),
    ];
    for (const [id, fn] of passes) {
      const done = results.find((r) => r.id === id);
      if (done === undefined || done.status === 'ERROR' || done.status === 'SKIPPED') continue;
      const dir = path.join(runDir, 'profiles', id.replace(/\W+/g, '-'));
      await mkdir(dir, { recursive: true });
      setProfileDir(dir);
      try {
        await fn(newCase(id, 'profile pass', 0, '-'), { ...ctx, runs: 1 });
        const summary = await summarizeProfiles(dir);
        profiles.push(summary === undefined ? `${id}: no profile was written` : describeProfile(id, summary));
      } catch (err) {
        crashed = true;
        profiles.push(`${id}: the profiled run failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        setProfileDir(undefined);
      }
    }
    versionInfo = await versions(logDir);
  } finally {
    if (server?.started === true) await server.stop();
    await rm(workDir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- output
  const rows = results.map(tableRow);
  const argv = process.argv.slice(2);
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  process.stdout.write(`\n${textTable(TABLE_HEADER, rows)}\n\n`);
  for (const c of results) {
    for (const n of c.notes) process.stdout.write(`${c.id}: ${n}\n`);
    if (c.error !== undefined) process.stdout.write(`${c.id}: ERROR: ${c.error}\n`);
  }
  const breakdown = whereTheTimeGoes(results);
  process.stdout.write(`\nwhere the time goes:\n${breakdown.map((l) => `- ${l}`).join('\n')}\n`);
  process.stdout.write(`\nwhere barfill's main thread spends it (one profiled run per case):\n${profiles.map((l) => `- ${l}`).join('\n')}\n`);
  if (!opts.smoke || opts.write) {
    const md = renderMarkdown({ started, command, opts, versionInfo, results, breakdown, profiles });
    await writeFile(path.join(REPO, 'docs', 'benchmarks.md'), md);
    log('wrote docs/benchmarks.md');
  }
  if (!opts.keepLogs && !crashed) await rm(runDir, { recursive: true, force: true });
  else log(`logs kept in ${logDir}`);
  return crashed ? 1 : 0;
}

/** Facts from the measurements: process start-up and setup vs barfill's own reported work. */
function whereTheTimeGoes(results: readonly CaseResult[]): string[] {
  const out: string[] = [];
  for (const c of results) {
    const internal = c.barfill.map((s) => s.internalMs).filter((x): x is number => x !== undefined);
    if (c.barfill.length === 0) continue;
    const wall = medianWall(c.barfill);
    if (internal.length > 0) {
      const sorted = [...internal].sort((a, b) => a - b);
      const mid = sorted[Math.floor(sorted.length / 2)]!;
      out.push(
        `${c.id}: wall ${fmtSec(wall)} s, of which ${fmtSec(mid)} s is the work barfill reports (read + validate + write), ${fmtSec(wall - mid)} s process start-up, module loading, store opening and migrations${c.baseline.length > 0 ? `; the baseline takes ${fmtSec(medianWall(c.baseline))} s end to end` : ''}`,
      );
    } else {
      out.push(`${c.id}: wall ${fmtSec(wall)} s (barfill reported no internal timing)`);
    }
  }
  return out;
}

function renderMarkdown(x: {
  started: Date;
  command: string;
  opts: Options;
  versionInfo: Record<string, string>;
  results: readonly CaseResult[];
  breakdown: readonly string[];
  profiles: readonly string[];
}): string {
  const cpus = os.cpus();
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push('Generated by `bench/run.ts` (`npm run build && npm run bench`); do not edit by hand: rerun the command.', '');
  lines.push(`- Date: ${x.started.toISOString()}`);
  lines.push(`- Mode: ${x.opts.smoke ? 'smoke (small data)' : 'full'}; ${x.opts.runs} run(s) per side, alternating barfill and baseline, fresh tables/databases every run; barfill's default flags except the rows marked tuned (\`--batch-size ${x.opts.tunedBatchSize}\`)`);
  lines.push(`- Machine: ${cpus.length} cores (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`);
  lines.push(`- Versions: ${Object.entries(x.versionInfo).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`- Command: \`${x.command}\``);
  lines.push(`- Inputs: deterministic, generated with DuckDB into \`BARFILL_BENCH_CACHE\` (default \`$TMPDIR/barfill-bench-cache\`) and reused`, '');
  lines.push('Wall times are medians of whole processes (node start-up included, for barfill and for the chDB baseline alike). Peak RSS is the barfill process\'s "Maximum resident set size" from `/usr/bin/time -v`. ratio = barfill / baseline; a ratio above the target is BELOW TARGET, and so is a peak RSS above 512 MB where the engine is a server, or above the engine\'s own ingest\'s peak where it is embedded (the engine runs inside barfill\'s process there).', '');
  lines.push(markdownTable(TABLE_HEADER, x.results.map(tableRow)), '');
  lines.push('## Cases', '');
  for (const c of x.results) {
    lines.push(`### ${c.id} (${c.status})`, '', c.title, '');
    lines.push(`- barfill runs (s): ${c.barfill.map((s) => fmtSec(s.wallMs)).join(', ') || '-'}; peak RSS (MB): ${c.barfill.map((s) => fmtMb(s.peakRssBytes)).join(', ') || '-'}`);
    if (c.baseline.length > 0) lines.push(`- baseline runs (s): ${c.baseline.map((s) => fmtSec(s.wallMs)).join(', ')}; peak RSS (MB): ${c.baseline.map((s) => fmtMb(s.peakRssBytes)).join(', ')}`);
    for (const n of c.notes) lines.push(`- ${n}`);
    if (c.error !== undefined) lines.push(`- ERROR: ${c.error.split('\n').join(' / ')}`);
    lines.push('');
  }
  lines.push('## Baselines', '');
  lines.push('- backfill-1m embedded: a separate node process opens the same chDB store after `barfill migrate clickhouse` and runs one `INSERT INTO market_data.raw_binance_klines_1m (...) SELECT ... FROM file(<parquet>, Parquet)` with the writer\'s column mapping (constant market id, symbol and instrument key, `open_time` ms to DateTime, Nullable optional columns); the materialized view fills the canonical table as for barfill.');
  lines.push('- backfill-1m server: the same rows encoded once as RowBinary (by chDB, untimed), then `curl --data-binary @file \'.../?query=INSERT INTO db.raw_binance_klines_1m (...) FORMAT RowBinary\'` into a database migrated by barfill; for the monthly files, one such curl per file, one after the other, their times added.');
  lines.push('- backfill-1m embedded, monthly files: the same `INSERT ... SELECT FROM file(<dir>/*.parquet, Parquet)`, one statement over the glob.');
  lines.push("- inject-csv embedded PGlite: a separate node process opens the store after `barfill migrate postgres` and runs PGlite's `COPY market_data (...) FROM '/dev/blob' (FORMAT csv, HEADER)` with each file as the blob, one after the other.");
  lines.push('- inject-csv fail: `psql` `\\copy market_data(ticker,...,volume) FROM file (FORMAT csv, HEADER)` per file, with `source` defaulting to barfill\'s constant `csv`; run sequentially and with 2 psql processes, the faster counts.');
  lines.push('- inject-csv ignore: all rows preloaded (untimed), then per file `BEGIN; CREATE TEMP TABLE ... ON COMMIT DROP; \\copy` into it`; INSERT ... ON CONFLICT DO NOTHING; COMMIT`, sequential and 2 in parallel, the faster counts.');
  lines.push('- concurrent: no baseline; the request rate is the 200-answers over the barfill process\'s wall time, against the fake FMP\'s limit; bars are compared with the fake\'s deterministic data.', '');
  lines.push('## Where the time goes', '');
  for (const l of x.breakdown) lines.push(`- ${l}`);
  lines.push('');
  lines.push(
    "Inside barfill, from a CPU profile (`node --cpu-prof`) of one more run per case, not counted above: idle is the main thread waiting for the database's answer (the insert itself runs in the server, or in chDB's own threads), the network or the disk; the functions are barfill's (under `dist/`), its drivers' or node's own (in parentheses: native work such as writing to a socket).",
    '',
  );
  for (const l of x.profiles) lines.push(`- ${l}`);
  lines.push('');
  return lines.join('\n');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

export { CLI };
