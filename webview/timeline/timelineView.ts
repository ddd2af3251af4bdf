// Draws the timeline strip with keyed D3 joins: on top the live-task curve,
// the time axis, drop marks, the loop's blocks (lints, behind the curve) and
// the coarse part of a long run's history; below it one row per task (only
// the rows on screen are in the DOM): its name, its lane coloured by its
// sampled states from spawn to exit, the mark of how it ended, its deadline,
// flag and lint marks (a block spans its interval), the nurseries as bands
// behind their tasks; and the time cursor across both. Program text goes in
// as text.
import { select, type Selection } from 'd3-selection';
import type { TimelineLane, TimelineLine, TimelineMark } from '../../contract/timeline';
import { SHAPE } from '../tree/shapes';
import { stateClass, stateIcon } from '../tree/taskStates';
import type { BandRange, Window } from './timelineModel';
import { laneNames } from './laneNames';
import { tickLabel, ticks } from './timeWords';

export const TOP_HEIGHT = 46;
const CURVE_HEIGHT = 28;
export const ROW_HEIGHT = 16;
const BAR_HEIGHT = 8;
const RIGHT_PAD = 10;
const END_SCALE = 0.62;

/** Everything one drawing of the strip reads. */
export interface StripFrame {
  window: Window;
  width: number;
  /** Height of the rows' viewport, and how far it is scrolled. */
  height: number;
  scrollTop: number;
  rows: TimelineLine[];
  bands: BandRange[];
  lanes: ReadonlyMap<number, TimelineLane>;
  marks: TimelineMark[];
  curve: { t: number[]; n: number[] };
  /** The first moment held and where the exact history starts. */
  start: number;
  exactFrom: number;
  /** The cursor: a past moment, or null when live (then at `now`). */
  at: number | null;
  now: number;
  paused: number | null;
  selected: number | null;
}

type G = Selection<SVGGElement, unknown, null, undefined>;

/** The horizontal scale of a frame: ms ↔ px. */
export class TimeScale {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly x0: number,
    readonly x1: number,
  ) {}
  x(t: number): number {
    return this.x0 + ((t - this.from) / (this.to - this.from || 1)) * (this.x1 - this.x0);
  }
  t(x: number): number {
    return this.from + ((x - this.x0) / (this.x1 - this.x0 || 1)) * (this.to - this.from);
  }
}

/**
 * The live-task curve's label, as long as the names' gutter (`room` px, at
 * 10 px text ~5.6 px a character) holds: over the curve itself it hid the
 * run's first moments in a narrow strip.
 */
export function curveLabel(most: number, room: number): string {
  const n = most.toLocaleString('en-US');
  const words = [`live tasks · up to ${n}`, `live tasks ≤ ${n}`, `≤ ${n} live`];
  return words.find((w) => w.length * 5.6 + 8 <= room) ?? `≤ ${n}`;
}

/** Room for task names at the left of a strip `width` px wide. */
export const gutterOf = (width: number): number => Math.round(Math.min(200, Math.max(64, width * 0.2)));

export function scaleOf(f: { window: Window; width: number }): TimeScale {
  return new TimeScale(
    f.window.from,
    f.window.to,
    gutterOf(f.width),
    Math.max(gutterOf(f.width) + 10, f.width - RIGHT_PAD),
  );
}

/** The first and last row index on screen (a row's worth of margin each side). */
export function visibleRows(f: { scrollTop: number; height: number; rows: readonly unknown[] }): [number, number] {
  const first = Math.max(0, Math.floor(f.scrollTop / ROW_HEIGHT) - 1);
  return [first, Math.min(f.rows.length, Math.ceil((f.scrollTop + f.height) / ROW_HEIGHT) + 1)];
}

/** A lint drawn on the top area: every block, and warnings outside any task. */
export const onTop = (m: TimelineMark): boolean => m.kind === 'blocked' || (m.kind === 'warning' && m.id === undefined);

/** The marks of a moment, or of an interval (a block) overlapping the window. */
const inWindow = (m: TimelineMark, w: Window): boolean => m.t <= w.to && (m.until ?? m.t) >= w.from;

/** A mark's path around `y` (its middle): a block spans its interval, a warning is a triangle, others a diamond. */
function markPath(m: TimelineMark, sc: TimeScale, y: number, half: number): string {
  const x = sc.x(m.t);
  if (m.kind === 'blocked') {
    const x0 = Math.max(sc.x0, x);
    const w = Math.max(2, Math.min(sc.x1, sc.x(m.until ?? m.t)) - x0);
    return `M${x0.toFixed(1)},${y - half}h${w.toFixed(1)}v${2 * half}h${(-w).toFixed(1)}Z`;
  }
  if (m.kind === 'warning') return `M${x.toFixed(1)},${y - 6}l6,11h-12Z`;
  return `M${x.toFixed(1)},${y - 5}l4,5l-4,5l-4,-5Z`;
}

