/**
 * Properties of log-level parsing and secret redaction: `parseLogLevel` gives
 * a level or a UsageError; no registered secret (as given, trimmed,
 * URL-encoded or JSON-escaped) survives `redact` or a logged line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString, onlyTypedErrors } from '../../../test-support/corpus/hostile.js';
import { UsageError } from '../../kernel/errors.js';
import { StderrLogger, parseLogLevel, redact, secretsFromEnv } from './stderr-logger.js';

/** A realistic secret: printable, no '*', long enough to be redacted. */
const secret = fc.string({ unit: 'binary', minLength: 6, maxLength: 30 }).filter((s) => !s.includes('*') && s.trim().length >= 6);

describe('parseLogLevel (property)', () => {
  it('any string: a level or a UsageError naming --log-level', () => {
    fc.assert(
      fc.property(anyString(fc.constantFrom('DEBUG', 'info', 'Warning', 'WARN', 'error')), (s) => {
        const o = onlyTypedErrors(() => parseLogLevel(s));
        if (o.kind === 'value') expect(['debug', 'info', 'warn', 'error']).toContain(o.value);
        else {
          expect(o.error).toBeInstanceOf(UsageError);
          expect(o.error.message.startsWith('--log-level')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('redaction (property)', () => {
  it('a secret from CH_PASSWORD, PGPASSWORD, FMP_API_KEY or DATABASE_URL never appears in a logged line, raw or encoded', () => {
    fc.assert(
      fc.property(secret, fc.constantFrom('CH_PASSWORD', 'PGPASSWORD', 'FMP_API_KEY', 'DATABASE_URL'), fc.string(), fc.string(), (s, variable, before, after) => {
        const env = variable === 'DATABASE_URL' ? { DATABASE_URL: `postgres://u:${encodeURIComponent(s)}@h:5432/db` } : { [variable]: s };
        const lines: string[] = [];
        const log = new StderrLogger({ level: 'debug', format: 'text', secrets: secretsFromEnv(env), write: (l) => lines.push(l), now: () => 0 });
        const jsonLog = new StderrLogger({ level: 'debug', format: 'json', secrets: secretsFromEnv(env), write: (l) => lines.push(l), now: () => 0 });
        for (const l of [log, jsonLog]) {
          l.info(`${before}${s}${after}`, { url: `https://x/?apikey=${encodeURIComponent(s)}&a=1`, raw: s, nested: { k: [s] } });
          l.error(`failed: ${encodeURIComponent(s)} ${before}`);
        }
        const text = lines.join('');
        expect(text.includes(s)).toBe(false);
        expect(text.includes(encodeURIComponent(s))).toBe(false);
        expect(text.includes(JSON.stringify(s).slice(1, -1))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('a DATABASE_URL password with an invalid %-sequence is still redacted (no URIError swallowed it)', () => {
    const s = secretsFromEnv({ DATABASE_URL: 'postgres://u:pa%zzword@h/db' });
    expect(s).toContain('pa%zzword');
    expect(redact('login pa%zzword failed', s)).toBe('login *** failed');
  });

  it('redact of any text with no secrets never throws and is idempotent', () => {
    fc.assert(
      fc.property(anyString(), fc.array(secret, { maxLength: 3 }), (text, secrets) => {
        const once = redact(text, secrets);
        expect(redact(once, secrets)).toBe(once);
        for (const s of secrets) expect(once.includes(s)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
