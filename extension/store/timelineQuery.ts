// One window of a run's timeline, as the panel asks for it: the tasks alive
// in it in the tree's order (parents before children, siblings by id), the
// nurseries around them, the lanes of the tasks on screen and the live-task
// curve, both no finer than a pixel, and the marks. Bounded whatever the
// run: at most MAX_LINES tasks (the rest counted), lanes only for the rows
// asked for. The marks of lints switched off in the settings are left out.
import type {
  TimelineBand,
  TimelineData,
  TimelineLane,
  TimelineLine,
  TimelineMark,
  TimelineRequest,
} from '../../contract/timeline';
import type { LiveState } from '../../contract/rows';
import { LOOSE, SYSTEM, type Lifelines } from './lifelines';
import { clip } from './rowEntries';
import { DEFAULT_LINT_SETTINGS, type LintSettings } from './runLints';

/** Tasks listed per window. */
export const MAX_LINES = 20_000;
/** Lanes sent per answer (rows on screen). */
const MAX_LANES = 400;
const MAX_MARKS = 4_000;
/** Deepest walk up a task's ancestors (a malformed stream's cycle stops here). */
const MAX_DEPTH = 2_000;

export interface Span {
  start: number;
  end: number;
  exactFrom: number;
}

/** The lints the user switched off leave no mark (their settings; absent: all on). */
export type LintSwitches = Pick<LintSettings, 'loopBlocked' | 'neverAwaited'>;

export function timelineData(
  lines: Lifelines,
  span: Span,
  req: TimelineRequest,
  partial: boolean,
  lints: LintSwitches = DEFAULT_LINT_SETTINGS,
): TimelineData {
  let from = Number.isFinite(req.from) ? req.from : span.start;
  let to = Number.isFinite(req.to) ? req.to : span.end;
  if (!(to > from)) [from, to] = [span.start, Math.max(span.end, span.start + 1)];
  const width = Math.min(4096, Math.max(1, Math.floor(req.width) || 1));
  const { picked, count } = alive(lines, from, to, req.hideSystem);
  const ordered = count <= MAX_LINES ? treeOrder(lines, picked) : picked;
  const shown = ordered.map((slot) => lineOf(lines, slot));
  return {
    run: req.run,
    seq: req.seq,
    start: span.start,
    end: span.end,
    exactFrom: span.exactFrom,
    from,
    to,
    lines: shown,
    more: count - shown.length,
    bands: bandsOf(lines, shown, from, to, req.hideSystem),
    lanes: (Array.isArray(req.lanes) ? req.lanes.slice(0, MAX_LANES) : []).flatMap((id) =>
      laneOf(lines, id, from, to, (to - from) / width, span.end),
    ),
    curve: curveOf(lines, from, to, width),
    marks: lines.marks.filter((m) => m.t <= to && (m.until ?? m.t) >= from && lintShown(m, lints)).slice(-MAX_MARKS),
    partial,
  };
}

const lintShown = (m: TimelineMark, lints: LintSwitches): boolean =>
  m.kind === 'blocked' ? lints.loopBlocked : m.kind === 'warning' ? lints.neverAwaited : true;

/** Slots of the tasks alive somewhere in [from, to] (up to MAX_LINES), and how many there are. */
function alive(lines: Lifelines, from: number, to: number, hideSystem: boolean): { picked: number[]; count: number } {
  const picked: number[] = [];
  let count = 0;
  for (let slot = 0; slot < lines.size; slot++) {
    if (hideSystem && lines.bits[slot] & SYSTEM) continue;
    const exited = lines.exited[slot];
    if (lines.spawned[slot] > to || exited < from) continue;
    count++;
    if (picked.length < MAX_LINES) picked.push(slot);
  }
  return { picked, count };
}

/** The picked slots in the tree's preorder: through every ancestor (tasks not picked, nurseries), children by id. */
function treeOrder(lines: Lifelines, picked: number[]): number[] {
  const children = new Map<number | null, number[]>();
  const seen = new Set<number>();
  const link = (id: number): void => {
    let at: number | null = id;
    for (let depth = 0; at !== null && !seen.has(at) && depth < MAX_DEPTH; depth++) {
      seen.add(at);
      const up = parentOf(lines, at);
      let list = children.get(up);
      if (!list) children.set(up, (list = []));
      list.push(at);
      at = up;
    }
  };
  for (const slot of picked) link(lines.ids[slot]);
  const isPicked = new Set(picked.map((s) => lines.ids[s]));
  const out: number[] = [];
  const stack: number[] = [...(children.get(null) ?? [])].sort((a, b) => b - a);
  const done = new Set<number>();
  while (stack.length) {
    const id = stack.pop()!;
    if (done.has(id)) continue;
    done.add(id);
    if (isPicked.has(id)) out.push(lines.slotOf(id)!);
    const kids = children.get(id);
    if (kids) for (const k of [...kids].sort((a, b) => b - a)) stack.push(k);
  }
  // Tasks a loop of links (a malformed stream) kept from every root come last, in spawn order.
  if (out.length < picked.length) for (const slot of picked) if (!done.has(lines.ids[slot])) out.push(slot);
  return out;
}

