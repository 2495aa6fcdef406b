/** One rejected input row: where it came from, why, and the raw values. */
export interface RejectedRow {
  readonly file: string;
  /** 1-based row (Parquet) or line (CSV) number in the file. */
  readonly row: number;
  readonly reason: string;
  readonly detail: string;
  /** The row's values as read, for the reject file. */
  readonly values: Readonly<Record<string, string | number | null>>;
}

/** Port: where rejected rows go (adapter: a CSV reject file, or nowhere). */
export interface RejectSink {
  add(row: RejectedRow): void;
  close(): Promise<void>;
}

export const discardRejects: RejectSink = {
  add() {},
  close: () => Promise.resolve(),
};
