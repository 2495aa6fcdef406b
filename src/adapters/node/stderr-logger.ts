import { UsageError } from '../../kernel/errors.js';
import type { LogFields, Logger, LogLevel } from '../../kernel/logger.js';
import { quoted } from '../../kernel/printable.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface StderrLoggerOptions {
  readonly level: LogLevel;
  /** `text`: `2024-01-01T00:00:00.000Z INFO message key=value`; `json`: one object per line. */
  readonly format: 'text' | 'json';
  /** Values that must never be printed (passwords, API keys): replaced by `***`. */
  readonly secrets: readonly string[];
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

/** Maps the seed's `DEBUG|INFO|WARNING|ERROR` names to levels. */
export function parseLogLevel(name: string): LogLevel {
  switch (name.toUpperCase()) {
    case 'DEBUG':
      return 'debug';
    case 'INFO':
      return 'info';
    case 'WARNING':
    case 'WARN':
      return 'warn';
    case 'ERROR':
      return 'error';
    default:
      throw new UsageError(`--log-level: expected DEBUG, INFO, WARNING or ERROR; got ${quoted(name, 20)}`);
  }
}

/** Replaces every secret, and any `apikey=`/password in URLs, with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 3) continue;
    out = out.split(s).join('***');
    // JSON lines (--report-format json) hold the secret escaped when it has a quote, a backslash or a control character.
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) out = out.split(escaped).join('***');
  }
  out = out.replace(/([?&](?:apikey|api_key|password|token)=)[^&\s"']+/gi, '$1***');
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s/]+@/gi, '$1***@');
  return out;
}

/** The CLI's logger: everything goes to stderr, filtered by level, secrets redacted. */
export class StderrLogger implements Logger {
  private readonly min: number;
  private readonly write: (line: string) => void;
  /** While set (a live terminal display is shown), lines go here instead, printed above the display. */
  private detour: ((line: string) => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly options: StderrLoggerOptions) {
    this.min = ORDER[options.level];
    this.write = options.write ?? ((line) => process.stderr.write(line));
    this.now = options.now ?? Date.now;
  }

  /** Sends log lines through `write` (e.g. a progress display's log) until called with undefined. */
  redirect(write: ((line: string) => void) | undefined): void {
    this.detour = write;
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (ORDER[level] < this.min) return;
    const time = new Date(this.now()).toISOString();
    let line: string;
    if (this.options.format === 'json') {
      line = JSON.stringify({ time, level, msg: message, ...(fields ?? {}) });
    } else {
      const extra =
        fields === undefined || Object.keys(fields).length === 0
          ? ''
          : ` ${Object.entries(fields)
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ')}`;
      line = `${time} ${level === 'warn' ? 'WARNING' : level.toUpperCase()} ${message}${extra}`;
    }
    (this.detour ?? this.write)(`${redact(line, this.options.secrets)}\n`);
  }
}

/** Secret values found in the environment, for redaction. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  const add = (v: string): void => {
    if (v === '') return;
    // As given, URL-encoded (a value in a query string or URL) and, for DATABASE_URL, decoded.
    for (const form of [v, v.trim(), encodeURIComponent(v), encodeURIComponent(v.trim())]) {
      if (form !== '' && !out.includes(form)) out.push(form);
    }
  };
  for (const key of ['CH_PASSWORD', 'FMP_API_KEY', 'PGPASSWORD']) {
    const v = env[key];
    if (v !== undefined) add(v);
  }
  const url = env['DATABASE_URL'];
  if (url !== undefined && url !== '') {
    let p = '';
    try {
      p = new URL(url).password;
    } catch {
      // not a URL: nothing to extract
    }
    if (p !== '') {
      add(p);
      try {
        add(decodeURIComponent(p));
      } catch {
        // an invalid %-sequence: the raw form above is still redacted
      }
    }
  }
  // Longest first: a secret that contains another is replaced whole.
  return out.sort((a, b) => b.length - a.length);
}
