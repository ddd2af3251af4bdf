// A run's events in the order the reducer took them, compact (eventCodec.ts)
// and append-only, in pages of PAGE events: position p is the state after
// the first p events. Time is searchable (each position carries the newest
// ts up to it); old pages can be let go whole, and then positions before
// `start` are no longer held.
import { SiteTable } from './internTable';
import { decode, encode, grown, INTS, K, newPage, PAGE, ref, SYSTEM_BIT, type Logged, type Page } from './eventCodec';

const PAGE_SHIFT = Math.log2(PAGE);
/** The columns of one event, in bytes. */
const EVENT_BYTES = 1 + 1 + 8 + 4 * INTS;
/** A run's first page starts with room for this many events. */
const FIRST_ROOM = 256;
/** Rough cost of a side-table entry that is not a string (a site, an error, a cancel). */
const REF_BYTES = 80;

export class EventLog {
  /** Pages in order; a page let go is null. */
  private readonly pages: (Page | null)[] = [];
  private total = 0;
  private first = 0;
  private newest = 0;
  /** A ts lower than the newest before it, by position (rare: the ts column holds the newest). */
  private readonly ownTs = new Map<number, number>();
  private readonly sites = new SiteTable();
  private run = 1;
  private refBytes = 0;

  /** Positions held end here (events appended). */
  get length(): number {
    return this.total;
  }

  /** The first position still held (0 until old pages are let go). */
  get start(): number {
    return this.first;
  }

  /** The newest ts so far (0 before any). */
  get lastTs(): number {
    return this.newest;
  }

  /** `system`: the entry is about the library's own work (kept beside the event, see SYSTEM_BIT). */
  append(e: Logged, system = false): void {
    const pos = this.total;
    const i = pos & (PAGE - 1);
    let page = this.pages[pos >>> PAGE_SHIFT];
    if (!page) {
      const last = this.pages[this.pages.length - 1];
      if (last) last.refIndex = null; // a full page takes no new entries: its index can go
      page = newPage(this.pages.length ? PAGE : FIRST_ROOM);
      this.pages.push(page);
    } else if (i === page.kind.length) {
      page = grown(page);
      this.pages[pos >>> PAGE_SHIFT] = page;
    }
    // (Plain loads, not `in` tests: this runs for every event, on objects of many shapes.)
    const ts = (e as { ts?: unknown }).ts;
    if (typeof ts === 'number') {
      if (ts > this.newest) this.newest = ts;
      else if (ts < this.newest) this.ownTs.set(pos, ts);
    }
    if (pos === 0 && typeof (e as { run?: unknown }).run === 'number') this.run = (e as { run: number }).run;
    page.ts[i] = this.newest;
    const refs = page.refs.length;
    if (!encode(page, i, e, this.sites)) {
      page.kind[i] = 'mark' in e ? K.mark : K.whole;
      page.ints[i * INTS] = ref(page, e);
    }
    if (system) page.bits[i] |= SYSTEM_BIT;
    for (let r = refs; r < page.refs.length; r++) {
      const v = page.refs[r];
      this.refBytes += typeof v === 'string' ? 24 + 2 * v.length : REF_BYTES;
    }
    page.n++;
    this.total++;
  }

  /** The entry at position `pos` (start ≤ pos < length). */
  event(pos: number): Logged {
    const page = this.pages[pos >>> PAGE_SHIFT];
    if (!page) throw new RangeError(`history position ${pos} is no longer held`);
    const i = pos & (PAGE - 1);
    const own = this.ownTs.size ? this.ownTs.get(pos) : undefined;
    return decode(page, i, this.run, own ?? page.ts[i]);
  }

  /** The entry at `pos` (start ≤ pos < length) was appended as the library's own work. */
  system(pos: number): boolean {
    const page = this.pages[pos >>> PAGE_SHIFT];
    return page !== null && page !== undefined && (page.bits[pos & (PAGE - 1)] & SYSTEM_BIT) !== 0;
  }

  /** The newest ts up to and including position `pos`. */
  tsAt(pos: number): number {
    const page = this.pages[pos >>> PAGE_SHIFT];
    return page ? page.ts[pos & (PAGE - 1)] : 0;
  }

  /** How many entries have a time ≤ `t` (counting from 0; at least `start`). */
  countUpTo(t: number): number {
    let lo = this.first;
    let hi = this.total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tsAt(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Lets go of the pages wholly before position `pos`; returns the new start. */
  dropBefore(pos: number): number {
    const whole = Math.min(pos, this.total) >>> PAGE_SHIFT;
    for (let p = this.first >>> PAGE_SHIFT; p < whole; p++) {
      const page = this.pages[p];
      if (!page) continue;
      for (const v of page.refs) this.refBytes -= typeof v === 'string' ? 24 + 2 * v.length : REF_BYTES;
      this.pages[p] = null;
    }
    const start = Math.max(this.first, whole << PAGE_SHIFT);
    if (start !== this.first) {
      this.first = start;
      for (const k of this.ownTs.keys()) if (k < start) this.ownTs.delete(k);
    }
    return this.first;
  }

  /** Memory held, roughly, in bytes. */
  bytes(): number {
    let room = 0;
    for (let p = this.first >>> PAGE_SHIFT; p < this.pages.length; p++) room += this.pages[p]?.kind.length ?? 0;
    return room * EVENT_BYTES + this.refBytes + this.ownTs.size * 40;
  }
}
