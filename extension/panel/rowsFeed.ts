// When the selected run's rows, and the run list, go to the page. Changes
// are batched: one delta per interval at most, and the run list when runs
// come, go or change status (their counts at most every RUNS_INTERVAL_MS).
// And paced: the next delta only once the page has drawn the last (its
// `drawn`), meanwhile the run's changes merge into one (RunState.takeDelta).
// A page slower than the program (a loaded machine, a tree of thousands)
// then gets fewer, larger deltas, never a queue: sent every interval whatever
// the page did, a 2,000-task crawler's deltas queued behind the page's frames
// on a loaded machine until the panel, and code-server's status bar in the
// same renderer, showed the program as it was 30 s before.
import type { HostMessage } from '../../contract/messages';
import type { RunInfo } from '../../contract/rows';
import type { RunStore } from '../store/runStore';
import { messageOf } from '../errorMessage';

/** At most one delta per run per interval. */
export const DELTA_INTERVAL_MS = 50;
/** Counts in the run list refresh this often; status and membership changes go out with the next delta tick. */
const RUNS_INTERVAL_MS = 500;
/**
 * A page that has not said `drawn` this long gets the next delta anyway: only
 * for a page that failed to say it. A starved page takes seconds to receive
 * one large delta: with a 2 s wait a delta went every 2 s to a page that took
 * 10 s each, and they queued in the pipe (65 s behind at the end); with 10 s,
 * 30 s. A hidden page, whose frames stop, keeps the changes merged here.
 */
export const DRAWN_WAIT_MS = 60_000;

/** The bridge, as the feed sees it. */
export interface FeedPage {
  /** The page is there (it said `ready`, and was not hidden since). */
  attached(): boolean;
  selected(): string | null;
  post(message: HostMessage): void;
  /** The run list is due: the bridge sends it, and calls runsPosted. */
  postRuns(): void;
  warn(message: string): void;
}

export class RowsFeed {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The held delta's retry after DRAWN_WAIT_MS (apart from the tick, which the run list keeps using). */
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** When the last snapshot or delta went to the page; null: the page drew it. */
  private sentAt: number | null = null;
  private runsDirty = true;
  private infoPending = false;
  private lastRunsPost = 0;
  /** Each run's status as the page last heard it. */
  private readonly statuses = new Map<string, string>();

  constructor(
    private readonly store: RunStore,
    private readonly page: FeedPage,
    private readonly now: () => number = Date.now,
  ) {}

  /** The run list changed (runs came or went): it goes with the next tick. */
  runsChanged(removed: readonly string[] = []): void {
    this.runsDirty = true;
    for (const k of removed) this.statuses.delete(k);
  }

  /** The bridge sent the run list. */
  runsPosted(runs: readonly RunInfo[]): void {
    this.runsDirty = false;
    this.infoPending = false;
    this.lastRunsPost = Date.now();
    for (const r of runs) this.statuses.set(r.key, r.status); // the page has these: no second list for them
  }

  /** The bridge sent a snapshot: the page owes its `drawn`. */
  snapshotSent(): void {
    this.sentAt = this.now();
  }

  /** The page drew what it was sent; or it is a new page (`ready`), which owes nothing. */
  drawn(): void {
    this.sentAt = null;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.schedule(); // what changed meanwhile
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushSafely();
    }, DELTA_INTERVAL_MS);
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (err) {
      this.page.warn(`panel update failed: ${messageOf(err)}`);
    }
  }

  /** Sends what changed since the last flush. */
  flush(): void {
    let infoChanged = false;
    const attached = this.page.attached();
    const selected = this.page.selected();
    for (const e of this.store.all()) {
      const s = e.state;
      const status = s.currentStatus;
      if (this.statuses.get(s.key) !== status) {
        this.statuses.set(s.key, status);
        this.runsDirty = true;
      }
      if (s.takeInfoChanged()) infoChanged = true;
      if (!attached || s.key !== selected) {
        s.discardDelta();
        continue;
      }
      const waited = this.sentAt === null ? Infinity : this.now() - this.sentAt;
      if (waited < DRAWN_WAIT_MS) {
        // The page is still drawing the last: the changes merge, and go when it has (or after the wait).
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          this.flushSafely();
        }, DRAWN_WAIT_MS - waited);
        continue;
      }
      const d = s.takeDelta();
      if (!d) continue;
      this.page.post({ type: 'delta', run: s.info(), upsert: d.upsert, remove: d.remove });
      this.sentAt = this.now();
    }
    if (infoChanged) this.infoPending = true;
    if (!attached) return;
    if (this.runsDirty || (this.infoPending && Date.now() - this.lastRunsPost >= RUNS_INTERVAL_MS))
      this.page.postRuns();
    else if (this.infoPending) this.schedule(); // counts changed: send them when the interval allows
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.retry);
    this.timer = this.retry = undefined;
  }
}
