import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './cli.js';

describe('barfill CLI usage (built binary)', () => {
  it('lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['backfill-1m', 'specific', 'concurrent', 'inject-csv', 'migrate', 'query']) expect(r.stdout).toContain(c);
  });

  it.each([
    ['backfill-1m', ['--market-id', '--symbol', '--start', '--end', '--parquet', '--config', '--batch-size', '--read-threads', '--report-format', '--reject-file', 'default: 10000', 'default: 1', 'default: configs/dev/market_data.yaml', 'default: text']],
    ['specific', ['--start', '--end', '--tickers', '--tickers-file', '--exchange', '--interval', '--dry-run', '--output-filename', '--log-level', '--on-conflict', '--summary-json', 'default: NASDAQ', 'default: fail', 'default: INFO']],
    ['concurrent', ['--threads', 'default: 6']],
    ['inject-csv', ['--csv-dir', '--threads', 'default: 5', '--reject-file']],
  ])('%s --help lists every flag with its default', async (cmd, needles) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    for (const n of needles) expect(r.stdout).toContain(n);
  });

  it('takes -h for --help on every command; log levels in any case; a usage error is one line, no stack, even at debug', async () => {
    for (const cmd of ['backfill-1m', 'specific', 'concurrent', 'inject-csv', 'query', 'gaps', 'runs', 'migrate']) {
      const r = await runCli([cmd, '-h']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`barfill ${cmd}`);
    }
    const r = await runCli(['inject-csv', '--log-level', 'debug']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['barfill: inject-csv: missing required flag --csv-dir DIR']);
    const env = cleanEnv({ BARFILL_HOME: tempDir('h') });
    expect((await runCli(['migrate', 'clickhouse'], { env })).code).toBe(0); // query reads an existing store only
    const q = await runCli(['query', 'clickhouse', '--sql', 'SELECT 1', '--log-level', 'Error', '--format', 'CSV'], { env });
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toBe('1\n1\n');
  });

  it.each([
    [['backfill-1m', '--market-id', '5', '--symbol', 'X', '--start', '2024-01-01T00:00:00Z', '--end', '2024-01-02T00:00:00Z', '--parquet', 'x'], /--market-id: expected one of 1, 2, 3, 4/],
    [['backfill-1m', '--market-id', '1', '--symbol', 'X', '--start', '2024-01-01T00:00:00', '--end', '2024-01-02T00:00:00Z', '--parquet', 'x'], /--start: expected a timezone-aware/],
    [['backfill-1m', '--market-id', '1', '--symbol', 'X', '--start', '2024-01-02T00:00:00Z', '--end', '2024-01-01T00:00:00Z', '--parquet', 'x'], /must be before --end/],
    [['backfill-1m', '--market-id', '1'], /missing required flag --symbol/],
    [['backfill-1m', '--bogus'], /unknown flag --bogus/],
    [['backfill-1m', '--market-id', '1', '--symbol', 'X', '--start', '2024-01-01T00:00:00Z', '--end', '2024-01-02T00:00:00Z', '--parquet', 'x', '--batch-size', '0'], /--batch-size/],
    [['backfill-1m', '--market-id', '1', '--symbol', 'X', '--start', '2024-01-01T00:00:00Z', '--end', '2024-01-02T00:00:00Z', '--parquet', 'x', '--read-threads', '0'], /--read-threads: expected an integer from 1 to 64/],
    [['specific', '--start', '050125', '--end', '010125', '--tickers', 'AAPL'], /--start .* is after --end/],
    [['specific', '--start', '010125', '--end', '050125', '--tickers', 'AAPL', 'BAD$'], /invalid ticker 'BAD\$'/],
    [['specific', '--start', '010125', '--end', '050125', '--tickers', 'AAPL', '--interval', '7'], /--interval: expected one of 1, 5, 15, 30, 60/],
    [['concurrent', '--start', '010125', '--end', '050125', '--tickers', 'AAPL', '--threads', '0'], /--threads/],
    [['inject-csv'], /missing required flag --csv-dir/],
    [['migrate', 'mysql'], /<engine> must be one of clickhouse, postgres/],
    [['nope'], /unknown command 'nope'/],
  ])('exits 2 with one clear line: %j', async (args, re) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
