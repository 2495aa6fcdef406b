import { describe, expect, it } from 'vitest';
import { InputError } from '../../kernel/errors.js';
import { MAX_GAPS_LISTED, escapeHtml, renderCoverageHtml, scriptJson } from './coverage-html.js';
import { checkReport, dayClass, daysInRange } from './coverage-report.js';
import { sampleCoverageReport } from './sample-coverage-report.js';

describe('dayClass', () => {
  it('no bar expected, complete, known-empty, then completeness steps', () => {
    expect(dayClass(0, 0, 0)).toBe('nt');
    expect(dayClass(390, 390, 0)).toBe('q4');
    expect(dayClass(390, 0, 390)).toBe('ke');
    expect(dayClass(390, 290, 100)).toBe('ke');
    expect(dayClass(390, 100, 100)).toBe('q1');
    expect(dayClass(1440, 0, 0)).toBe('q0');
    expect(dayClass(1440, 1, 0)).toBe('q1');
    expect(dayClass(1440, 720, 0)).toBe('q2');
    expect(dayClass(1440, 1296, 0)).toBe('q3');
    expect(dayClass(1440, 1439, 0)).toBe('q3');
  });
});

describe('checkReport', () => {
  it('counts the days of the range, both ends included', () => {
    expect(daysInRange('2024-02-28', '2024-03-01')).toBe(3);
    expect(daysInRange('2020-01-01', '2024-12-31')).toBe(1827);
  });

  it('refuses columns that are not one value per day, repeated keys and bad dates', () => {
    const r = sampleCoverageReport({ from: '2024-01-01', to: '2024-01-10', labels: ['A'] });
    const s = r.series[0]!;
    expect(checkReport(r)).toBe(10);
    const short = { ...r, series: [{ ...s, days: { ...s.days, present: [1, 2] } }] };
    expect(() => checkReport(short)).toThrow(InputError);
    expect(() => checkReport({ ...r, series: [s, s] })).toThrow(/appears twice/);
    expect(() => checkReport({ ...r, to: '2023-12-31' })).toThrow(InputError);
    expect(() => checkReport({ ...r, from: '01/01/2024' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('renderCoverageHtml', () => {
  const hostile = '<script>alert("x")</script>&\'';

  it('escapes every string from the data: labels, keys, bar times, gap bounds, the store', () => {
    const r = sampleCoverageReport({ from: '2024-01-01', to: '2024-01-31', labels: [hostile], planted: [{ series: 0, date: '2024-01-05', present: 0 }] });
    const s = r.series[0]!;
    const evil = {
      ...r,
      store: `x</p><img src=x onerror=alert(1)>`,
      series: [{ ...s, key: `k"><b>`, firstBar: '<i>', gaps: s.gaps.map((g) => ({ ...g, start: '<u>' })) }],
    };
    const html = renderCoverageHtml(evil);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('<u>');
    expect(html).toContain(escapeHtml(hostile));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Exactly the page's two scripts: the data cannot close its script element.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script/g)).toHaveLength(2);
  });

  it('writes JSON that cannot end its script element, and reads back the same', () => {
    const value = { s: '</script><!-- \u2028\u2029 <b>' };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('removes credentials from the store name', () => {
    const r = sampleCoverageReport({ from: '2024-01-01', to: '2024-01-02', labels: ['A'] });
    const html = renderCoverageHtml({ ...r, store: 'clickhouse http://default:s3cret@db.example:8123' });
    expect(html).not.toContain('s3cret');
    expect(html).toContain('clickhouse http://db.example:8123');
  });

  it('refers to nothing outside the page, and forbids it by Content-Security-Policy', () => {
    const html = renderCoverageHtml(sampleCoverageReport({ from: '2024-01-01', to: '2024-03-31', labels: ['A', 'B'] }));
    expect(html).toContain(`content="default-src 'none';`);
    expect(html).not.toMatch(/\b(src|href|action)\s*=/i);
    expect(html).not.toMatch(/@import|@font-face/i);
    expect(html.match(/url\([^)]*\)/g)?.every((u) => u === 'url(#ke-hatch)')).toBe(true);
  });

  it('lists at most MAX_GAPS_LISTED gap ranges per series and counts the rest', () => {
    const r = sampleCoverageReport({ from: '2024-01-01', to: '2024-01-31', labels: ['A'], extraGapsPerSeries: MAX_GAPS_LISTED + 200 });
    const html = renderCoverageHtml(r);
    expect(html.match(/<li class="missing">/g)).toHaveLength(MAX_GAPS_LISTED);
    expect(html).toContain('200 more ranges not listed');
  });

  it('stays under 5 MB for 100 instruments over 5 years, even with every day partly missing and gaps past the cap', () => {
    const labels = Array.from({ length: 100 }, (_, i) => `SYMBOL-${i}-USDT`);
    const r = sampleCoverageReport({ from: '2020-01-01', to: '2024-12-31', labels, extraGapsPerSeries: MAX_GAPS_LISTED * 50 });
    const n = 1827;
    // The worst case for the page's data: every day of every series has 3- and 4-digit missing and known-empty counts.
    const worst = {
      ...r,
      series: r.series.map((s) => {
        const present = Int32Array.from(s.days.expected, (e, i) => (e === 0 ? 0 : e - 300 - (i % 90)));
        const knownEmpty = Int32Array.from(s.days.expected, (e, i) => (e === 0 ? 0 : 100 + (i % 199)));
        return { ...s, days: { expected: s.days.expected, present, knownEmpty } };
      }),
    };
    const html = renderCoverageHtml(worst);
    const bytes = Buffer.byteLength(html);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
    expect(html.match(/<li class="missing">/g)).toHaveLength(100 * MAX_GAPS_LISTED);
    // Every day of every series is in the page's data (one class character per day).
    const data = JSON.parse(/<script type="application\/json" id="coverage-data">(.*?)<\/script>/s.exec(html)![1]!) as { series: { c: string; m: number[]; k: number[] }[] };
    expect(data.series.map((s) => [s.c.length, s.m.length, s.k.length])).toEqual(Array.from({ length: 100 }, () => [n, n, n]));
  });
});