const bar = (x0: number, x1: number, y: number): string =>
  `M${x0.toFixed(1)},${y}h${Math.max(1, x1 - x0).toFixed(1)}v${BAR_HEIGHT}h${(-Math.max(1, x1 - x0)).toFixed(1)}Z`;

export class StripView {
  private readonly top: G;
  private readonly topLints: G;
  private readonly rowsG: G;
  private readonly bandsG: G;
  private readonly futureRect: Selection<SVGRectElement, unknown, null, undefined>;
  private readonly rowsCursor: Selection<SVGLineElement, unknown, null, undefined>;
  /** The frame drawn last: when only the cursor moved since (a scrub), only the cursor is drawn again. */
  private last: StripFrame | null = null;

  constructor(topSvg: SVGSVGElement, rowsSvg: SVGSVGElement) {
    this.top = select(topSvg).append('g').attr('class', 'tl-top');
    this.topLints = this.top.append('g').attr('class', 'tl-top-lints'); // first: behind the curve
    const rows = select(rowsSvg);
    this.bandsG = rows.append('g').attr('class', 'tl-bands');
    this.rowsG = rows.append('g').attr('class', 'tl-rows');
    this.futureRect = rows.append('rect').attr('class', 'tl-future');
    this.rowsCursor = rows.append('line').attr('class', 'tl-cursor-line');
  }

  draw(f: StripFrame): void {
    const sc = scaleOf(f);
    const onlyCursor = this.last !== null && onlyCursorMoved(this.last, f);
    this.last = f;
    if (!onlyCursor) {
      this.drawTop(f, sc);
      this.drawRows(f, sc);
    }
    this.drawCursor(f, sc);
  }

  private drawTop(f: StripFrame, sc: TimeScale): void {
    const g = this.top;
    const coarse = f.exactFrom > f.start ? [Math.max(f.window.from, f.start)] : [];
    g.selectAll<SVGRectElement, number>('rect.tl-coarse')
      .data(coarse)
      .join('rect')
      .attr('class', 'tl-coarse')
      .attr('x', (s) => sc.x(s))
      .attr('y', 0)
      .attr('height', TOP_HEIGHT)
      .attr('width', (s) => Math.max(0, Math.min(sc.x1, sc.x(f.exactFrom)) - sc.x(s)));
    // The live-task curve: steps, scaled to the most in the window.
    const { t, n } = f.curve;
    const most = Math.max(1, ...n);
    const y = (v: number) => CURVE_HEIGHT - (v / most) * (CURVE_HEIGHT - 4);
    let d = '';
    for (let i = 0; i < t.length; i++) {
      const x = Math.max(sc.x0, Math.min(sc.x1, sc.x(t[i])));
      d += i === 0 ? `M${x.toFixed(1)},${y(n[i]).toFixed(1)}` : `H${x.toFixed(1)}V${y(n[i]).toFixed(1)}`;
    }
    if (t.length) d += `H${Math.min(sc.x1, sc.x(f.at === null ? f.now : Math.max(f.now, t[t.length - 1]))).toFixed(1)}`;
    const area = d ? `${d}V${CURVE_HEIGHT}H${Math.max(sc.x0, sc.x(t[0])).toFixed(1)}Z` : '';
    g.selectAll('path.tl-curve-area').data([0]).join('path').attr('class', 'tl-curve-area').attr('d', area);
    g.selectAll('path.tl-curve').data([0]).join('path').attr('class', 'tl-curve').attr('d', d);
    g.selectAll('text.tl-curve-label')
      .data([0])
      .join('text')
      .attr('class', 'tl-curve-label')
      .attr('x', 6)
      .attr('y', 12)
      .text(curveLabel(most, sc.x0));
    // The axis.
    const tk = ticks(f.window.from, f.window.to, sc.x1 - sc.x0);
    const step = tk.length > 1 ? tk[1] - tk[0] : f.window.to - f.window.from;
    g.selectAll('line.tl-axis')
      .data([0])
      .join('line')
      .attr('class', 'tl-axis')
      .attr('x1', sc.x0)
      .attr('x2', sc.x1)
      .attr('y1', CURVE_HEIGHT + 0.5)
      .attr('y2', CURVE_HEIGHT + 0.5);
    const tick = g
      .selectAll<SVGGElement, number>('g.tl-tick')
      .data(tk, (v) => String(v))
      .join((e) => {
        const t2 = e.append('g').attr('class', 'tl-tick');
        t2.append('line')
          .attr('y1', CURVE_HEIGHT)
          .attr('y2', CURVE_HEIGHT + 4);
        t2.append('text').attr('y', CURVE_HEIGHT + 14);
        return t2;
      });
    tick.attr('transform', (v) => `translate(${sc.x(v).toFixed(1)},0)`);
    // A label at either edge keeps inside the strip.
    tick
      .select('text')
      .text((v) => tickLabel(v, step, f.window.to))
      .attr('text-anchor', (v) => (sc.x(v) > f.width - 24 ? 'end' : sc.x(v) < sc.x0 + 12 ? 'start' : 'middle'));
    // Drops: where the picture may miss something.
    const drops = f.marks.filter((m) => m.kind === 'dropped' && m.t >= f.window.from && m.t <= f.window.to);
    g.selectAll<SVGPathElement, TimelineMark>('path.tl-drop')
      .data(drops)
      .join('path')
      .attr('class', 'tl-drop')
      .attr('d', (m) => `M${sc.x(m.t).toFixed(1)},${CURVE_HEIGHT - 7}l4,7h-8Z`);
    // Lints of the run: the loop's blocks across the curve (no task ran then), warnings outside any task.
    this.topLints
      .selectAll<SVGPathElement, TimelineMark>('path')
      .data(f.marks.filter((m) => onTop(m) && inWindow(m, f.window)))
      .join('path')
      .attr('class', (m) => `tl-mark ${m.kind}${m.ongoing ? ' ongoing' : ''}`)
      .attr('d', (m) => markPath(m, sc, CURVE_HEIGHT / 2, CURVE_HEIGHT / 2));
  }

