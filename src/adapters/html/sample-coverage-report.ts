/**
 * A deterministic coverage report with planted holes: for the page's tests, its size check and the screenshot in
 * docs/coverage-page.png. Crypto series expect 1440 bars every day; equities series expect the NYSE regular session
 * (390 one-minute bars, 210 on early closes, none on weekends and holidays).
 */
import { addDays, sessionOf } from '../../kernel/trading-calendar.js';
import { daysInRange, type CoverageGap, type CoverageKind, type CoverageReport, type CoverageSeries } from './coverage-report.js';

/** A day of one series whose stored bars are planted: `present` bars, of which the rest missing, `knownEmpty` known. */
export interface PlantedDay {
  readonly series: number;
  readonly date: string;
  readonly present: number;
  readonly knownEmpty?: number;
}

export interface SampleOptions {
  readonly from: string;
  readonly to: string;
  /** Series labels; kinds alternate crypto, equities unless given. */
  readonly labels: readonly string[];
  readonly kinds?: readonly CoverageKind[];
  readonly planted?: readonly PlantedDay[];
  /** Extra gap ranges listed per series (the size check's worst case), beyond the planted days. */
  readonly extraGapsPerSeries?: number;
}

/** Bars a day expects: every minute for crypto, the regular session for equities. */
export function expectedBars(kind: CoverageKind, date: string): number {
  if (kind === 'crypto') return 1440;
  const s = sessionOf(date);
  return s === undefined ? 0 : s.closeMinute - s.openMinute;
}

function gapOf(date: string, bars: number, kind: CoverageGap['kind']): CoverageGap {
  return { start: `${date}T00:00:00Z`, end: `${date}T23:59:00Z`, bars, kind };
}

function series(o: SampleOptions, idx: number, n: number): CoverageSeries {
  const label = o.labels[idx] ?? `S${idx}`;
  const kind = o.kinds?.[idx] ?? (idx % 2 === 0 ? 'crypto' : 'equities');
  const expected = new Int32Array(n), present = new Int32Array(n), knownEmpty = new Int32Array(n);
  const planted = new Map((o.planted ?? []).filter((p) => p.series === idx).map((p) => [p.date, p]));
  const gaps: CoverageGap[] = [];
  for (let i = 0; i < n; i++) {
    const date = addDays(o.from, i);
    const e = expectedBars(kind, date);
    const p = planted.get(date);
    const have = p === undefined ? e : Math.min(e, p.present);
    const known = Math.min(e - have, p?.knownEmpty ?? 0);
    expected[i] = e;
    present[i] = have;
    knownEmpty[i] = known;
    if (known > 0) gaps.push(gapOf(date, known, 'known_empty'));
    if (e - have - known > 0) gaps.push(gapOf(date, e - have - known, 'missing'));
  }
  for (let g = 0; g < (o.extraGapsPerSeries ?? 0); g++) gaps.push(gapOf(addDays(o.from, g % n), 1, 'missing'));
  const sum = (a: Int32Array): number => a.reduce((x, y) => x + y, 0);
  return {
    key: `${kind}:${label}`,
    label,
    kind,
    firstBar: `${o.from}T00:00:00Z`,
    lastBar: `${o.to}T23:59:00Z`,
    rows: sum(present),
    expected: sum(expected),
    present: sum(present),
    missingKnownEmpty: sum(knownEmpty),
    days: { expected, present, knownEmpty },
    gaps,
  };
}

/** The report of `o`: every day complete except the planted ones. */
export function sampleCoverageReport(o: SampleOptions): CoverageReport {
  const n = daysInRange(o.from, o.to);
  return {
    generatedAt: '2026-01-02T03:04:05Z',
    store: 'sample',
    from: o.from,
    to: o.to,
    series: o.labels.map((_, idx) => series(o, idx, n)),
  };
}
