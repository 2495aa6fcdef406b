/**
 * Renders a coverage report as one self-contained HTML page: inline style and script, no external resource (its
 * Content-Security-Policy forbids any), openable from disk. Top to bottom: the summary table (sortable), a legend,
 * a calendar heatmap per series (drawn by the inline script from compact JSON: one class code per day plus the
 * day's expected/present/known-empty counts), and the merged gap list of each series.
 */
import { PAGE_SCRIPT, PAGE_STYLE, calendarSize } from './coverage-page-assets.js';
import { checkReport, completeness, dayClass, type CoverageReport, type CoverageSeries, type DayClass } from './coverage-report.js';

/** At most this many gap ranges are listed per series; the rest are counted. */
export const MAX_GAPS_LISTED = 100;
/** A series with more ranges than this shows its list folded. */
const GAPS_SHOWN_OPEN = 20;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML content and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** JSON safe inside a `<script type="application/json">` (no `<`, so no `</script>`; no U+2028/2029). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** `user:password@` removed from any URL in the store's name. */
function withoutCredentials(store: string): string {
  return store.replace(/\/\/[^/@\s]*@/g, '//');
}

const CODES: Readonly<Record<DayClass, string>> = { q0: '0', q1: '1', q2: '2', q3: '3', q4: '4', nt: 'n', ke: 'k' };

/** One character per day: its cell class. */
function dayCodes(s: CoverageSeries, n: number): string {
  const { expected, present, knownEmpty } = s.days;
  let out = '';
  for (let i = 0; i < n; i++) out += CODES[dayClass(expected[i] ?? 0, present[i] ?? 0, knownEmpty[i] ?? 0)];
  return out;
}

/** Run-length pairs `[value, count, value, count, ...]`: expected bars repeat (1440 every day, 390 on weekdays). */
function runLengths(values: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0;
    if (out.length > 0 && out[out.length - 2] === v) out[out.length - 1] = (out[out.length - 1] ?? 0) + 1;
    else out.push(v, 1);
  }
  return out;
}

/** Missing bars per day (mostly 0: short to write). */
function missingOf(s: CoverageSeries, n: number): number[] {
  const { expected, present } = s.days;
  return Array.from({ length: n }, (_, i) => Math.max(0, (expected[i] ?? 0) - (present[i] ?? 0)));
}

