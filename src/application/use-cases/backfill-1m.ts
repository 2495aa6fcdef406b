import type { StopSignal } from '../../kernel/stop-signal.js';
import type { Clock } from '../../kernel/clock.js';
import { BarfillError, ConfigError, InterruptedError, SinkError, errorMessage } from '../../kernel/errors.js';
import type { InstrumentId } from '../../kernel/instrument-id.js';
import type { Logger } from '../../kernel/logger.js';
import type { MarketMap } from '../../kernel/market-map.js';
import type { TimeRange } from '../../kernel/time-range.js';
import { isoUtc } from '../../kernel/time-range.js';
import { OPTIONAL_CANDLE_COLUMNS, allocateCandleBatch, sliceCandleBatch, type CandleBatch } from '../candle-batch.js';
import type { CandleSource, InputFileInfo, SkippedInput, SourceChunk } from '../ports/candle-source.js';
import { klineVersion, type RawKlineWriter } from '../ports/raw-kline-writer.js';
import { MinuteSet } from '../minute-set.js';
import type { RejectSink } from '../ports/reject-sink.js';
import { noUnitHooks, type UnitHooks } from '../unit-hooks.js';
import { CANDLE_REJECT_REASONS, checkCandle, type CandleRejectReason } from '../validate-candles.js';

/** Why backfill-1m rejects a row: the candle checks, and a minute repeated within one file. */
export type Backfill1mRejectReason = CandleRejectReason | 'duplicate_minute';
export const BACKFILL_1M_REJECT_REASONS: readonly Backfill1mRejectReason[] = [...CANDLE_REJECT_REASONS, 'duplicate_minute'];

export interface Backfill1mCommand {
  readonly instrument: InstrumentId;
  readonly range: TimeRange;
}

export interface Backfill1mReport {
  readonly instrument_id: string;
  readonly instrument_key: string;
  readonly time_range: { start: string; end: string };
  readonly started_at: string;
  readonly finished_at: string;
  readonly outcome: 'success' | 'failed' | 'interrupted';
  readonly candles_read: number;
  readonly rows_written: number;
  readonly batches_written: number;
  readonly rows_rejected: number;
  readonly rejected_by_reason: Readonly<Record<Backfill1mRejectReason, number>>;
  /** Units inferred per input file (`ms`, `us`, ...), in file order. */
  readonly time_units: readonly string[];
  readonly input_files: readonly {
    path: string;
    layout: string;
    time_column: string;
    time_unit: string;
    time_type: 'timestamp' | 'epoch';
    rows: number;
    /** Rows of the file committed (exact after a failure or an interruption too). */
    rows_written: number;
  }[];
  /** Inputs not read, and why (a file named for another symbol). */
  readonly skipped_files: readonly { path: string; reason: string }[];
  readonly elapsed_ms: number;
  readonly rows_per_second: number;
  readonly error?: string;
  /** The run's id in the run ledger. */
  readonly run_id?: string;
  /** Set when resuming: input files already done in that run (not read again). */
  readonly already_done?: readonly string[];
}

export interface Backfill1mResult {
  readonly report: Backfill1mReport;
  /** Set when the run failed or was interrupted; the report says what was committed. */
  readonly failure?: BarfillError;
}

export interface Backfill1mDeps {
  readonly source: CandleSource;
  readonly writer: RawKlineWriter;
  readonly clock: Clock;
  readonly batchSize: number;
  readonly markets: MarketMap;
  readonly rejects: RejectSink;
  readonly logger: Logger;
  readonly signal?: StopSignal;
  /** Progress, and the run ledger: a unit per input file, done once all its rows are committed. */
  readonly hooks?: UnitHooks;
}

/**
 * Reads 1-minute candles of one instrument in `[start, end)` from the source,
 * rejects invalid rows (counted by reason, sent to the reject sink), and writes
 * the valid ones to the raw store in batches of `batchSize` rows. Reading and
 * validating the next batch overlaps the insert of the current one; two write
 * buffers are reused, so memory does not grow with the input.
 */
