import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Logger } from '../../kernel/logger.js';
import type { ProgressSink } from '../../application/ports/progress.js';
import { StderrLogger } from './stderr-logger.js';

interface Tally {
  units: number;
  unitsDone: number;
  rowsTotal: number | undefined;
  rows: number;
  startedMs: number;
  active: Map<string, { rows: number; startedMs: number }>;
}

function newTally(now: number): Tally {
  return { units: 0, unitsDone: 0, rowsTotal: undefined, rows: 0, startedMs: now, active: new Map() };
}

/** Overall rate, and an ETA from rows when their total is known, else from units. */
export function estimate(t: Tally, now: number): { rate: number; etaSeconds: number | undefined } {
  const secs = Math.max((now - t.startedMs) / 1000, 1e-3);
  const rate = t.rows / secs;
  let eta: number | undefined;
  if (t.rowsTotal !== undefined && t.rowsTotal > 0 && rate > 0) eta = Math.max(0, (t.rowsTotal - t.rows) / rate);
  else if (t.units > 0 && t.unitsDone > 0) eta = ((t.units - t.unitsDone) * secs) / t.unitsDone;
  return { rate, etaSeconds: eta === undefined ? undefined : Math.round(eta) };
}

function fmtEta(s: number | undefined): string {
  if (s === undefined) return '?';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/**
 * When stderr is not a terminal: one log line every `intervalSeconds`
 * (`progress: units 3/20, rows 1234567 (45678 rows/s), ETA 2m10s; active: AAPL 12000, MSFT 800`).
 */
export class LogProgress implements ProgressSink {
  private tally: Tally;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly intervalSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tally = newTally(now());
  }

  begin(total: { units: number; rows?: number }): void {
    this.tally = { ...newTally(this.now()), units: total.units, rowsTotal: total.rows };
    this.timer = setInterval(() => { this.logger.info(this.line()); }, this.intervalSeconds * 1000);
    this.timer.unref();
  }
  unitStarted(unit: string): void {
    this.tally.active.set(unit, { rows: 0, startedMs: this.now() });
  }
  unitRows(unit: string, rows: number): void {
    this.tally.rows += rows;
    const a = this.tally.active.get(unit);
    if (a !== undefined) a.rows += rows;
  }
  unitFinished(unit: string, done = true): void {
    this.tally.active.delete(unit);
    if (done) this.tally.unitsDone += 1;
  }
  end(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The progress line (public for tests). */
  line(): string {
    const t = this.tally;
    const { rate, etaSeconds } = estimate(t, this.now());
    const active = [...t.active.entries()].slice(0, 8).map(([u, a]) => `${u} ${a.rows}`);
    return `progress: units ${t.unitsDone}/${t.units}, rows ${t.rows}${t.rowsTotal !== undefined ? `/${t.rowsTotal}` : ''} (${Math.round(rate)} rows/s), ETA ${fmtEta(etaSeconds)}${active.length > 0 ? `; active: ${active.join(', ')}` : ''}`;
  }
}

/** On a terminal: a live display on stderr (cli-progress): one overall bar and one line per active unit. */
export class TerminalProgress implements ProgressSink {
  private readonly bars: MultiBar;
  private overall: SingleBar | undefined;
  private readonly unitBars = new Map<string, SingleBar>();
  private tally: Tally;

  constructor(
    stream: NodeJS.WriteStream,
    private readonly redirectLog: ((write: ((line: string) => void) | undefined) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.tally = newTally(now());
    this.bars = new MultiBar(
      { stream, clearOnComplete: true, hideCursor: true, format: '{label} | {value}/{total} {unit} | {rows} rows | {rate} rows/s | ETA {eta_h}', fps: 5 },
      Presets.shades_grey,
    );
  }

  begin(total: { units: number; rows?: number }): void {
    this.tally = { ...newTally(this.now()), units: total.units, rowsTotal: total.rows };
    this.overall = this.bars.create(total.units, 0, { label: 'overall', unit: 'units', rows: 0, rate: 0, eta_h: '?' });
    // Log lines are printed above the display instead of through it.
    this.redirectLog?.((line) => {
      this.bars.log(line);
    });
  }
  unitStarted(unit: string): void {
    this.tally.active.set(unit, { rows: 0, startedMs: this.now() });
    this.unitBars.set(
      unit,
      this.bars.create(0, 0, { label: unit.slice(-24).padEnd(24), rows: 0, rate: 0 }, { format: '  {label} | {rows} rows | {rate} rows/s' }),
    );
  }
  unitRows(unit: string, rows: number): void {
    this.tally.rows += rows;
    const a = this.tally.active.get(unit);
    if (a !== undefined) a.rows += rows;
    const secs = a === undefined ? 1 : Math.max((this.now() - a.startedMs) / 1000, 1e-3);
    this.unitBars.get(unit)?.update(0, { rows: a?.rows ?? 0, rate: Math.round((a?.rows ?? 0) / secs) });
    this.refreshOverall();
  }
  unitFinished(unit: string, done = true): void {
    this.tally.active.delete(unit);
    if (done) this.tally.unitsDone += 1;
    const b = this.unitBars.get(unit);
    if (b !== undefined) this.bars.remove(b);
    this.unitBars.delete(unit);
    this.refreshOverall();
  }
  end(): void {
    this.bars.stop();
    this.redirectLog?.(undefined);
  }

  private refreshOverall(): void {
    const { rate, etaSeconds } = estimate(this.tally, this.now());
    this.overall?.update(this.tally.unitsDone, { rows: this.tally.rows, rate: Math.round(rate), eta_h: fmtEta(etaSeconds) });
  }
}

/** The progress sink for a run: a live display on a terminal, log lines otherwise, none when disabled. */
export function createProgress(options: { enabled: boolean; intervalSeconds: number; logger: Logger; stream?: NodeJS.WriteStream }): ProgressSink {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled) return { begin() {}, unitStarted() {}, unitRows() {}, unitFinished() {}, end() {} };
  if (stream.isTTY) {
    const logger = options.logger;
    const redirect = logger instanceof StderrLogger ? (w: ((line: string) => void) | undefined) => { logger.redirect(w); } : undefined;
    return new TerminalProgress(stream, redirect);
  }
  return new LogProgress(options.logger, options.intervalSeconds);
}
