import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/kernel/errors.js';
import { parseClickHouseEnv } from './clickhouse.js';

describe('parseClickHouseEnv', () => {
  it('without CH_HOST: the embedded store under BARFILL_HOME, database market_data', () => {
    expect(parseClickHouseEnv({}, '/data/home')).toEqual({ kind: 'embedded', path: path.resolve('/data/home/clickhouse'), database: 'market_data' });
    expect(parseClickHouseEnv({ CH_HOST: '  ', CH_DATABASE: 'md2' }, 'rel')).toEqual({
      kind: 'embedded',
      path: path.resolve('rel', 'clickhouse'),
      database: 'md2',
    });
  });

  it('with CH_HOST: a server, http on 8123 by default, https on 8443 when secure', () => {
    expect(parseClickHouseEnv({ CH_HOST: 'ch.example' }, '/h')).toEqual({
      kind: 'server',
      url: 'http://ch.example:8123',
      username: 'default',
      password: '',
      database: 'market_data',
      secure: false,
      verify: true,
    });
    const s = parseClickHouseEnv({ CH_HOST: 'ch.example', CH_SECURE: 'true', CH_VERIFY: '0', CH_USER: 'u', CH_PASSWORD: 'p w' }, '/h');
    expect(s).toMatchObject({ url: 'https://ch.example:8443', username: 'u', password: 'p w', secure: true, verify: false });
    expect(parseClickHouseEnv({ CH_HOST: '::1', CH_PORT: '9123', CH_SECURE: '0' }, '/h')).toMatchObject({ url: 'http://[::1]:9123' });
  });

  it('refuses bad values with a ConfigError naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ CH_HOST: 'h', CH_PORT: 'eighty' }, /^CH_PORT:/],
      [{ CH_HOST: 'h', CH_PORT: '70000' }, /^CH_PORT:/],
      [{ CH_HOST: 'h', CH_SECURE: 'yes' }, /^CH_SECURE:/],
      [{ CH_HOST: 'h', CH_VERIFY: 'nope' }, /^CH_VERIFY:/],
      [{ CH_HOST: 'https://h:8443' }, /^CH_HOST:/],
      [{ CH_DATABASE: 'market-data' }, /^CH_DATABASE:/],
    ];
    for (const [env, message] of bad) {
      expect(() => parseClickHouseEnv(env, '/h')).toThrow(ConfigError);
      expect(() => parseClickHouseEnv(env, '/h')).toThrow(message);
    }
  });

  it('never puts the password in the URL', () => {
    const s = parseClickHouseEnv({ CH_HOST: 'h', CH_PASSWORD: 'sekret' }, '/h');
    expect(s.kind === 'server' ? s.url : '').not.toContain('sekret');
  });
});