/** A task's nursery (or maker), a nursery's owner; null at a root or where nothing is known. */
function parentOf(lines: Lifelines, id: number): number | null {
  const slot = lines.slotOf(id);
  if (slot !== undefined) return lines.parent[slot];
  return lines.bands.get(id)?.owner ?? null;
}

function lineOf(lines: Lifelines, slot: number): TimelineLine {
  const id = lines.ids[slot];
  const line: TimelineLine = { id, parent: lines.parent[slot], name: lines.name[slot], spawned: lines.spawned[slot] };
  const bits = lines.bits[slot];
  if (bits & SYSTEM) line.system = true;
  if (bits & LOOSE) line.loose = true;
  const exited = lines.exited[slot];
  if (!Number.isNaN(exited)) {
    line.exited = exited;
    line.end = lines.end[slot] ?? undefined;
    const ending = lines.endings.get(id);
    if (ending?.error) line.error = { type: ending.error.type, message: clip(ending.error.message, 300) };
    if (ending?.cancelledBy !== undefined) line.cancelledBy = ending.cancelledBy;
    if (ending?.cancelSource !== undefined) line.cancelSource = ending.cancelSource;
  }
  return line;
}

/** The nurseries the shown tasks hang in, as far as they overlap the window. */
function bandsOf(
  lines: Lifelines,
  shown: TimelineLine[],
  from: number,
  to: number,
  hideSystem: boolean,
): TimelineBand[] {
  const out: TimelineBand[] = [];
  const seen = new Set<number>();
  for (const l of shown) {
    if (l.parent === null || seen.has(l.parent)) continue;
    seen.add(l.parent);
    const b = lines.bands.get(l.parent);
    if (!b || (hideSystem && b.system) || b.opened > to || (b.closed !== undefined && b.closed < from)) continue;
    const band: TimelineBand = { id: b.id, owner: b.owner, opened: b.opened };
    if (b.closed !== undefined) band.closed = b.closed;
    if (b.system) band.system = true;
    out.push(band);
  }
  return out;
}

/** A task's states over the window, no two changes closer than `r` ms (the state held longest wins a merged stretch). */
function laneOf(lines: Lifelines, id: number, from: number, to: number, r: number, now: number): TimelineLane[] {
  const slot = typeof id === 'number' ? lines.slotOf(id) : undefined;
  if (slot === undefined) return [];
  const exited = lines.exited[slot];
  const stop = Number.isNaN(exited) ? now : exited;
  const t: number[] = [];
  const s: LiveState[] = [];
  let bucketT = NaN;
  const held = new Map<LiveState, number>();
  const emit = (): void => {
    if (Number.isNaN(bucketT)) return;
    let best: LiveState = 'waiting';
    let most = -1;
    for (const [state, d] of held) if (d > most) [best, most] = [state, d];
    if (s.length && s[s.length - 1] === best) return;
    t.push(bucketT);
    s.push(best);
  };
  for (let seg = lines.first[slot]; seg >= 0; seg = lines.segNext[seg]) {
    const start = lines.segT[seg];
    const next = lines.segNext[seg];
    const end = next >= 0 ? lines.segT[next] : stop;
    if (end < from) continue;
    if (start > to) break;
    if (Number.isNaN(bucketT) || start - bucketT >= r) {
      emit();
      bucketT = start;
      held.clear();
    }
    const state = lines.segS[seg];
    held.set(state, (held.get(state) ?? 0) + Math.max(0, end - start));
  }
  emit();
  return t.length ? [{ id, t, s }] : [];
}

/** The live count over the window: the largest in each of `width` pixels, or every change when there are few. */
function curveOf(lines: Lifelines, from: number, to: number, width: number): { t: number[]; n: number[] } {
  const T = lines.curveT;
  const N = lines.curveN;
  let lo = 0;
  let hi = T.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (T[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  const i0 = lo; // first change after `from`
  const before = i0 > 0 ? N[i0 - 1] : 0;
  let i1 = i0;
  while (i1 < T.length && T[i1] <= to) i1++;
  if (i1 - i0 <= 2 * width) return { t: [from, ...T.slice(i0, i1)], n: [before, ...N.slice(i0, i1)] };
  const r = (to - from) / width;
  const t: number[] = [];
  const n: number[] = [];
  let i = i0;
  let current = before;
  for (let k = 0; k < width; k++) {
    const end = from + (k + 1) * r;
    let most = current;
    while (i < i1 && T[i] < end) {
      current = N[i++];
      if (current > most) most = current;
    }
    t.push(from + k * r);
    n.push(most);
  }
  return { t, n };
}
