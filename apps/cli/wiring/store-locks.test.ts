import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/kernel/errors.js';
import { lockTimeoutMs } from './store-locks.js';

describe('BARFILL_LOCK_TIMEOUT', () => {
  it('is 0 (fail at once) when unset or empty, else seconds to wait', () => {
    expect(lockTimeoutMs({})).toBe(0);
    expect(lockTimeoutMs({ BARFILL_LOCK_TIMEOUT: ' ' })).toBe(0);
    expect(lockTimeoutMs({ BARFILL_LOCK_TIMEOUT: '30' })).toBe(30_000);
    expect(lockTimeoutMs({ BARFILL_LOCK_TIMEOUT: '0.25' })).toBe(250);
  });
  it('rejects what is not a number of seconds, as a configuration error naming the variable', () => {
    for (const bad of ['-1', 'ten', '1e3', '604801']) {
      expect(() => lockTimeoutMs({ BARFILL_LOCK_TIMEOUT: bad })).toThrow(ConfigError);
      expect(() => lockTimeoutMs({ BARFILL_LOCK_TIMEOUT: bad })).toThrow(/^BARFILL_LOCK_TIMEOUT: expected seconds/);
    }
  });
});
