import { describe, expect, it } from 'vitest';
import { redactUrl, scrubSecret } from './redact.js';

describe('redaction', () => {
  it('hides the apikey query parameter wherever it is', () => {
    expect(redactUrl('https://x/stable/historical-chart/1min?symbol=A&from=2024-01-01&to=2024-01-02&apikey=s3cr3t')).toBe(
      'https://x/stable/historical-chart/1min?symbol=A&from=2024-01-01&to=2024-01-02&apikey=***',
    );
    expect(redactUrl('https://x/a?apikey=s3cr3t&symbol=A#f')).toBe('https://x/a?apikey=***&symbol=A#f');
    expect(redactUrl('GET https://x/a?APIKEY=abc failed')).toBe('GET https://x/a?APIKEY=*** failed');
    expect(redactUrl('no key here')).toBe('no key here');
  });

  it('removes literal and URL-encoded secrets from any text', () => {
    const secret = 'ab+c/d=';
    const text = `key ${secret} and ${encodeURIComponent(secret)} and ?apikey=zzz`;
    const out = scrubSecret(text, secret);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).toBe('key *** and *** and ?apikey=***');
    expect(scrubSecret('abc', '')).toBe('abc');
  });
});
