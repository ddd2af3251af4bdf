// Pointer and keyboard on the timeline strip: drag on the curve or axis moves
// the time cursor; on the rows a click selects the task (and goes to a moment
// it was alive when the tree has no such task at the cursor), a drag pans;
// the wheel zooms (on the rows with Ctrl, or pans sideways); hovering says
// what a lifeline or mark is. Keys: [ and ] step one event (Shift: ten), L
// goes live, anywhere outside a text field; on the strip also Space (play),
// Home/End (End: the run as it is, as L), arrows, + and - (zoom), 0 (the whole run).
import type { Timeline } from './timeline';
import type { TimelineLine, TimelineMark } from '../../contract/timeline';
import { onTop, ROW_HEIGHT, scaleOf, stateAt, type TimeScale } from './timelineView';
import { lineWords, liveStateWord, markWords } from './timeWords';

const CLICK_SLOP = 4;
const ZOOM_STEP = 1.25;
/** Narrowest window, ms (a microsecond is finer than any timestamp). */
const MIN_SPAN = 0.001;

const key0 = (e: KeyboardEvent): string => (e.key === '{' ? '[' : e.key === '}' ? ']' : e.key);

/** What the pointer, the wheel and the keys do to the window: zoom and pan. */
interface Moves {
  scale(): TimeScale;
  zoom(k: number, at: number): void;
  pan(dms: number): void;
  spanNow(): number;
}

/** The hover cards' show and hide, and what each part of the strip says. */
interface Hover {
  hoverTop(e: PointerEvent): void;
  hoverRows(e: PointerEvent): void;
  hide(): void;
}

const localX = (e: { clientX: number }, el: Element) => e.clientX - el.getBoundingClientRect().left;

export function bindTimelineInput(t: Timeline, body: HTMLElement): void {
  const moves = windowMoves(t);
  const rowAt = (e: PointerEvent | MouseEvent) => {
    const y = e.clientY - t.lanes.getBoundingClientRect().top + t.lanes.scrollTop;
    return t.model.rows[Math.floor(y / ROW_HEIGHT)];
  };
  const hover = hoverCards(t, body, moves.scale, rowAt);
  bindCurve(t, moves, hover);
  bindRows(t, moves, hover, rowAt);
  bindKeys(t, moves);
}

function windowMoves(t: Timeline): Moves {
  const scale = (): TimeScale => scaleOf({ window: t.model.window(t.now()), width: t.lanes.clientWidth });
  /** Zooms the window by `k` (below 1: in) around moment `at`. */
  const zoom = (k: number, at: number): void => {
    const w = t.model.window(t.now());
    const data = t.model.data;
    const lo = data?.start ?? w.from;
    const hi = Math.max(data?.end ?? w.to, t.now());
    const span = Math.min(hi - lo, Math.max(MIN_SPAN, (w.to - w.from) * k));
    let from = at - (at - w.from) * (span / (w.to - w.from));
    from = Math.max(lo, Math.min(from, hi - span));
    t.model.zoom = span >= hi - lo ? null : { from, to: from + span };
    t.refresh();
  };
  const pan = (dms: number): void => {
    const w = t.model.window(t.now());
    const lo = t.model.data?.start ?? w.from;
    const hi = Math.max(t.model.data?.end ?? w.to, t.now());
    const span = w.to - w.from;
    if (span >= hi - lo) return;
    const from = Math.max(lo, Math.min(w.from + dms, hi - span));
    t.model.zoom = { from, to: from + span };
    t.refresh();
  };

  const spanNow = () => {
    const w = t.model.window(t.now());
    return w.to - w.from;
  };

  return { scale, zoom, pan, spanNow };
}

/** The curve and axis: scrub. */
function bindCurve(t: Timeline, { scale, zoom, pan, spanNow }: Moves, { hoverTop, hide }: Hover): void {
  t.top.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    t.player.pause();
    t.top.setPointerCapture(e.pointerId);
    t.top.focus();
    t.seek(scale().t(localX(e, t.top)));
  });
  t.top.addEventListener('pointermove', (e) => {
    if (t.top.hasPointerCapture(e.pointerId)) t.seek(scale().t(localX(e, t.top)));
    else hoverTop(e);
  });
  t.top.addEventListener('pointerleave', () => hide());
  t.top.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan((e.deltaX / t.lanes.clientWidth) * spanNow());
      else zoom(e.deltaY > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, scale().t(localX(e, t.top)));
    },
    { passive: false },
  );
  t.top.addEventListener('dblclick', () => {
    t.model.zoom = null;
    t.refresh();
  });
}

