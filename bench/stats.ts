/** Sample bookkeeping and formatting for the benchmark table. */

export interface Sample {
  readonly wallMs: number;
  readonly peakRssBytes: number | undefined;
  /** Time barfill reports for its own work (from its log), when it says. */
  readonly internalMs?: number;
}

export type Status = 'OK' | 'BELOW TARGET' | 'ERROR' | 'SKIPPED';

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly rows: number;
  readonly target: string;
  readonly barfill: Sample[];
  readonly baseline: Sample[];
  /** barfill / baseline of the medians, when there is a baseline. */
  ratio?: number;
  status: Status;
  /** Extra facts (rates, counts, which baseline variant won). */
  readonly notes: string[];
  error?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function medianWall(samples: readonly Sample[]): number {
  return median(samples.map((s) => s.wallMs));
}

export function maxRss(samples: readonly Sample[]): number | undefined {
  const v = samples.map((s) => s.peakRssBytes).filter((x): x is number => x !== undefined);
  return v.length === 0 ? undefined : Math.max(...v);
}

export function fmtSec(ms: number): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-';
}

export function fmtRate(rows: number, ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0 || rows <= 0) return '-';
  const r = rows / (ms / 1000);
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(0)}k` : r.toFixed(0);
}

export function fmtMb(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0);
}

export const TABLE_HEADER = [
  'case',
  'rows',
  'runs',
  'barfill s (median)',
  'barfill rows/s',
  'baseline s (median)',
  'baseline rows/s',
  'ratio',
  'target',
  'barfill peak RSS MB (max)',
  'status',
] as const;

export function tableRow(c: CaseResult): string[] {
  const b = medianWall(c.barfill);
  const n = medianWall(c.baseline);
  return [
    c.id,
    c.rows > 0 ? String(c.rows) : '-',
    `${c.barfill.length}/${c.baseline.length}`,
    fmtSec(b),
    fmtRate(c.rows, b),
    fmtSec(n),
    fmtRate(c.rows, n),
    c.ratio === undefined ? '-' : c.ratio.toFixed(2),
    c.target,
    fmtMb(maxRss(c.barfill)),
    c.status,
  ];
}

export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (v: string): string => v.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