/** What the page's script reads: per series the day classes, expected (run-length), missing and known-empty bars. */
function pageData(report: CoverageReport, n: number): unknown {
  const series = report.series.map((s) => ({
    c: dayCodes(s, n),
    e: runLengths(s.days.expected, n),
    m: missingOf(s, n),
    k: Array.from(s.days.knownEmpty, (v) => v),
  }));
  return { from: report.from, n, series };
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (c: number): string => `${(c * 100).toFixed(2)} %`;

function cell(shown: string, value: string | number, cls = ''): string {
  return `<td${cls ? ` class="${cls}"` : ''} data-v="${escapeHtml(String(value))}">${shown}</td>`;
}

function summaryRow(s: CoverageSeries): string {
  const c = completeness(s);
  const missing = Math.max(0, s.expected - s.present);
  return (
    `<tr data-key="${escapeHtml(s.key)}">` +
    cell(escapeHtml(s.label), s.label) +
    cell(s.kind, s.kind, 't') +
    cell(escapeHtml(s.firstBar ?? '—'), s.firstBar ?? '', 't') +
    cell(escapeHtml(s.lastBar ?? '—'), s.lastBar ?? '', 't') +
    cell(fmt(s.rows), s.rows) +
    cell(fmt(s.expected), s.expected) +
    cell(fmt(s.present), s.present) +
    cell(fmt(missing), missing) +
    cell(fmt(s.missingKnownEmpty), s.missingKnownEmpty) +
    cell(pct(c), c) +
    '</tr>'
  );
}

const COLUMNS: readonly [string, 'num' | 'text'][] = [
  ['Instrument', 'text'], ['Kind', 'text'], ['First bar', 'text'], ['Last bar', 'text'], ['Rows', 'num'],
  ['Expected', 'num'], ['Present', 'num'], ['Missing', 'num'], ['Known empty', 'num'], ['Completeness', 'num'],
];

function summaryTable(report: CoverageReport): string {
  const head = COLUMNS.map(([name, type]) => `<th data-type="${type}"${type === 'text' ? ' class="t"' : ''}>${name}</th>`).join('');
  return `<table id="summary"><thead><tr>${head}</tr></thead><tbody>${report.series.map(summaryRow).join('')}</tbody></table>`;
}

const LEGEND: readonly [DayClass, string][] = [
  ['q0', 'no bar (0 %)'], ['q1', 'below 50 %'], ['q2', '50 – 90 %'], ['q3', '90 – 99.9 %'], ['q4', 'complete'],
  ['ke', 'known empty (vendor had no bars)'], ['nt', 'no bar expected (weekend, holiday)'],
];

function legend(): string {
  let x = 0;
  const items = LEGEND.map(([cls, text]) => {
    const item = `<rect class="${cls}" x="${x}" y="2" width="10" height="10"/><text x="${x + 14}" y="11">${escapeHtml(text)}</text>`;
    x += 24 + text.length * 6;
    return item;
  });
  return `<svg class="legend" id="legend" width="${x}" height="16" role="img" aria-label="legend">${items.join('')}</svg>`;
}

/** The hatch of known-empty days, referenced by every calendar (`fill: url(#ke-hatch)`). */
function defs(): string {
  return (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>' +
    '<pattern id="ke-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
    '<rect width="4" height="4" fill="#d9d9d9"/><rect width="1.6" height="4" fill="#555"/></pattern></defs></svg>'
  );
}

function heatmap(report: CoverageReport): (s: CoverageSeries, idx: number) => string {
  const { width, height } = calendarSize(Number(report.from.slice(0, 4)), Number(report.to.slice(0, 4)));
  return (s, idx) =>
    `<section class="series" data-series="${escapeHtml(s.key)}"><h3>${escapeHtml(s.label)} ` +
    `<small>${s.kind}, ${pct(completeness(s))}</small></h3>` +
    `<svg class="cal" data-idx="${idx}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`${s.label} calendar`)}">` +
    '</svg></section>';
}

function gapLine(g: CoverageSeries['gaps'][number]): string {
  const what = g.kind === 'known_empty' ? 'known empty (vendor had no bars)' : 'missing';
  return `<li class="${g.kind}">${what} ${escapeHtml(g.start)} .. ${escapeHtml(g.end)} (${fmt(g.bars)} bars)</li>`;
}

function gapList(s: CoverageSeries): string {
  const listed = s.gaps.slice(0, MAX_GAPS_LISTED);
  const more = s.gaps.length - listed.length;
  const body = s.gaps.length === 0 ? '<p>no gap</p>' : `<ol class="gaps">${listed.map(gapLine).join('')}</ol>`;
  const rest = more > 0 ? `<p class="more">${fmt(more)} more ranges not listed (see barfill gaps)</p>` : '';
  return (
    `<details class="gap-list" data-series="${escapeHtml(s.key)}"${s.gaps.length <= GAPS_SHOWN_OPEN ? ' open' : ''}>` +
    `<summary>${escapeHtml(s.label)} <small>${fmt(s.gaps.length)} ranges</small></summary>${body}${rest}</details>`
  );
}

/** The page for `report`: one string of HTML, with no reference to anything outside it. */
export function renderCoverageHtml(report: CoverageReport): string {
  const n = checkReport(report);
  const title = `barfill coverage ${report.from} .. ${report.to}`;
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>` +
    `<style>${PAGE_STYLE}</style></head><body>${defs()}` +
    `<h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(withoutCredentials(report.store))} · ` +
    `${report.series.length} series · ${n} days · generated ${escapeHtml(report.generatedAt)}</p>` +
    `<h2>Summary</h2>${summaryTable(report)}` +
    `<h2>Calendar</h2>${legend()}${report.series.map(heatmap(report)).join('')}` +
    `<h2>Gaps</h2>${report.series.map(gapList).join('')}` +
    '<div id="tip" role="tooltip"></div>' +
    `<script type="application/json" id="coverage-data">${scriptJson(pageData(report, n))}</script>` +
    `<script>${PAGE_SCRIPT}</script></body></html>\n`
  );
}

