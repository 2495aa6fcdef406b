import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { embeddedPg } from './pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';

describe('progress when stderr is not a terminal', () => {
  let fake: FakeFmp;
  beforeAll(async () => {
    fake = await startFakeFmp({ latencyMs: 700 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('logs a progress line every --progress-interval seconds; --no-progress turns it off; the summary is unchanged', async () => {
    const tickers = ['AAPL', 'MSFT', 'NVDA', 'AMD'];
    const args = ['specific', '--start', '040324', '--end', '050324', '--interval', '60', '--tickers', ...tickers, '--dry-run', '--summary-json', '-'];
    const env = embeddedPg().env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000' });
    const on = await runCli([...args, '--progress-interval', '1'], { env });
    expect(on.code, on.stderr).toBe(0);
    const lines = on.stderr.split('\n').filter((l) => l.includes('progress: units '));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/progress: units \d\/4, rows \d+ \(\d+ rows\/s\), ETA (\?|\d+[hms]|\d+m\d\ds|\d+s)/);
    const off = await runCli([...args, '--no-progress'], { env });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).not.toContain('progress: ');
    const strip = (s: string): unknown => ({ ...(JSON.parse(s) as Record<string, unknown>), elapsed_ms: 0, elapsed: '', results: [] });
    expect(strip(off.stdout)).toEqual(strip(on.stdout));
  });
});