  /** The cursor and its handle; over the rows, its line and the moments after it dimmed. */
  private drawCursor(f: StripFrame, sc: TimeScale): void {
    const at = f.at ?? f.paused ?? f.now;
    const cx = Math.max(sc.x0, Math.min(sc.x1, sc.x(at)));
    const cls = `tl-cursor${f.at === null ? ' live' : ''}${f.paused !== null ? ' paused' : ''}`;
    const cur = this.top
      .selectAll('g.tl-cursor')
      .data([0])
      .join((e) => {
        const c = e.append('g').attr('class', 'tl-cursor');
        c.append('line').attr('y1', 0).attr('y2', TOP_HEIGHT);
        c.append('path').attr('class', 'tl-handle').attr('d', 'M-6,0h12l-6,8Z');
        return c;
      });
    cur.attr('class', cls).attr('transform', `translate(${cx.toFixed(1)},0)`);
    // The moments after the cursor, dimmed: the tree shows the run before them.
    const total = f.rows.length * ROW_HEIGHT;
    this.futureRect
      .attr('x', cx)
      .attr('y', 0)
      .attr('width', f.at === null ? 0 : Math.max(0, sc.x1 - cx))
      .attr('height', total);
    this.rowsCursor
      .attr('class', `tl-cursor-line${f.at === null ? ' live' : ''}`)
      .attr('x1', cx)
      .attr('x2', cx)
      .attr('y1', 0)
      .attr('y2', total);
  }

