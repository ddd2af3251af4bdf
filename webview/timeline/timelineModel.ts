// The timeline's data for the run in view: the host's latest answer for the
// window on screen, the lanes seen so far, and the rows to draw, which follow
// the tree (its order from the host; what the tree's search and collapsed
// nodes hide is hidden here too). Requests go out one at a time; a change
// while one is out is asked for when it comes back. The program's text in an
// answer is made visible as it arrives (programText.ts).
import type { WebviewMessage } from '../../contract/messages';
import type { TimelineBand, TimelineData, TimelineLane, TimelineLine } from '../../contract/timeline';
import { visibleTimeline } from '../tree/programText';

/** An answer not back after this long is taken as lost. */
const ANSWER_TIMEOUT_MS = 3000;
/** Walks up the ancestors stop here (a malformed stream's loop). */
const MAX_DEPTH = 200;

export interface Window {
  from: number;
  to: number;
}

export interface BandRange {
  band: TimelineBand;
  /** Rows it spans (indexes into `rows`). */
  first: number;
  last: number;
  depth: number;
}

export interface RowFilter {
  search: string;
  collapsed: ReadonlySet<string>;
  hideSystem: boolean;
}

export class TimelineModel {
  run: string | null = null;
  data: TimelineData | null = null;
  /** The window the user zoomed to; null: the whole run (a live run's end follows now). */
  zoom: Window | null = null;
  rows: TimelineLine[] = [];
  bands: BandRange[] = [];
  readonly lanes = new Map<number, TimelineLane>();
  private byId = new Map<number, TimelineLine>();
  private seq = 0;
  private inFlight: { seq: number; sent: number } | null = null;
  private wanted: { width: number; lanes: number[]; hideSystem: boolean; window: Window } | null = null;
  private filterKey = '';

  constructor(private readonly post: (m: WebviewMessage) => void) {}

  reset(run: string | null): void {
    if (run === this.run) return;
    this.run = run;
    this.data = null;
    this.zoom = null;
    this.rows = [];
    this.bands = [];
    this.lanes.clear();
    this.byId = new Map();
    this.inFlight = null;
    this.wanted = null;
    this.filterKey = '';
  }

  /** The window on screen: the zoom, or the whole run up to `now`. */
  window(now: number): Window {
    if (this.zoom) return this.zoom;
    const start = this.data?.start ?? 0;
    const end = Math.max(this.data?.end ?? 0, now, start + 1);
    return { from: start, to: end };
  }

  line(id: number): TimelineLine | undefined {
    return this.byId.get(id);
  }

  /** Asks the host for `window` with these lanes (now, or when the request out comes back). */
  request(window: Window, width: number, lanes: number[], hideSystem: boolean): void {
    if (this.run === null) return;
    this.wanted = { width, lanes, hideSystem, window };
    this.flush();
  }

  private flush(): void {
    const w = this.wanted;
    if (!w || this.run === null) return;
    if (this.inFlight && performance.now() - this.inFlight.sent < ANSWER_TIMEOUT_MS) return;
    this.wanted = null;
    const seq = ++this.seq;
    this.inFlight = { seq, sent: performance.now() };
    this.post({
      type: 'timeline',
      request: {
        run: this.run,
        seq,
        from: w.window.from,
        to: w.window.to,
        width: Math.round(w.width),
        lanes: w.lanes,
        hideSystem: w.hideSystem,
      },
    });
  }

  /** The host's answer; true when it is for the run in view (and was taken). */
  receive(d: TimelineData): boolean {
    if (d.run !== this.run || d.seq < (this.data?.seq ?? 0)) return false;
    if (this.inFlight && d.seq === this.inFlight.seq && !d.partial) this.inFlight = null;
    this.data = visibleTimeline(d);
    this.byId = new Map(d.lines.map((l) => [l.id, l]));
    for (const lane of d.lanes) this.lanes.set(lane.id, lane);
    this.filterKey = '';
    this.flush();
    return true;
  }

  /** The rows to draw (the tree's filters); recomputed only when data or filters changed. */
  filter(f: RowFilter): void {
    const key = `${this.data?.seq ?? -1}\u0000${f.search}\u0000${f.hideSystem}\u0000${[...f.collapsed].join(',')}`;
    if (key === this.filterKey) return;
    this.filterKey = key;
    const lines = this.data?.lines ?? [];
    const bands = new Map((this.data?.bands ?? []).map((b) => [b.id, b]));
    const up = (id: number): number | null => this.byId.get(id)?.parent ?? bands.get(id)?.owner ?? null;
    const hidden = (l: TimelineLine): boolean => {
      if (f.hideSystem && l.system) return true;
      if (f.search && !l.name.toLowerCase().includes(f.search)) return true;
      let at = l.parent;
      for (let d = 0; at !== null && d < MAX_DEPTH; d++) {
        if (f.collapsed.has(String(at))) return true;
        at = up(at);
      }
      return false;
    };
    this.rows = lines.filter((l) => !hidden(l));
    const ranges = new Map<number, BandRange>();
    this.rows.forEach((l, i) => {
      let at = l.parent;
      for (let d = 0; at !== null && d < MAX_DEPTH; d++) {
        const band = bands.get(at);
        if (band) {
          const r = ranges.get(band.id);
          if (r) r.last = i;
          else ranges.set(band.id, { band, first: i, last: i, depth: 0 });
        }
        at = up(at);
      }
    });
    // Outer bands first, so inner ones are drawn over them; depth shades them.
    this.bands = [...ranges.values()].sort((a, b) => a.first - b.first || b.last - a.last);
    for (const r of this.bands) {
      let at = up(r.band.id);
      for (let d = 0; at !== null && d < MAX_DEPTH; d++) {
        if (ranges.has(at)) r.depth++;
        at = up(at);
      }
    }
  }
}
