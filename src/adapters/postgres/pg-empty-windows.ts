type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface DateWindow {
  readonly fromDate: string;
  readonly toDate: string;
}

/** Windows a vendor answered with no bars, per ticker and interval (table barfill_empty_windows). */
export class PgEmptyWindows {
  constructor(private readonly query: Query) {}

  async record(vendor: string, ticker: string, intervalMinutes: number, w: DateWindow): Promise<void> {
    await this.query(
      `INSERT INTO barfill_empty_windows (vendor, ticker, interval_minutes, from_date, to_date) VALUES ($1, $2, $3, $4::date, $5::date)
       ON CONFLICT (vendor, ticker, interval_minutes, from_date, to_date) DO UPDATE SET recorded_at = now()`,
      [vendor, ticker, intervalMinutes, w.fromDate, w.toDate],
    );
  }

  /** Recorded windows overlapping [fromDate, toDate]. */
  async overlapping(ticker: string, intervalMinutes: number, fromDate: string, toDate: string): Promise<DateWindow[]> {
    const rows = await this.query(
      `SELECT to_char(from_date, 'YYYY-MM-DD') AS f, to_char(to_date, 'YYYY-MM-DD') AS t FROM barfill_empty_windows
        WHERE ticker = $1 AND interval_minutes = $2 AND from_date <= $4::date AND to_date >= $3::date ORDER BY from_date`,
      [ticker, intervalMinutes, fromDate, toDate],
    );
    return rows.map((r) => ({ fromDate: String(r['f']), toDate: String(r['t']) }));
  }
}
