/**
 * The coverage page in a real browser: Debian's chromium (installed by .ci/run), driven by playwright-core, which
 * downloads nothing. Under BARFILL_REQUIRE_SERVERS=1 a missing /usr/bin/chromium fails this suite.
 *
 * BARFILL_COVERAGE_SCREENSHOT=<path> also writes the sample page's screenshot there (docs/coverage-page.png).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderCoverageHtml } from '../src/adapters/html/coverage-html.js';
import { DAY_FILLS } from '../src/adapters/html/coverage-page-assets.js';
import { dayClass, type CoverageReport, type DayClass } from '../src/adapters/html/coverage-report.js';
import { sampleCoverageReport, type PlantedDay } from '../src/adapters/html/sample-coverage-report.js';
import { requirePrerequisite } from '../test-support/servers.js';

const CHROMIUM = '/usr/bin/chromium';
const run = requirePrerequisite(`Debian's chromium (${CHROMIUM})`, fs.existsSync(CHROMIUM));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Crosses a year boundary and starts and ends inside months.
const FROM = '2023-11-15';
const TO = '2025-02-10';
const DAYS = 454;
const PLANTED: readonly PlantedDay[] = [
  { series: 0, date: '2024-03-05', present: 0 }, // q0
  { series: 0, date: '2024-03-06', present: 500 }, // q1
  { series: 0, date: '2024-03-07', present: 1000 }, // q2
  { series: 0, date: '2024-03-08', present: 1400 }, // q3
  { series: 1, date: '2024-07-03', present: 100 }, // an early close (210 expected): q1
  { series: 1, date: '2024-08-12', present: 0, knownEmpty: 390 }, // ke
  { series: 1, date: '2024-08-13', present: 100, knownEmpty: 100 }, // some holes unknown: q1
  { series: 2, date: '2023-11-15', present: 0 }, // the first day of the range
  { series: 2, date: '2025-02-10', present: 1439 }, // the last
];
const LABELS = ['BTCUSDT', 'AAPL', '<b>X&Y</b>'];

function rgb(hex: string): string {
  const v = (k: number): number => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  return hex.startsWith('#') ? `rgb(${v(0)}, ${v(1)}, ${v(2)})` : hex.replace(/url\((#[^)]*)\)/, 'url("$1")');
}
const FILL_CLASS = new Map(Object.entries(DAY_FILLS).map(([cls, fill]) => [rgb(fill), cls]));

/** The class each day of a series must be drawn with, from the report's stored numbers. */
function storedClasses(report: CoverageReport, idx: number): DayClass[] {
  const { expected, present, knownEmpty } = report.series[idx]!.days;
  return Array.from({ length: DAYS }, (_, i) => dayClass(expected[i]!, present[i]!, knownEmpty[i]!));
}

/** Runs `expression` in the page (the project has no DOM types: browser code is written as strings). */
function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/** For every calendar, `expr` of each of its day cells `r`, in day order. */
function perCell(expr: string): string {
  return `Array.from(document.querySelectorAll('svg.cal'), (s) => Array.from(s.querySelectorAll('rect[data-date]'), (r) => ${expr}))`;
}

function cellAt(idx: number, date: string): string {
  return `document.querySelector('svg.cal[data-idx="${idx}"] rect[data-date="${date}"]')`;
}

function fillAt(page: Page, idx: number, date: string): Promise<string> {
  return inPage<string>(page, `getComputedStyle(${cellAt(idx, date)}).fill`);
}

interface PngStats {
  readonly colours: number;
  readonly painted: number;
  readonly width: number;
}

/** Decodes a PNG (base64) in a blank page: its width, how many colours it has and the share of non-white pixels. */
const PNG_STATS = `async (b64) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + b64;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  const colours = new Set();
  let painted = 0;
  for (let i = 0; i < px.length; i += 4) {
    colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    if (px[i] + px[i + 1] + px[i + 2] < 720) painted++;
  }
  return { colours: colours.size, painted: painted / (px.length / 4), width: img.width };
}`;

interface Loaded {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
  readonly url: string;
}

