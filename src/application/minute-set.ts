/**
 * A set of minutes (epoch ms on a minute boundary), as a bitmap in 8 KB pages
 * allocated for the spans actually seen: memory is bounded by the span of
 * minutes, one bit each (a year of minutes is 66 KB), never by the row count.
 */
const PAGE_BITS = 65_536;
const MINUTE_MS = 60_000;

export class MinuteSet {
  private pages = new Map<number, Uint32Array>();

  /** Adds the minute; false when it was already there. */
  add(openTimeMs: number): boolean {
    const minute = Math.floor(openTimeMs / MINUTE_MS);
    const pageNo = Math.floor(minute / PAGE_BITS);
    const bit = minute - pageNo * PAGE_BITS;
    let page = this.pages.get(pageNo);
    if (page === undefined) {
      page = new Uint32Array(PAGE_BITS / 32);
      this.pages.set(pageNo, page);
    }
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    const had = ((page[word] ?? 0) & mask) !== 0;
    page[word] = (page[word] ?? 0) | mask;
    return !had;
  }

  clear(): void {
    this.pages = new Map();
  }
}
