/**
 * On a terminal, the live progress display: the CLI runs under `script` (a
 * real pseudo-terminal, from util-linux/bsdutils), so stderr is a TTY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { binPath } from './cli.js';
import { embeddedPg } from './pg-target.js';
import { startFakeFmp, type FakeFmp } from '../../test-support/fake-fmp/server.js';
import { requirePrerequisite } from '../../test-support/servers.js';

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('progress on a terminal', () => {
  let fake: FakeFmp;
  beforeAll(async () => {
    fake = await startFakeFmp({ latencyMs: 600 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it.skipIf(!requirePrerequisite('script (util-linux/bsdutils), for a pseudo-terminal', hasScript()))('draws the overall and per-ticker lines, keeps log lines above them, and leaves the summary intact', async () => {
    const env = embeddedPg().env({ FMP_BASE_URL: fake.url, FMP_API_KEY: 'test-key', FMP_RATE_LIMIT: '6000', TERM: 'xterm', COLUMNS: '120' });
    const cmd = [process.execPath, binPath, 'concurrent', '--start', '040324', '--end', '050324', '--interval', '60', '--threads', '2', '--tickers', 'AAPL', 'MSFT', 'NVDA', 'AMD']
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const out = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
      const child = spawn('script', ['-qefc', cmd, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
      child.on('error', reject);
      child.on('close', (code) => { resolve({ code, text }); });
    });
    expect(out.code, out.text).toBe(0);
    expect(out.text).toMatch(/overall \| \d\/4 units \| \d+ rows \| \d+ rows\/s \| ETA/);
    expect(out.text).toMatch(/ {2}(AAPL|MSFT|NVDA|AMD) +\| \d+ rows \| \d+ rows\/s/);
    expect(out.text).toMatch(/\[AAPL\] Inserted in [\d.]+s \(ins=\d+ skip=0\)/);
    expect(out.text).toMatch(/Summary: tickers=4 inserted=\d+ skipped=0 elapsed=/);
    // Not the periodic log lines: those are for a non-terminal.
    expect(out.text).not.toContain('progress: units');
  });
});
