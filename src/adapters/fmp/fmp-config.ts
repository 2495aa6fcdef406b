/**
 * FMP settings from the environment and a `.env` file (the environment wins).
 *
 * - `FMP_API_KEY` (required)
 * - `FMP_BASE_URL` (default https://financialmodelingprep.com)
 * - `FMP_RATE_LIMIT` requests per minute (default 300; plans allow 300, 750, 3000)
 * - `FMP_MAX_RETRIES` (default 5), `FMP_TIMEOUT_MS` (default 30000)
 */
import { ConfigError } from '../../kernel/errors.js';

export interface FmpConfig {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly requestsPerMinute: number;
  readonly maxRetries: number | undefined;
  readonly timeoutMs: number | undefined;
  /** Most rows the vendor returns per answer (FMP_ROW_CAP, default 5000): windows are sized under it and a full answer is treated as truncated. */
  readonly rowCap: number | undefined;
}

export interface DotenvFile {
  readonly values: ReadonlyMap<string, string>;
  /** 1-based numbers of lines that are neither KEY=VALUE, blank nor a comment (ignored). */
  readonly invalidLines: readonly number[];
}

const KEY_PREFIX = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=/;

/**
 * Reads `KEY=VALUE` lines: `# comments`, blank lines, an optional `export `,
 * values in single quotes (literal), double quotes (`\n`, `\t`, `\"`, `\\`
 * escapes) or bare (a ` #` starts a comment). Later lines win.
 *
 * Linear in the size of the text: no regular expression here can backtrack
 * over a long run of white space (a `.env` line of 100,000 spaces once took
 * seconds).
 */
export function parseDotenv(text: string): DotenvFile {
  const values = new Map<string, string>();
  const invalidLines: number[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) return;
    const m = KEY_PREFIX.exec(line);
    if (m === null) {
      invalidLines.push(i + 1);
      return;
    }
    const key = m[1] ?? '';
    const raw = line.slice(m[0].length).trim();
    let value: string;
    if (raw.startsWith('"') || raw.startsWith("'")) {
      const quote = raw[0] ?? '"';
      let j = 1;
      let out = '';
      let closed = false;
      while (j < raw.length) {
        const c = raw[j] ?? '';
        if (c === quote) {
          closed = true;
          break;
        }
        if (c === '\\' && quote === '"' && j + 1 < raw.length) {
          const e = raw[j + 1] ?? '';
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 2;
          continue;
        }
        out += c;
        j++;
      }
      const rest = raw.slice(j + 1).trimStart();
      if (!closed || (rest !== '' && !rest.startsWith('#'))) {
        invalidLines.push(i + 1);
        return;
      }
      value = out;
    } else {
      const hash = raw.search(/\s#/);
      value = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    }
    values.set(key, value);
  });
  return { values, invalidLines };
}

function intSetting(name: string, text: string, min: number, max: number): number {
  const t = text.trim();
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}: expected a whole number from ${min} to ${max}; got '${t.slice(0, 20)}'`);
  }
  return n;
}

/** Resolves the FMP settings; `dotenv` is the parsed `.env` of the working directory, if there is one. */
export function resolveFmpConfig(
  env: Readonly<Record<string, string | undefined>>,
  dotenv: DotenvFile | undefined,
  dotenvPath = '.env',
): FmpConfig {
  const get = (name: string): string | undefined => {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
    const d = dotenv?.values.get(name);
    return d !== undefined && d.trim() !== '' ? d.trim() : undefined;
  };
  const apiKey = get('FMP_API_KEY');
  if (apiKey === undefined) {
    const skipped =
      dotenv !== undefined && dotenv.invalidLines.length > 0
        ? ` (lines ${dotenv.invalidLines.slice(0, 5).join(', ')} of ${dotenvPath} could not be read)`
        : '';
    throw new ConfigError(
      `FMP_API_KEY is not set: export FMP_API_KEY=<your key>, or put a line FMP_API_KEY=<your key> in ${dotenvPath}${skipped}. ` +
        'Get a key at https://site.financialmodelingprep.com/developer/docs',
    );
  }
  if (/\s/.test(apiKey)) throw new ConfigError('FMP_API_KEY contains white space; check its value');
  const baseUrl = get('FMP_BASE_URL') ?? 'https://financialmodelingprep.com';
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '') {
    throw new ConfigError(`FMP_BASE_URL: expected an http(s) URL without a query such as https://financialmodelingprep.com; got '${baseUrl.replace(/\?.*$/, '?…').slice(0, 100)}'`);
  }
  const rate = get('FMP_RATE_LIMIT');
  const retries = get('FMP_MAX_RETRIES');
  const timeout = get('FMP_TIMEOUT_MS');
  const rowCap = get('FMP_ROW_CAP');
  return {
    apiKey,
    baseUrl,
    requestsPerMinute: rate === undefined ? 300 : intSetting('FMP_RATE_LIMIT (requests per minute)', rate, 1, 100_000),
    maxRetries: retries === undefined ? undefined : intSetting('FMP_MAX_RETRIES', retries, 0, 100),
    timeoutMs: timeout === undefined ? undefined : intSetting('FMP_TIMEOUT_MS', timeout, 100, 3_600_000),
    rowCap: rowCap === undefined ? undefined : intSetting('FMP_ROW_CAP (rows per answer)', rowCap, 10, 1_000_000),
  };
}
