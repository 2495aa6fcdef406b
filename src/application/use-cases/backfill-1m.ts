import type { StopSignal } from '../../kernel/stop-signal.js';
import type { Clock } from '../../kernel/clock.js';
import { BarfillError, ConfigError, InterruptedError, SinkError, errorMessage } from '../../kernel/errors.js';
import type { InstrumentId } from '../../kernel/instrument-id.js';
import type { Logger } from '../../kernel/logger.js';
import type { MarketMap } from '../../kernel/market-map.js';
import type { TimeRange } from '../../kernel/time-range.js';
import { isoUtc } from '../../kernel/time-range.js';
import { OPTIONAL_CANDLE_COLUMNS, allocateCandleBatch, sliceCandleBatch, type CandleBatch } from '../candle-batch.js';
import type { CandleSource, InputFileInfo, SourceChunk } from '../ports/candle-source.js';
import type { RawKlineWriter } from '../ports/raw-kline-writer.js';
import type { RejectSink } from '../ports/reject-sink.js';
import { noUnitHooks, type UnitHooks } from '../unit-hooks.js';
import { CANDLE_REJECT_REASONS, checkCandle, type CandleRejectReason } from '../validate-candles.js';

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
  readonly rejected_by_reason: Readonly<Record<CandleRejectReason, number>>;
  /** Units inferred per input file (`ms`, `us`, ...), in file order. */
  readonly time_units: readonly string[];
  readonly input_files: readonly {
    path: string;
    layout: string;
    time_column: string;
    time_unit: string;
    time_type: 'timestamp' | 'epoch';
    rows: number;
  }[];
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
    const rejected = Object.fromEntries(CANDLE_REJECT_REASONS.map((r) => [r, 0])) as Record<CandleRejectReason, number>;
    let files: readonly InputFileInfo[] = [];
    let candlesRead = 0;
    let rowsWritten = 0;
    let batchesWritten = 0;
    let batchesSent = 0;
    let failure: BarfillError | undefined;

    const all = new Set(OPTIONAL_CANDLE_COLUMNS);
    let current = allocateCandleBatch(this.deps.batchSize, all);
    let spare = allocateCandleBatch(this.deps.batchSize, all);
    let fill = 0;
    let inFlight: Promise<void> | undefined;

    // Per input file: rows read, written (valid), rejected; the batch holding its last valid row; whether it was read to the end.
    const hooks = this.deps.hooks ?? noUnitHooks;
    const perFile = new Map<string, { read: number; valid: number; rejected: number; lastBatch: number; readDone: boolean; recorded: boolean }>();
    let recording: Promise<void> = Promise.resolve();
    const settle = (committedBatches: number): void => {
      for (const [name, f] of perFile) {
        if (f.recorded || !f.readDone || f.lastBatch > committedBatches) continue;
        f.recorded = true;
        const unit = { name, done: true, read: f.read, written: f.valid, skipped: 0, rejected: f.rejected };
        recording = recording.then(() => hooks.finished(unit));
      }
    };
    let currentFile: string | undefined;
    const finishReading = (): void => {
      if (currentFile === undefined) return;
      const f = perFile.get(currentFile);
      if (f !== undefined) f.readDone = true;
      settle(batchesWritten);
    };

    const flush = async (): Promise<void> => {
      if (inFlight !== undefined) await inFlight;
      inFlight = undefined;
      if (fill === 0) return;
      const batch = sliceCandleBatch(current, 0, fill);
      const rows = fill;
      batchesSent += 1;
      const batchNo = batchesSent;
      const write = writer.write(target, batch, clock.now()).then(
        () => {
          rowsWritten += rows;
          batchesWritten += 1;
          logger.debug('batch written', { batch: batchNo, rows });
          settle(batchesWritten);
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

    const scan = await this.deps.source.open(command);
    try {
      files = scan.files;
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
        if (chunk.file !== currentFile) {
          finishReading();
          currentFile = chunk.file;
          hooks.started(chunk.file);
          if (!perFile.has(chunk.file)) perFile.set(chunk.file, { read: 0, valid: 0, rejected: 0, lastBatch: 0, readDone: false, recorded: false });
        }
        const fileState = perFile.get(chunk.file);
        if (fileState !== undefined) fileState.read += chunk.batch.length;
        hooks.rows(chunk.file, chunk.batch.length);
        // Copy runs of valid rows into the write buffer; reject the others.
        let runStart = -1;
        const n = chunk.batch.length;
        for (let i = 0; i <= n; i++) {
          const bad = i < n ? checkCandle(chunk.batch, i) : undefined;
          const valid = i < n && bad === undefined;
          if (valid) {
            if (runStart === -1) runStart = i;
            continue;
          }
          if (runStart !== -1) {
            await this.copyRun(chunk.batch, runStart, i, () => current, () => fill, (f) => (fill = f), flush);
            if (fileState !== undefined) {
              fileState.valid += i - runStart;
              // The last rows copied are in the buffer being filled, or (when it just filled) in the batch just sent.
              fileState.lastBatch = fill === 0 ? batchesSent : batchesSent + 1;
            }
            runStart = -1;
          }
          if (bad !== undefined) {
            rejected[bad.reason] += 1;
            if (fileState !== undefined) fileState.rejected += 1;
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
      finishReading();
      // Files that had no rows at all (nothing of the symbol in range) are done too.
      for (const f of files) {
        if (!perFile.has(f.path)) perFile.set(f.path, { read: 0, valid: 0, rejected: 0, lastBatch: 0, readDone: true, recorded: false });
      }
      await flush();
      await flush(); // wait for the last insert
      settle(batchesWritten);
    } catch (err) {
      // Let the insert in flight settle so the report states exactly what was committed.
      if (inFlight !== undefined) await inFlight.catch(() => undefined);
      failure = asBarfillError(err, batchesWritten, rowsWritten);
      // Files whose rows are not all committed are recorded as not done (a resume reads them again).
      for (const f of files) {
        const st = perFile.get(f.path);
        if (st?.recorded === true) continue;
        const unit = { name: f.path, done: false, read: st?.read ?? 0, written: 0, skipped: 0, rejected: st?.rejected ?? 0, error: failure.message };
        recording = recording.then(() => hooks.finished(unit));
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
      })),
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