export class Backfill1mCandlesUseCase {
  constructor(private readonly deps: Backfill1mDeps) {
    if (!Number.isInteger(deps.batchSize) || deps.batchSize < 1) throw new Error('batchSize must be a positive integer');
  }

  async run(command: Backfill1mCommand): Promise<Backfill1mResult> {
    const { clock, writer, logger, signal } = this.deps;
    const startedAt = clock.now();
    const t0 = clock.monotonic();
    const key = this.deps.markets.instrumentKey(command.instrument);
    if (key === undefined) {
      throw new ConfigError(`market id ${command.instrument.marketId} is not in the market config`);
    }
    const target = { instrument: command.instrument, instrumentKey: key };
    const rejected = Object.fromEntries(BACKFILL_1M_REJECT_REASONS.map((r) => [r, 0])) as Record<Backfill1mRejectReason, number>;
    let files: readonly InputFileInfo[] = [];
    let skipped: readonly SkippedInput[] = [];
    let candlesRead = 0;
    let rowsWritten = 0;
    let batchesWritten = 0;
    let failure: BarfillError | undefined;

    const all = new Set(OPTIONAL_CANDLE_COLUMNS);
    let current = allocateCandleBatch(this.deps.batchSize, all);
    let spare = allocateCandleBatch(this.deps.batchSize, all);
    let fill = 0;
    let inFlight: Promise<void> | undefined;

    // Per input file: rows read, committed and rejected; batches sent and not yet committed; whether read to the end.
    // A batch holds rows of one file only, so a file's committed count is exact whenever the run stops.
    const hooks = this.deps.hooks ?? noUnitHooks;
    const perFile = new Map<string, FileTally>();
    const tally = (file: string): FileTally => {
      let t = perFile.get(file);
      if (t === undefined) {
        t = { read: 0, committed: 0, rejected: 0, pending: 0, readDone: false, recorded: false };
        perFile.set(file, t);
      }
      return t;
    };
    let recording: Promise<void> = Promise.resolve();
    const record = (name: string, t: FileTally, error?: string): void => {
      t.recorded = true;
      const unit = { name, done: error === undefined, read: t.read, written: t.committed, skipped: 0, rejected: t.rejected, ...(error === undefined ? {} : { error }) };
      recording = recording.then(() => hooks.finished(unit));
    };
    const settle = (): void => {
      for (const [name, t] of perFile) if (!t.recorded && t.readDone && t.pending === 0) record(name, t);
    };

    let currentFile: string | undefined;
    let version = 0n;
    const minutes = new MinuteSet();

    const flush = async (): Promise<void> => {
      if (inFlight !== undefined) await inFlight;
      inFlight = undefined;
      if (fill === 0 || currentFile === undefined) return;
      const batch = sliceCandleBatch(current, 0, fill);
      const rows = fill;
      const batchNo = batchesWritten + 1;
      const fileTally = tally(currentFile);
      fileTally.pending += 1;
      const write = writer.write(target, batch, { ingestedAtMs: clock.now(), version }).then(
        () => {
          rowsWritten += rows;
          batchesWritten += 1;
          fileTally.committed += rows;
          fileTally.pending -= 1;
          logger.debug('batch written', { batch: batchNo, rows });
          settle();
        },
        (err: unknown) => {
          // Name the batch: its number (1-based, in the order sent) and, through the writer, its time span.
          if (err instanceof BarfillError && !(err instanceof InterruptedError)) err.message = `batch ${batchNo}: ${err.message}`;
          throw err;
        },
      );
      // Avoid an unhandled rejection while the next batch is being read; it is awaited on the next flush.
      write.catch(() => undefined);
      inFlight = write;
      [current, spare] = [spare, current];
      fill = 0;
    };

    /** A new file: its predecessor's last rows go in their own batch (a batch carries one file's version). */
    const startFile = async (file: string): Promise<void> => {
      await flush();
      if (currentFile !== undefined) tally(currentFile).readDone = true;
      settle();
      currentFile = file;
      const ordinal = files.findIndex((f) => f.path === file);
      version = klineVersion(startedAt, ordinal === -1 ? files.length : ordinal);
      minutes.clear();
      tally(file);
      hooks.started(file);
    };

    const scan = await this.deps.source.open(command);
    try {
      files = scan.files;
      skipped = scan.skipped;
      for (const s of skipped) logger.warn(`skipping ${s.path}: ${s.reason}`);
      hooks.begin({ units: files.length, rows: files.reduce((a, f) => a + f.totalRows, 0) });
      for (const f of files) {
        logger.info('input file', {
          path: f.path,
          layout: f.layout,
          time_column: f.timeColumn,
          time_unit: f.timeIsTimestampType ? `timestamp(${f.timeUnit})` : `epoch ${f.timeUnit}`,
          rows: f.totalRows,
        });
      }
      for await (const chunk of scan.batches()) {
        if (signal?.aborted === true) throw interruption(signal);
        candlesRead += chunk.batch.length;
        if (chunk.file !== currentFile) await startFile(chunk.file);
        const fileTally = tally(chunk.file);
        fileTally.read += chunk.batch.length;
        hooks.rows(chunk.file, chunk.batch.length);
        // Copy runs of valid rows into the write buffer; reject the others.
        let runStart = -1;
        const n = chunk.batch.length;
        for (let i = 0; i <= n; i++) {
          const bad = i < n ? checkRow(chunk.batch, i, minutes) : undefined;
          const valid = i < n && bad === undefined;
          if (valid) {
            if (runStart === -1) runStart = i;
            continue;
          }
          if (runStart !== -1) {
            await this.copyRun(chunk.batch, runStart, i, () => current, () => fill, (f) => (fill = f), flush);
            runStart = -1;
          }
          if (bad !== undefined) {
            rejected[bad.reason] += 1;
            fileTally.rejected += 1;
            this.deps.rejects.add({
              file: chunk.file,
              row: chunk.rowNumbers[i] ?? i + 1,
              reason: bad.reason,
              detail: bad.detail,
              values: rowValues(chunk, i),
            });
          }
        }
      }
      if (signal?.aborted === true) throw interruption(signal);
      await flush();
      if (currentFile !== undefined) tally(currentFile).readDone = true;
      // Files that had no rows at all (nothing of the symbol in range) are done too.
      for (const f of files) tally(f.path).readDone = true;
      await flush(); // wait for the last insert
      settle();
      if (candlesRead === 0 && (files.length > 0 || skipped.length > 0)) {
        logger.warn(
          `no rows of ${command.instrument.symbol} in [${isoUtc(command.range.startMs)}, ${isoUtc(command.range.endMs)}) ` +
            `in the ${files.length} input file(s)${skipped.length > 0 ? ` (${skipped.length} skipped)` : ''}; nothing was written`,
        );
      }
    } catch (err) {
      // Let the insert in flight settle so the report states exactly what was committed.
      if (inFlight !== undefined) await inFlight.catch(() => undefined);
      failure = asBarfillError(err, batchesWritten, rowsWritten);
      // Files whose rows are not all committed are recorded as not done (a resume reads them again),
      // with the rows of theirs that were committed.
      for (const f of files) {
        const t = tally(f.path);
        if (!t.recorded) record(f.path, t, failure.message);
      }
    } finally {
      await recording.catch(() => undefined);
      hooks.end();
      await scan.close();
    }

    const elapsed = clock.monotonic() - t0;
    const rowsRejected = Object.values(rejected).reduce((a, b) => a + b, 0);
    const report: Backfill1mReport = {
      instrument_id: command.instrument.toString(),
      instrument_key: key,
      time_range: command.range.toJSON(),
      started_at: isoUtc(startedAt),
      finished_at: isoUtc(clock.now()),
      outcome: failure === undefined ? 'success' : failure instanceof InterruptedError ? 'interrupted' : 'failed',
      candles_read: candlesRead,
      rows_written: rowsWritten,
      batches_written: batchesWritten,
      rows_rejected: rowsRejected,
      rejected_by_reason: rejected,
      time_units: files.map((f) => f.timeUnit),
      input_files: files.map((f) => ({
        path: f.path,
        layout: f.layout,
        time_column: f.timeColumn,
        time_unit: f.timeUnit,
        time_type: f.timeIsTimestampType ? 'timestamp' : 'epoch',
        rows: f.totalRows,
        rows_written: perFile.get(f.path)?.committed ?? 0,
      })),
      skipped_files: skipped.map((s) => ({ path: s.path, reason: s.reason })),
      elapsed_ms: Math.round(elapsed),
      rows_per_second: elapsed > 0 ? Math.round((rowsWritten * 1000) / elapsed) : rowsWritten,
      ...(failure === undefined ? {} : { error: failure.message }),
    };
    return failure === undefined ? { report } : { report, failure };
  }

