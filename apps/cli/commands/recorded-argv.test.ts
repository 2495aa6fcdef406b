import { describe, expect, it } from 'vitest';
import { recordedArgv } from './recorded-argv.js';

describe('recordedArgv', () => {
  it('makes the path flags absolute against the working directory, in both spellings, and keeps the rest', () => {
    expect(
      recordedArgv(
        ['--parquet', 'a.parquet', '--parquet=dir/b', '--csv-dir', '/abs/csv', '--summary-json', '-', '--reject-file=r.csv', '--symbol', 'BTCUSDT', '--dry-run'],
        '/work/here',
      ),
    ).toEqual(['--parquet', '/work/here/a.parquet', '--parquet=/work/here/dir/b', '--csv-dir', '/abs/csv', '--summary-json', '-', '--reject-file=/work/here/r.csv', '--symbol', 'BTCUSDT', '--dry-run']);
  });
  it('leaves a path flag without a value as it is (the parser reports it)', () => {
    expect(recordedArgv(['--tickers-file', '--dry-run'], '/w')).toEqual(['--tickers-file', '--dry-run']);
    expect(recordedArgv(['--output-filename'], '/w')).toEqual(['--output-filename']);
  });
});
