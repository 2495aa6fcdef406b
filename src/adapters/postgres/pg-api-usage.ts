type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Requests made to a vendor per UTC day, kept in PostgreSQL across runs (table barfill_api_usage). */
export class PgApiUsage {
  constructor(private readonly query: Query) {}

  async usedOn(vendor: string, day: string): Promise<number> {
    const rows = await this.query('SELECT requests::float8 AS n FROM barfill_api_usage WHERE vendor = $1 AND day = $2::date', [vendor, day]);
    return Number(rows[0]?.['n'] ?? 0);
  }

  async add(vendor: string, day: string, requests: number): Promise<void> {
    if (requests <= 0) return;
    await this.query(
      `INSERT INTO barfill_api_usage (vendor, day, requests) VALUES ($1, $2::date, $3)
       ON CONFLICT (vendor, day) DO UPDATE SET requests = barfill_api_usage.requests + EXCLUDED.requests`,
      [vendor, day, requests],
    );
  }
}