  /** Copies rows [from, to) of `src` into the write buffer, flushing whenever it fills. */
  private async copyRun(
    src: CandleBatch,
    from: number,
    to: number,
    buffer: () => CandleBatch,
    getFill: () => number,
    setFill: (n: number) => void,
    flush: () => Promise<void>,
  ): Promise<void> {
    let at = from;
    while (at < to) {
      const dst = buffer();
      const fill = getFill();
      const take = Math.min(to - at, this.deps.batchSize - fill);
      copyColumns(src, at, at + take, dst, fill);
      setFill(fill + take);
      at += take;
      if (getFill() === this.deps.batchSize) await flush();
    }
  }
}

interface FileTally {
  read: number;
  /** Rows of the file in committed batches. */
  committed: number;
  rejected: number;
  /** Batches of the file sent and not yet committed. */
  pending: number;
  readDone: boolean;
  recorded: boolean;
}

/** Why a row is rejected: the candle checks, then a minute seen before in the same file (the first is kept). */
function checkRow(b: CandleBatch, i: number, minutes: MinuteSet): { reason: Backfill1mRejectReason; detail: string } | undefined {
  const bad = checkCandle(b, i);
  if (bad !== undefined) return bad;
  const t = b.openTimeMs[i] ?? NaN;
  if (!minutes.add(t)) return { reason: 'duplicate_minute', detail: `minute ${isoUtc(t)} appears earlier in the same file` };
  return undefined;
}

