import type { StopSignal } from '../../kernel/stop-signal.js';
import { describe, expect, it } from 'vitest';
import { Backfill1mCandlesUseCase } from './backfill-1m.js';
import { allocateCandleBatch, OPTIONAL_CANDLE_COLUMNS, type CandleBatch } from '../candle-batch.js';
import type { CandleScan, CandleSource, SourceChunk } from '../ports/candle-source.js';
import { klineVersion, type KlineStamp, type KlineTarget, type RawKlineWriter } from '../ports/raw-kline-writer.js';
import type { RejectedRow, RejectSink } from '../ports/reject-sink.js';
import { FixedClock } from '../../kernel/clock.js';
import { InstrumentId } from '../../kernel/instrument-id.js';
import { MarketMap } from '../../kernel/market-map.js';
import { TimeRange } from '../../kernel/time-range.js';
import { InterruptedError, SinkError } from '../../kernel/errors.js';
import { checkCandle } from '../validate-candles.js';
import { silentLogger } from '../../kernel/logger.js';

const T0 = Date.UTC(2024, 0, 1);
const markets = new MarketMap([{ marketId: 1, venue: 'binance', marketType: 'spot' }]);
const command = { instrument: InstrumentId.of(1, 'BTCUSDT'), range: TimeRange.of(T0, T0 + 86_400_000) };

function chunk(file: string, n: number, from = 0, mutate?: (b: CandleBatch, i: number) => void): SourceChunk {
  const b = allocateCandleBatch(n, new Set(['trades']));
  for (let i = 0; i < n; i++) {
    b.openTimeMs[i] = T0 + (from + i) * 60_000;
    b.open[i] = 100 + i;
    b.high[i] = 102 + i;
    b.low[i] = 99 + i;
    b.close[i] = 101 + i;
    b.volume[i] = 5;
    b.trades![i] = 7;
    mutate?.(b, i);
  }
  return { file, batch: b, rowNumbers: Float64Array.from({ length: n }, (_, i) => from + i + 1) };
}

function source(chunks: SourceChunk[]): CandleSource {
  return {
    open: (): Promise<CandleScan> =>
      Promise.resolve({
        files: [...new Set(chunks.map((c) => c.file))].map((path) => ({
          path,
          layout: 'binance',
          timeColumn: 'open_time',
          timeUnit: 'ms' as const,
          timeIsTimestampType: false,
          totalRows: 10,
          hasSymbolColumn: false,
        })),
        skipped: [],
        async *batches() {
          for (const c of chunks) {
            await Promise.resolve();
            yield c;
          }
        },
        close: () => Promise.resolve(),
      }),
  };
}