/** The rows: click selects, drag pans, hover explains. */
function bindRows(
  t: Timeline,
  { scale, zoom, pan, spanNow }: Moves,
  { hoverRows, hide }: Hover,
  rowAt: (e: PointerEvent | MouseEvent) => TimelineLine | undefined,
): void {
  let drag: { x: number; y: number; from: number; moved: boolean; id: number } | null = null;
  t.lanes.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    const line = rowAt(e);
    drag = { x: e.clientX, y: e.clientY, from: t.model.window(t.now()).from, moved: false, id: line?.id ?? -1 };
    t.lanes.setPointerCapture(e.pointerId);
  });
  t.lanes.addEventListener('pointermove', (e) => {
    if (!drag || !t.lanes.hasPointerCapture(e.pointerId)) {
      hoverRows(e);
      return;
    }
    const dx = e.clientX - drag.x;
    if (!drag.moved && Math.abs(dx) + Math.abs(e.clientY - drag.y) < CLICK_SLOP) return;
    drag.moved = true;
    const sc = scale();
    const w = t.model.window(t.now());
    pan(drag.from - (dx / (sc.x1 - sc.x0)) * (w.to - w.from) - w.from);
  });
  t.lanes.addEventListener('pointerup', (e) => {
    const d = drag;
    drag = null;
    if (!d || d.moved || d.id < 0) return;
    const sc = scale();
    const x = localX(e, t.lanes);
    const line = t.model.line(d.id);
    t.select(d.id, x < sc.x0 && line ? (t.cursor.at ?? line.spawned) : sc.t(x));
  });
  t.lanes.addEventListener('pointerleave', () => hide());
  t.lanes.addEventListener(
    'wheel',
    (e) => {
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        zoom(e.deltaY > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, scale().t(localX(e, t.lanes)));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        pan((((e.shiftKey ? e.deltaY : 0) + e.deltaX) / t.lanes.clientWidth) * spanNow());
      }
    },
    { passive: false },
  );
  t.lanes.addEventListener('scroll', () => t.refresh());
}

function hoverCards(
  t: Timeline,
  body: HTMLElement,
  scale: () => TimeScale,
  rowAt: (e: PointerEvent | MouseEvent) => TimelineLine | undefined,
): Hover {
  const names = (id: number) => t.taskName(id);
  const show = (lines: string[], e: MouseEvent) => {
    t.tip.replaceChildren(
      ...lines.map((text, i) => {
        const div = document.createElement('div');
        div.textContent = text;
        if (i === 0) div.className = 'strong';
        return div;
      }),
    );
    t.tip.hidden = false;
    const host = body.getBoundingClientRect();
    const left = Math.min(e.clientX - host.left + 12, host.width - t.tip.offsetWidth - 6);
    const top = Math.min(e.clientY - host.top + 14, host.height - t.tip.offsetHeight - 4);
    t.tip.style.left = `${Math.max(4, left)}px`;
    t.tip.style.top = `${Math.max(4, top)}px`;
  };
  const hide = () => {
    t.tip.hidden = true;
  };
  /** The mark under `x` of those `which` takes: a point within a few px first, else a span (a block) around it. */
  const markAt = (sc: TimeScale, x: number, which: (m: TimelineMark) => boolean): TimelineMark | undefined => {
    const marks = (t.model.data?.marks ?? []).filter(which);
    return (
      marks.find((m) => m.until === undefined && Math.abs(sc.x(m.t) - x) <= 5) ??
      marks.find((m) => m.until !== undefined && x >= sc.x(m.t) - 3 && x <= sc.x(m.until) + 3)
    );
  };
  const hoverTop = (e: PointerEvent) => {
    const sc = scale();
    const x = localX(e, t.top);
    const mark = markAt(sc, x, (m) => m.kind === 'dropped' || onTop(m));
    if (mark) return show([markWords(mark, names)], e);
    const data = t.model.data;
    if (data && data.exactFrom > data.start && x >= sc.x(data.start) && x <= sc.x(data.exactFrom)) {
      return show(
        [
          'Coarse history',
          'Only some moments of this part of the run are kept (memory is bounded): the cursor goes to the nearest one.',
        ],
        e,
      );
    }
    hide();
  };
  const hoverRows = (e: PointerEvent) => {
    const line = rowAt(e);
    if (!line) return hide();
    const sc = scale();
    const x = localX(e, t.lanes);
    const at = sc.t(x);
    const mark = markAt(sc, x, (m) => m.id === line.id);
    if (mark) return show([markWords(mark, names)], e);
    const state = stateAt(t.model.lanes.get(line.id), at);
    const alive = at >= line.spawned && (line.exited === undefined || at <= line.exited);
    show(lineWords(line, alive && state ? liveStateWord(state) : null, names), e);
  };

  return { hoverTop, hoverRows, hide };
}

/** Keys anywhere outside a text field: [ ] L; on the strip also Space, Home/End, arrows, + - 0. */
function bindKeys(t: Timeline, { zoom }: Moves): void {
  document.addEventListener(
    'keydown',
    (e) => {
      const target = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || !target || target.closest('input, select, textarea, [contenteditable]'))
        return;
      const inStrip = t.el.contains(target);
      if ((key0(e) === '[' || key0(e) === ']') && t.el.hidden) return;
      const w = t.model.window(t.now());
      const at = t.cursor.at ?? t.end();
      const key = e.key;
      if (key === '[' || key === '{') t.step(e.shiftKey ? -10 : -1);
      else if (key === ']' || key === '}') t.step(e.shiftKey ? 10 : 1);
      else if (key === 'l' || key === 'L') t.live();
      else if (!inStrip) return;
      else if (key === ' ') t.togglePlay();
      else if (key === 'Home') t.seek(t.model.data?.start ?? 0);
      else if (key === 'End')
        t.live(); // the end is the run as it is (or was at its end): not a past moment
      else if (key === 'ArrowLeft' || key === 'ArrowRight') {
        t.player.pause();
        t.seek(at + (key === 'ArrowLeft' ? -1 : 1) * (w.to - w.from) * (e.shiftKey ? 0.1 : 0.01));
      } else if (key === '+' || key === '=') zoom(1 / ZOOM_STEP, at);
      else if (key === '-') zoom(ZOOM_STEP, at);
      else if (key === '0') {
        t.model.zoom = null;
        t.refresh();
      } else return;
      e.preventDefault();
      e.stopPropagation();
    },
    true,
  );
}
