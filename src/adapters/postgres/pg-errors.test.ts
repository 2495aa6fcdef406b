import { describe, expect, it } from 'vitest';
import { SinkError } from '../../kernel/errors.js';
import { batchToCopyText, copyTextEscape } from './copy-text.js';
import { parseDuplicateKey, redact, sqlState, toSinkError } from './pg-errors.js';
import { singleSeriesBatch } from '../../application/bar-batch.js';

function pgError(fields: Record<string, string>): Error {
  return Object.assign(new Error(fields['message'] ?? 'boom'), fields);
}

describe('toSinkError', () => {
  it('maps a unique violation to 23505 with the first conflicting key', () => {
    const err = pgError({
      message: 'duplicate key value violates unique constraint "market_data_bar_key"',
      code: '23505',
      detail: 'Key (ticker, interval_minutes, "timestamp")=(AAPL, 1, 2024-03-08 14:30:00+00) already exists.',
    });
    const e = toSinkError(err, 'cannot commit');
    expect(e).toBeInstanceOf(SinkError);
    expect(e.dbCode).toBe('23505');
    expect(e.message).toContain('SQLSTATE 23505');
    expect(e.message).toContain('ticker=AAPL, interval_minutes=1, timestamp=2024-03-08 14:30:00+00');
    expect(e.cause).toBe(err);
  });

  it('keeps other SQLSTATEs and leaves dbCode unset for Node errors', () => {
    expect(toSinkError(pgError({ code: '3D000', message: 'database "x" does not exist' }), 'connect').message).toBe(
      'connect: SQLSTATE 3D000 invalid_catalog_name: database "x" does not exist',
    );
    const e = toSinkError(pgError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }), 'connect');
    expect(e.dbCode).toBeUndefined();
    expect(sqlState(pgError({ code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('does not take a five-letter Node errno (EPIPE) for a SQLSTATE, and retries it', () => {
    const err = pgError({ code: 'EPIPE', message: 'write EPIPE' });
    expect(sqlState(err)).toBeUndefined();
    const e = toSinkError(err, 'cannot write bars');
    expect(e.dbCode).toBeUndefined();
    expect(e.transient).toBe(true);
    expect(e.message).toBe('cannot write bars: write EPIPE');
    expect(sqlState(pgError({ code: 'XX000' }))).toBe('XX000');
    expect(sqlState(pgError({ code: 'P0001' }))).toBe('P0001');
  });

  it('never carries a secret, plain or URL-encoded', () => {
    const e = toSinkError(new Error('auth failed for postgres://u:p%40ss%20w@h and p@ss w'), 'x', ['p@ss w']);
    expect(e.message).not.toContain('p@ss w');
    expect(e.message).not.toContain('p%40ss');
    expect(redact('abc', [''])).toBe('abc');
  });

  it('parses duplicate-key details', () => {
    expect(parseDuplicateKey('Key (a)=(1) already exists.')).toEqual({ columns: 'a', values: '1' });
    expect(parseDuplicateKey('something else')).toBeUndefined();
  });
});

describe('COPY text', () => {
  it('escapes and formats numbers in shortest round-trip form', () => {
    expect(copyTextEscape('a\tb\\c\nd\re')).toBe('a\\tb\\\\c\\nd\\re');
    const b = singleSeriesBatch(
      { ticker: 'BRK.B', exchange: 'NYSE', intervalMinutes: 5 },
      {
        timestampMs: Float64Array.of(Date.UTC(2024, 2, 8, 14, 30)),
        open: Float64Array.of(0.1 + 0.2),
        high: Float64Array.of(1e21),
        low: Float64Array.of(0.1),
        close: Float64Array.of(123.456),
        volume: Float64Array.of(42),
      },
    );
    expect(batchToCopyText(b, 'csv')).toBe('BRK.B\tNYSE\t5\t2024-03-08T14:30:00Z\t0.30000000000000004\t1e+21\t0.1\t123.456\t42\tcsv\n');
  });
});