/** Records what would be written; copies because the use-case reuses its buffers. */
class RecordingWriter implements RawKlineWriter {
  readonly batches: { key: string; times: number[]; trades: number[]; version: bigint }[] = [];
  failOn = -1;
  write(target: KlineTarget, batch: CandleBatch, stamp: KlineStamp): Promise<void> {
    if (this.batches.length === this.failOn) return Promise.reject(new SinkError('server gone'));
    this.batches.push({ key: target.instrumentKey, times: Array.from(batch.openTimeMs), trades: Array.from(batch.trades ?? []), version: stamp.version });
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class Rejects implements RejectSink {
  readonly rows: RejectedRow[] = [];
  add(r: RejectedRow): void {
    this.rows.push(r);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function useCase(writer: RawKlineWriter, src: CandleSource, batchSize: number, rejects = new Rejects(), signal?: StopSignal) {
  return new Backfill1mCandlesUseCase({ source: src, writer, clock: new FixedClock(T0), batchSize, markets, rejects, logger: silentLogger, ...(signal ? { signal } : {}) });
}

describe('Backfill1mCandlesUseCase', () => {
  it('re-batches rows across chunks into batches of batchSize, in order', async () => {
    const w = new RecordingWriter();
    const { report, failure } = await useCase(w, source([chunk('a', 7), chunk('a', 5, 7)]), 4).run(command);
    expect(failure).toBeUndefined();
    expect(w.batches.map((b) => b.times.length)).toEqual([4, 4, 4]);
    expect(w.batches.flatMap((b) => b.times)).toEqual(Array.from({ length: 12 }, (_, i) => T0 + i * 60_000));
    expect(w.batches[0]?.key).toBe('binance:spot:BTCUSDT');
    expect(w.batches[0]?.trades).toEqual([7, 7, 7, 7]);
    expect(report).toMatchObject({ candles_read: 12, rows_written: 12, batches_written: 3, rows_rejected: 0, outcome: 'success' });
  });

  it('copies each chunk before asking for the next: a source that refills the same arrays loses nothing', async () => {
    // The port lets an adapter reuse a chunk's arrays once the next chunk is asked for (the Parquet source may).
    const shared = chunk('a', 5);
    const refilling: CandleSource = {
      open: async () => {
        const scan = await source([]).open(command);
        return {
          ...scan,
          files: [{ path: 'a', layout: 'binance', timeColumn: 'open_time', timeUnit: 'ms', timeIsTimestampType: false, totalRows: 15, hasSymbolColumn: false }],
          async *batches() {
            for (let k = 0; k < 3; k++) {
              const again = chunk('a', 5, k * 5);
              shared.batch.openTimeMs.set(again.batch.openTimeMs);
              shared.rowNumbers.set(again.rowNumbers);
              await Promise.resolve();
              yield shared;
            }
            // Scribble over the arrays after the last chunk too.
            shared.batch.openTimeMs.fill(0);
          },
        };
      },
    };
    const w = new RecordingWriter();
    const { report } = await useCase(w, refilling, 4).run(command);
    expect(report.rows_written).toBe(15);
    expect(w.batches.flatMap((b) => b.times)).toEqual(Array.from({ length: 15 }, (_, i) => T0 + i * 60_000));
  });

  it('rejects invalid rows by reason with file and row number, and writes the rest', async () => {
    const w = new RecordingWriter();
    const rejects = new Rejects();
    const bad = chunk('f.parquet', 6, 0, (b, i) => {
      if (i === 1) b.openTimeMs[i] = T0 + 60_000 + 1;
      if (i === 2) b.close[i] = NaN;
      if (i === 3) b.volume[i] = -1;
      if (i === 4) b.low[i] = 1000;
    });
    const { report } = await useCase(w, source([bad]), 100, rejects).run(command);
    expect(report.rejected_by_reason).toEqual({ time_not_minute_aligned: 1, non_finite_value: 1, negative_value: 1, high_low_inconsistent: 1, duplicate_minute: 0 });
    expect(report.rows_written).toBe(2);
    expect(rejects.rows.map((r) => [r.file, r.row, r.reason])).toEqual([
      ['f.parquet', 2, 'time_not_minute_aligned'],
      ['f.parquet', 3, 'non_finite_value'],
      ['f.parquet', 4, 'negative_value'],
      ['f.parquet', 5, 'high_low_inconsistent'],
    ]);
    expect(w.batches.flatMap((b) => b.times)).toEqual([T0, T0 + 5 * 60_000]);
  });

  it('reports how many batches were written when a write fails', async () => {
    const w = new RecordingWriter();
    w.failOn = 1;
    const { report, failure } = await useCase(w, source([chunk('a', 10)]), 3).run(command);
    expect(failure).toBeInstanceOf(SinkError);
    expect(failure?.message).toMatch(/server gone \(1 batch, 3 rows were written before the failure\)/);
    expect(report).toMatchObject({ outcome: 'failed', batches_written: 1, rows_written: 3 });
  });

  it('stops on abort and reports an interruption', async () => {
    const w = new RecordingWriter();
    const ac = new AbortController();
    ac.abort(new InterruptedError('SIGTERM'));
    const { report, failure } = await useCase(w, source([chunk('a', 3)]), 2, new Rejects(), ac.signal).run(command);
    expect(failure).toBeInstanceOf(InterruptedError);
    expect(report.outcome).toBe('interrupted');
  });

  it('fills missing optional columns with NaN (unknown)', async () => {
    const w = new RecordingWriter();
    const c = chunk('a', 2);
    const noTrades: SourceChunk = { ...c, batch: { ...c.batch, trades: null } };
    await useCase(w, source([noTrades]), 10).run(command);
    expect(w.batches[0]?.trades.every(Number.isNaN)).toBe(true);
    expect(OPTIONAL_CANDLE_COLUMNS).toContain('trades');
  });
});

describe('checkCandle', () => {
  it('accepts a valid candle and unknown optional values', () => {
    const c = chunk('a', 1);
    c.batch.trades![0] = NaN;
    expect(checkCandle(c.batch, 0)).toBeUndefined();
  });
  it('rejects infinite optional values and high below low', () => {
    const c = chunk('a', 2, 0, (b, i) => {
      if (i === 0) b.trades![i] = Infinity;
      if (i === 1) b.high[i] = 1;
    });
    expect(checkCandle(c.batch, 0)?.reason).toBe('non_finite_value');
    expect(checkCandle(c.batch, 1)?.reason).toBe('high_low_inconsistent');
  });
});

describe('Backfill1mCandlesUseCase units (files) for the run ledger', () => {
  function recorder() {
    const finished: { name: string; done: boolean; written: number }[] = [];
    const hooks = {
      begin() {},
      started() {},
      rows() {},
      finished: (u: { name: string; done: boolean; written: number }) => {
        finished.push({ name: u.name, done: u.done, written: u.written });
        return Promise.resolve();
      },
      end() {},
    };
    return { finished, hooks };
  }

  it('a file is done once the batch holding its last row is committed', async () => {
    const w = new RecordingWriter();
    const { finished, hooks } = recorder();
    const uc = new Backfill1mCandlesUseCase({ source: source([chunk('a', 5), chunk('b', 6, 5)]), writer: w, clock: new FixedClock(T0), batchSize: 4, markets, rejects: new Rejects(), logger: silentLogger, hooks });
    const { failure } = await uc.run(command);
    expect(failure).toBeUndefined();
    expect(finished).toEqual([
      { name: 'a', done: true, written: 5 },
      { name: 'b', done: true, written: 6 },
    ]);
  });

  it('after a failed write, files whose rows were all committed are done and the others are not', async () => {
    const w = new RecordingWriter();
    w.failOn = 2; // the third batch fails: a (rows 0-4) is in batches 1-2, b (rows 5-10) in batches 2-3
    const { finished, hooks } = recorder();
    const uc = new Backfill1mCandlesUseCase({ source: source([chunk('a', 5), chunk('b', 6, 5)]), writer: w, clock: new FixedClock(T0), batchSize: 4, markets, rejects: new Rejects(), logger: silentLogger, hooks });
    const { failure, report } = await uc.run(command);
    expect(failure).toBeInstanceOf(SinkError);
    expect(report.batches_written).toBe(2);
    expect(finished).toEqual([
      { name: 'a', done: true, written: 5 },
      { name: 'b', done: false, written: 0 },
    ]);
  });

  it('a file cut by a failure is recorded with the rows of it that were committed', async () => {
    const w = new RecordingWriter();
    w.failOn = 3; // batches: a [4, 1], b [4, 2]: the fourth (b's last 2 rows) fails
    const { finished, hooks } = recorder();
    const uc = new Backfill1mCandlesUseCase({ source: source([chunk('a', 5), chunk('b', 6, 5)]), writer: w, clock: new FixedClock(T0), batchSize: 4, markets, rejects: new Rejects(), logger: silentLogger, hooks });
    const { report } = await uc.run(command);
    expect(finished).toEqual([
      { name: 'a', done: true, written: 5 },
      { name: 'b', done: false, written: 4 },
    ]);
    expect(report.input_files.map((f) => [f.path, f.rows_written])).toEqual([['a', 5], ['b', 4]]);
  });
});

describe('Backfill1mCandlesUseCase overlaps', () => {
  it('a batch holds one file; its version is run start * 2^20 + the file ordinal', async () => {
    const w = new RecordingWriter();
    await useCase(w, source([chunk('a', 5), chunk('b', 6, 3)]), 4).run(command);
    expect(w.batches.map((b) => [b.times.length, b.version])).toEqual([
      [4, klineVersion(T0, 0)],
      [1, klineVersion(T0, 0)],
      [4, klineVersion(T0, 1)],
      [2, klineVersion(T0, 1)],
    ]);
    expect(klineVersion(T0, 1)).toBe(BigInt(T0) * 1_048_576n + 1n);
  });

  it('a minute repeated in one file is rejected as duplicate_minute, the first kept; across files both are written', async () => {
    const w = new RecordingWriter();
    const rejects = new Rejects();
    const { report } = await useCase(w, source([chunk('a', 3), chunk('a', 2, 1), chunk('b', 2, 1)]), 100, rejects).run(command);
    expect(report.rejected_by_reason.duplicate_minute).toBe(2);
    expect(rejects.rows.map((r) => [r.file, r.row, r.reason])).toEqual([['a', 2, 'duplicate_minute'], ['a', 3, 'duplicate_minute']]);
    expect(w.batches.map((b) => b.times.length)).toEqual([3, 2]);
  });
});