describe.runIf(run)('coverage page in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  const report = sampleCoverageReport({ from: FROM, to: TO, labels: LABELS, kinds: ['crypto', 'equities', 'crypto'], planted: PLANTED });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'barfill-coverage-page-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function load(r: CoverageReport, name: string, viewport = { width: 1100, height: 900 }): Promise<Loaded> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, renderCoverageHtml(r));
    const page = await browser.newPage({ viewport });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(file).href;
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]');
    return { page, requests, errors, url };
  }

  /** Scrolls every calendar into view and waits until each is drawn. */
  async function drawAll(page: Page): Promise<void> {
    const n = await page.locator('svg.cal').count();
    for (let i = 0; i < n; i++) await page.locator('svg.cal').nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction(`document.querySelectorAll('svg.cal[data-drawn]').length === ${n}`);
  }

  let sample: Loaded;
  beforeAll(async () => {
    sample = await load(report, 'sample.html');
    await drawAll(sample.page);
  });

  it('draws one cell per day of the range for every series, weeks as columns and weekdays as rows', async () => {
    const perSeries = await inPage<string[][]>(sample.page, perCell("r.getAttribute('data-date')"));
    expect(perSeries).toHaveLength(LABELS.length);
    for (const dates of perSeries) {
      expect(dates).toHaveLength(DAYS);
      expect(new Set(dates).size).toBe(DAYS);
      expect(dates[0]).toBe(FROM);
      expect(dates.at(-1)).toBe(TO);
    }
    const at = (date: string) => inPage<number[]>(sample.page, `(r => [Number(r.getAttribute('x')), Number(r.getAttribute('y'))])(${cellAt(0, date)})`);
    const [monday, sunday, nextMonday] = [await at('2024-03-04'), await at('2024-03-10'), await at('2024-03-11')];
    expect(sunday[0]).toBe(monday[0]); // one week, one column
    expect(sunday[1]! - monday[1]!).toBe(6 * 12); // Monday on top, Sunday at the bottom
    expect(nextMonday[0]! - monday[0]!).toBe(12);
    expect(nextMonday[1]).toBe(monday[1]);
  });

  it('colours every cell from the stored completeness: planted holes, known-empty and non-trading days', async () => {
    const fills = await inPage<string[][]>(sample.page, perCell('getComputedStyle(r).fill'));
    fills.forEach((f, idx) => {
      expect(f.map((c) => FILL_CLASS.get(c) ?? c)).toEqual(storedClasses(report, idx));
    });
    const cls = (idx: number, date: string) => fillAt(sample.page, idx, date);
    expect(await cls(0, '2024-03-05')).toBe(rgb(DAY_FILLS.q0));
    expect(await cls(0, '2024-03-06')).toBe(rgb(DAY_FILLS.q1));
    expect(await cls(0, '2024-03-07')).toBe(rgb(DAY_FILLS.q2));
    expect(await cls(0, '2024-03-08')).toBe(rgb(DAY_FILLS.q3));
    expect(await cls(0, '2024-03-09')).toBe(rgb(DAY_FILLS.q4));
    expect(await cls(1, '2024-07-03')).toBe(rgb(DAY_FILLS.q1));
    expect(await cls(1, '2024-07-04')).toBe(rgb(DAY_FILLS.nt)); // Independence Day
    expect(await cls(1, '2024-07-06')).toBe(rgb(DAY_FILLS.nt)); // a Saturday
    expect(await cls(1, '2024-08-12')).toBe(rgb(DAY_FILLS.ke));
    expect(await cls(1, '2024-08-13')).toBe(rgb(DAY_FILLS.q1));
    expect(await cls(2, FROM)).toBe(rgb(DAY_FILLS.q0));
    expect(await cls(2, TO)).toBe(rgb(DAY_FILLS.q3));
    expect(await sample.page.locator('#legend rect').count()).toBe(Object.keys(DAY_FILLS).length);
  });

  it("hovering a cell shows its date, expected, present and missing bars (tooltip and the cell's title)", async () => {
    const cell = sample.page.locator('svg.cal[data-idx="0"] rect[data-date="2024-03-06"]');
    await cell.hover();
    const tip = sample.page.locator('#tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = '2024-03-06\nexpected 1440, present 500, missing 940';
    expect(await tip.textContent()).toBe(text);
    expect(await cell.locator('title').textContent()).toBe(text);
    const ke = sample.page.locator('svg.cal[data-idx="1"] rect[data-date="2024-08-13"]');
    await ke.hover();
    expect(await tip.textContent()).toBe('2024-08-13\nexpected 390, present 100, missing 290 (100 known empty)');
  });

  it("shows the summary table's numbers, and sorts it when a header is clicked", async () => {
    const rows = () => inPage<string[][]>(sample.page, "Array.from(document.querySelectorAll('#summary tbody tr'), (tr) => Array.from(tr.cells, (td) => td.textContent))");
    const expected = report.series.map((s) => {
      const pct = `${((s.present / s.expected) * 100).toFixed(2)} %`;
      const n = (v: number) => v.toLocaleString('en-US');
      return [s.label, s.kind, s.firstBar, s.lastBar, n(s.rows), n(s.expected), n(s.present), n(s.expected - s.present), n(s.missingKnownEmpty), pct];
    });
    expect(await rows()).toEqual(expected);
    expect(expected[0]![5]).toBe((DAYS * 1440).toLocaleString('en-US'));
    expect(expected[0]![7]).toBe((1440 + 940 + 440 + 40).toLocaleString('en-US'));

    const keys = () => inPage<string[]>(sample.page, "Array.from(document.querySelectorAll('#summary tbody tr'), (tr) => tr.getAttribute('data-key'))");
    const byCompleteness = [...report.series].sort((a, b) => a.present / a.expected - b.present / b.expected).map((s) => s.key);
    const completenessHeader = sample.page.locator('#summary th', { hasText: 'Completeness' });
    await completenessHeader.click();
    expect(await keys()).toEqual(byCompleteness);
    expect(await completenessHeader.getAttribute('aria-sort')).toBe('ascending');
    await completenessHeader.click();
    expect(await keys()).toEqual([...byCompleteness].reverse());
    await sample.page.locator('#summary th', { hasText: 'Instrument' }).click();
    expect(await keys()).toEqual([...report.series].sort((a, b) => (a.label < b.label ? -1 : 1)).map((s) => s.key));
  });

  it('lists the gaps of each series in the merged form of barfill gaps, and shows hostile labels as text', async () => {
    const gaps = await inPage<string[][]>(sample.page, "Array.from(document.querySelectorAll('details.gap-list'), (s) => Array.from(s.querySelectorAll('li'), (li) => li.textContent))");
    expect(gaps.map((g) => g.length)).toEqual(report.series.map((s) => s.gaps.length));
    expect(gaps[1]).toContain('known empty (vendor had no bars) 2024-08-12T00:00:00Z .. 2024-08-12T23:59:00Z (390 bars)');
    expect(gaps[0]).toContain('missing 2024-03-06T00:00:00Z .. 2024-03-06T23:59:00Z (940 bars)');
    expect(await sample.page.locator('section.series h3').nth(2).textContent()).toContain('<b>X&Y</b>');
    expect(await sample.page.locator('details.gap-list summary').nth(2).textContent()).toContain('<b>X&Y</b>');
    expect(await sample.page.locator('b').count()).toBe(0);
  });

  it('makes no request but the file itself and logs no console error', () => {
    expect(sample.requests).toEqual([sample.url]);
    expect(sample.errors).toEqual([]);
  });

  it('paints a screenshot that is not blank', async () => {
    const fresh = await load(report, 'shot.html');
    await fresh.page.waitForSelector('svg.cal[data-idx="0"][data-drawn]');
    const shot = path.join(dir, 'coverage.png');
    const png = await fresh.page.screenshot({ path: shot });
    expect(fresh.errors).toEqual([]);
    await fresh.page.close();
    expect(fs.statSync(shot).size).toBe(png.length);
    const copy = process.env['BARFILL_COVERAGE_SCREENSHOT'];
    if (copy) fs.writeFileSync(copy, png);
    // Decode it in a blank page of the same browser and count its colours and painted pixels.
    const probe = await browser.newPage();
    const stats = await inPage<PngStats>(probe, `(${PNG_STATS})(${JSON.stringify(png.toString('base64'))})`);
    await probe.close();
    expect(stats.width).toBe(1100);
    expect(stats.colours).toBeGreaterThan(8);
    expect(stats.painted).toBeGreaterThan(0.05);
  });

  it('100 instruments over 5 years: every calendar drawn, one cell per day, no console error', async () => {
    const labels = Array.from({ length: 100 }, (_, i) => `SYM${i}`);
    const big = sampleCoverageReport({ from: '2020-01-01', to: '2024-12-31', labels, planted: [{ series: 99, date: '2024-12-31', present: 0 }] });
    const loaded = await load(big, 'big.html');
    // Off-screen calendars are drawn when they come near the viewport, or all of them before printing.
    expect(await loaded.page.locator('svg.cal[data-drawn]').count()).toBeLessThan(100);
    await inPage(loaded.page, "window.dispatchEvent(new Event('beforeprint'))");
    expect(await loaded.page.locator('svg.cal rect[data-date]').count()).toBe(100 * 1827);
    expect(await fillAt(loaded.page, 99, '2024-12-31')).toBe(rgb(DAY_FILLS.q0));
    expect(loaded.requests).toEqual([loaded.url]);
    expect(loaded.errors).toEqual([]);
    await loaded.page.close();
  });
});
