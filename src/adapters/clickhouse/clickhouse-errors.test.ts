import { describe, expect, it } from 'vitest';
import { SinkError, UsageError } from '../../kernel/errors.js';
import { clickHouseErrorCode, toSinkError } from './clickhouse-errors.js';

describe('toSinkError', () => {
  it('takes the code from old (18.x) and new server messages and from chDB errors', () => {
    expect(clickHouseErrorCode(new Error('Code: 81, e.displayText() = DB::Exception: Database x doesn\'t exist'))).toBe('81');
    expect(clickHouseErrorCode(new Error('Code: 60. DB::Exception: Unknown table'))).toBe('60');
    expect(clickHouseErrorCode(Object.assign(new Error('boom'), { clickhouseCode: 241 }))).toBe('241');
    expect(clickHouseErrorCode(Object.assign(new Error('boom'), { code: '516' }))).toBe('516');
    expect(clickHouseErrorCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('wraps with context, keeps the first line only and redacts secrets', () => {
    const e = toSinkError(new Error('Code: 193, e.displayText() = DB::Exception: Wrong password hunter2\nstack...'), 'insert failed', ['hunter2']);
    expect(e).toBeInstanceOf(SinkError);
    expect(e instanceof SinkError ? e.dbCode : null).toBe('193');
    expect(e.message).toBe('insert failed: Code: 193, e.displayText() = DB::Exception: Wrong password ***');
  });

  it('passes barfill errors through', () => {
    const u = new UsageError('x');
    expect(toSinkError(u, 'ctx')).toBe(u);
  });
});
