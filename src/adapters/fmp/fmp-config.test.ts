import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../kernel/errors.js';
import { parseDotenv, resolveFmpConfig } from './fmp-config.js';

describe('parseDotenv', () => {
  it('reads KEY=VALUE lines with quotes, comments and export', () => {
    const f = parseDotenv(
      [
        '# a comment',
        '',
        'FMP_API_KEY=abc123',
        'export FMP_BASE_URL = "http://127.0.0.1:8089" # local',
        "SINGLE='a # not a comment'",
        'DOUBLE="line\\nnext \\"q\\""',
        'BARE=value # comment',
        'HASH=a#b',
        'not a line',
        'EMPTY=',
      ].join('\r\n'),
    );
    expect(f.values.get('FMP_API_KEY')).toBe('abc123');
    expect(f.values.get('FMP_BASE_URL')).toBe('http://127.0.0.1:8089');
    expect(f.values.get('SINGLE')).toBe('a # not a comment');
    expect(f.values.get('DOUBLE')).toBe('line\nnext "q"');
    expect(f.values.get('BARE')).toBe('value');
    expect(f.values.get('HASH')).toBe('a#b');
    expect(f.values.get('EMPTY')).toBe('');
    expect(f.invalidLines).toEqual([9]);
  });
});

describe('resolveFmpConfig', () => {
  it('takes the environment first, then .env, then defaults', () => {
    const dotenv = parseDotenv('FMP_API_KEY=from-file\nFMP_RATE_LIMIT=750\n');
    expect(resolveFmpConfig({ FMP_API_KEY: 'from-env' }, dotenv)).toEqual({
      apiKey: 'from-env',
      baseUrl: 'https://financialmodelingprep.com',
      requestsPerMinute: 750,
      maxRetries: undefined,
      timeoutMs: undefined,
    });
    const c = resolveFmpConfig({ FMP_API_KEY: '', FMP_MAX_RETRIES: '2', FMP_TIMEOUT_MS: '5000' }, dotenv);
    expect(c.apiKey).toBe('from-file');
    expect(c.maxRetries).toBe(2);
    expect(c.timeoutMs).toBe(5000);
  });

  it('explains how to set a missing key', () => {
    expect(() => resolveFmpConfig({}, undefined, '/w/.env')).toThrow(ConfigError);
    expect(() => resolveFmpConfig({}, undefined, '/w/.env')).toThrow(/FMP_API_KEY.*\/w\/\.env/);
  });

  it('refuses bad numbers and URLs without echoing the key', () => {
    const env = { FMP_API_KEY: 'sekret' };
    for (const bad of ['0', '-5', '12.5', 'fast', '1e3']) {
      expect(() => resolveFmpConfig({ ...env, FMP_RATE_LIMIT: bad }, undefined)).toThrow(/FMP_RATE_LIMIT/);
    }
    expect(() => resolveFmpConfig({ ...env, FMP_MAX_RETRIES: 'x' }, undefined)).toThrow(ConfigError);
    expect(() => resolveFmpConfig({ ...env, FMP_TIMEOUT_MS: '5' }, undefined)).toThrow(ConfigError);
    expect(() => resolveFmpConfig({ ...env, FMP_BASE_URL: 'ftp://x' }, undefined)).toThrow(/FMP_BASE_URL/);
    try {
      resolveFmpConfig({ ...env, FMP_BASE_URL: 'http://x/?apikey=sekret' }, undefined);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain('sekret');
    }
  });
});
