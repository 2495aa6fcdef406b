import { describe, expect, it } from 'vitest';
import { StderrLogger, redact, secretsFromEnv } from './stderr-logger.js';

describe('StderrLogger', () => {
  it('filters by level and redacts secrets in text and json', () => {
    const lines: string[] = [];
    const log = new StderrLogger({ level: 'info', format: 'json', secrets: ['s3cr3t-key'], write: (l) => lines.push(l), now: () => 0 });
    log.debug('hidden');
    log.info('url https://x/y?symbol=A&apikey=s3cr3t-key', { password: 's3cr3t-key' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('s3cr3t-key');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'info', time: '1970-01-01T00:00:00.000Z' });
  });
  it('redacts URL passwords and apikey parameters even when not registered', () => {
    expect(redact('postgres://u:pw123@h/db', [])).toBe('postgres://u:***@h/db');
    expect(redact('GET /x?apikey=abc&from=1', [])).toBe('GET /x?apikey=***&from=1');
  });
  it('collects secrets from the environment', () => {
    const s = secretsFromEnv({ CH_PASSWORD: 'chpw', FMP_API_KEY: 'fmpkey', DATABASE_URL: 'postgres://u:p%40ss@h/db' });
    expect(s).toEqual(expect.arrayContaining(['chpw', 'fmpkey', 'p@ss']));
  });
});