  private drawRows(f: StripFrame, sc: TimeScale): void {
    const [first, last] = visibleRows(f);
    const shown = f.rows.slice(first, last);
    const rowY = (i: number) => i * ROW_HEIGHT;
    // Bands behind: a nursery's span over the rows of its tasks.
    const bands = f.bands.filter((b) => b.last >= first && b.first <= last);
    this.bandsG
      .selectAll<SVGRectElement, BandRange>('rect.tl-band')
      .data(bands, (b) => String(b.band.id))
      .join('rect')
      .attr('class', (b) => `tl-band depth-${b.depth % 3}${b.band.system ? ' system' : ''}`)
      .attr('x', (b) => Math.max(sc.x0, sc.x(b.band.opened)))
      .attr('width', (b) =>
        Math.max(2, Math.min(sc.x1, sc.x(b.band.closed ?? f.now)) - Math.max(sc.x0, sc.x(b.band.opened))),
      )
      .attr('y', (b) => rowY(b.first) + 1)
      .attr('height', (b) => (b.last - b.first + 1) * ROW_HEIGHT - 2);
    const cutOf = f.width >= 260 ? laneNames(shown, f.rows, Math.floor((sc.x0 - 10) / 6.5)) : new Map<number, string>();
    const row = this.rowsG
      .selectAll<SVGGElement, TimelineLine>('g.tl-row')
      .data(shown, (l) => String(l.id))
      .join((e) => {
        const r = e.append('g').attr('class', 'tl-row');
        r.append('rect').attr('class', 'tl-row-bg').attr('x', 0).attr('height', ROW_HEIGHT);
        r.append('text')
          .attr('class', 'tl-name')
          .attr('x', 6)
          .attr('y', ROW_HEIGHT - 4);
        r.append('line')
          .attr('class', 'tl-life')
          .attr('y1', ROW_HEIGHT / 2)
          .attr('y2', ROW_HEIGHT / 2);
        for (const s of ['running', 'scheduled', 'waiting'])
          r.append('path').attr('class', `tl-seg ${stateClass(s as 'running')}`);
        r.append('g').attr('class', 'tl-marks');
        const end = r.append('g').attr('class', 'tl-end');
        end.append('path').attr('class', 'shape').attr('d', SHAPE.task);
        end.append('path').attr('class', 'icon');
        return r;
      });
    row
      .attr('transform', (_l, i) => `translate(0,${rowY(first + i)})`)
      .attr('data-id', (l) => String(l.id))
      .classed('selected', (l) => l.id === f.selected)
      .classed('system', (l) => l.system === true);
    row.select('rect.tl-row-bg').attr('width', f.width);
    row.select<SVGTextElement>('text.tl-name').text((l) => cutOf.get(l.id) ?? '');
    row
      .select('line.tl-life')
      .attr('x1', (l) => Math.max(sc.x0, sc.x(l.spawned)))
      .attr('x2', (l) => Math.max(sc.x0, Math.min(sc.x1, sc.x(l.exited ?? f.now))));
    for (const s of ['running', 'scheduled', 'waiting'] as const) {
      row.select(`path.tl-seg.${stateClass(s)}`).attr('d', (l) => segments(l, f.lanes.get(l.id), s, sc, f.now));
    }
    row
      .select('g.tl-end')
      .attr('class', (l) => `tl-end ${l.end ? stateClass(l.end) : ''}`)
      .attr('display', (l) =>
        l.exited === undefined || l.exited < f.window.from || l.exited > f.window.to ? 'none' : null,
      )
      .attr('transform', (l) => `translate(${sc.x(l.exited ?? 0).toFixed(1)},${ROW_HEIGHT / 2}) scale(${END_SCALE})`)
      .select('path.icon')
      .attr('d', (l) => (l.end ? stateIcon(l.end) : ''));
    const marksOf = (l: TimelineLine) =>
      f.marks.filter((m) => m.id === l.id && m.kind !== 'dropped' && inWindow(m, f.window));
    row
      .select('g.tl-marks')
      .selectAll<SVGPathElement, TimelineMark>('path')
      .data(marksOf)
      .join('path')
      .attr('class', (m) => `tl-mark ${m.kind}${m.ongoing ? ' ongoing' : ''}`)
      .attr('d', (m) => markPath(m, sc, ROW_HEIGHT / 2, ROW_HEIGHT / 2 - 1.5));
  }
}

/** True when `b` differs from `a` only in where a past cursor is (the curve ends at now while live: not then). */
function onlyCursorMoved(a: StripFrame, b: StripFrame): boolean {
  return (
    a.at !== null &&
    b.at !== null &&
    a.window.from === b.window.from &&
    a.window.to === b.window.to &&
    a.width === b.width &&
    a.height === b.height &&
    a.scrollTop === b.scrollTop &&
    a.rows === b.rows &&
    a.bands === b.bands &&
    a.lanes === b.lanes &&
    a.marks === b.marks &&
    a.curve === b.curve &&
    a.start === b.start &&
    a.exactFrom === b.exactFrom &&
    a.now === b.now &&
    a.paused === b.paused &&
    a.selected === b.selected
  );
}

/** One path of every stretch of `state` in a task's lane, within the window. */
function segments(l: TimelineLine, lane: TimelineLane | undefined, state: string, sc: TimeScale, now: number): string {
  if (!lane) return '';
  const stop = l.exited ?? now;
  let d = '';
  const y = (ROW_HEIGHT - BAR_HEIGHT) / 2;
  for (let i = 0; i < lane.t.length; i++) {
    if (lane.s[i] !== state) continue;
    const a = Math.max(lane.t[i], sc.from);
    const b = Math.min(i + 1 < lane.t.length ? lane.t[i + 1] : stop, sc.to, stop);
    if (b < sc.from || a > sc.to || b < a) continue;
    d += bar(sc.x(a), sc.x(b), y);
  }
  return d;
}

/** A task's state at moment `t`, from its lane (null when unknown there). */
export function stateAt(lane: TimelineLane | undefined, t: number): string | null {
  if (!lane) return null;
  let s: string | null = null;
  for (let i = 0; i < lane.t.length && lane.t[i] <= t; i++) s = lane.s[i];
  return s;
}