function copyColumns(src: CandleBatch, from: number, to: number, dst: CandleBatch, at: number): void {
  dst.openTimeMs.set(src.openTimeMs.subarray(from, to), at);
  dst.open.set(src.open.subarray(from, to), at);
  dst.high.set(src.high.subarray(from, to), at);
  dst.low.set(src.low.subarray(from, to), at);
  dst.close.set(src.close.subarray(from, to), at);
  dst.volume.set(src.volume.subarray(from, to), at);
  for (const c of OPTIONAL_CANDLE_COLUMNS) {
    const d = dst[c];
    if (d === null) continue;
    const s = src[c];
    if (s === null) d.fill(NaN, at, at + (to - from));
    else d.set(s.subarray(from, to), at);
  }
}

function rowValues(chunk: SourceChunk, i: number): Record<string, number | null> {
  const b = chunk.batch;
  const v = (a: Float64Array | null): number | null => {
    if (a === null) return null;
    const x = a[i];
    return x === undefined || Number.isNaN(x) ? null : x;
  };
  return {
    open_time_ms: v(b.openTimeMs),
    open: v(b.open),
    high: v(b.high),
    low: v(b.low),
    close: v(b.close),
    volume: v(b.volume),
  };
}

function interruption(signal: StopSignal): InterruptedError {
  const reason: unknown = signal.reason;
  return reason instanceof InterruptedError ? reason : new InterruptedError('SIGINT');
}

function asBarfillError(err: unknown, batches: number, rows: number): BarfillError {
  if (err instanceof InterruptedError) return err;
  const written = batches > 0 ? ` (${batches} batch${batches === 1 ? '' : 'es'}, ${rows} rows were written before the failure)` : ' (nothing was written)';
  if (err instanceof BarfillError) {
    // Keep the class (and so the exit code); say what was committed.
    err.message = `${err.message}${written}`;
    return err;
  }
  return new SinkError(`${errorMessage(err)}${written}`, { cause: err });
}
