// What the timeline says, as plain strings (inserted as text): moments and
// axis ticks, and what a lifeline or a mark means (a moment's last event:
// eventWords.ts). Names come from rows or lines, made visible as they arrived
// (programText.ts); nothing here is program markup.
import type { Site } from '../../contract/rows';
import type { TimelineLine, TimelineMark } from '../../contract/timeline';
import { baseName, errorLine } from '../tree/labels';
import { stateWord } from '../tree/taskStates';

/**
 * A run-relative moment: `0.3 ms`, `532 ms`, `12.53 s`, `2:05.4`. Beside a
 * moment past a minute (`like`), one under it reads in minutes too, to the
 * millisecond as its seconds did (`0:05.117 of 1:01.3`, not `5.117 s of
 * 1:01.3`: stepping through events 10 ms apart, each moment reads apart).
 */
export function formatMoment(ms: number, like = 0): string {
  if (!Number.isFinite(ms)) return '';
  const a = Math.abs(ms);
  if (Math.abs(like) >= 60_000 && ms >= 0)
    return a < 59_999.5 ? `0:${(ms / 1000).toFixed(3).padStart(6, '0')}` : minutes(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${ms.toFixed(2)} ms`;
  if (a < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(a < 10_000 ? 3 : 2)} s`;
  return minutes(ms);
}

function minutes(ms: number): string {
  const tenths = Math.round(ms / 100); // rounded once, so 59.96 s reads 1:00.0, not 0:60.0
  const m = Math.floor(tenths / 600);
  return `${m}:${((tenths % 600) / 10).toFixed(1).padStart(4, '0')}`;
}

/** The wall clock of a run-relative moment (`12:03:10.532`), from the run's start. */
export function wallClock(wall: number, ms: number): string {
  if (!wall) return '';
  const d = new Date(wall + ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * An axis tick's label: as many decimals as the ticks' `step` needs, so round
 * ticks read round (`5 s`, `10 s`, `1:30`; a moment's words, `5.000 s` and
 * `10.00 s`, made the axis look precise where it is not). Ticks read minutes
 * when the axis reaches past a minute (`to`), as the bar's moment does.
 */
export function tickLabel(v: number, step: number, to: number): string {
  if (v === 0) return '0'; // the axis's origin: a bare 0
  if (to >= 60_000) {
    const m = Math.floor(v / 60_000);
    const d = decimals(step / 1000);
    const s = ((v - m * 60_000) / 1000).toFixed(d);
    return `${m}:${s.padStart(d ? d + 3 : 2, '0')}`;
  }
  return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(decimals(step / 1000))} s` : `${v.toFixed(decimals(step))} ms`;
}

/** Decimals that show a step of 1, 2 or 5 × 10^k (0 for k ≥ 0). */
const decimals = (step: number): number => Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));

/** An axis past a minute steps by these (ms): 10 s, 15 s, 30 s, 1, 2, 5, 10, 15, 30 min, 1 h; beyond, whole hours. */
const CLOCK_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

/** Axis ticks for [from, to] about `every` px apart on `width` px: round steps of 1, 2 or 5 (a clock's past a minute). */
export function ticks(from: number, to: number, width: number, every = 90): number[] {
  const span = to - from;
  if (!(span > 0) || width <= 0) return [];
  const raw = span / Math.max(1, width / every);
  const p = 10 ** Math.floor(Math.log10(raw));
  // Past a minute the axis reads minutes (tickLabel): its steps are a clock's, or ticks read 0:50, 1:40, 2:30.
  const clock = to >= 60_000 && raw > 5_000 ? CLOCK_STEPS.find((s) => s >= raw) : undefined;
  const step = clock ?? [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to && out.length < 200; t += step)
    out.push(Math.round(t / step) * step);
  return out;
}

/** A task's end in words (a lifeline's hover, the bar's step onto it). */
export const OUTCOME: Record<string, string> = {
  returned: 'returned',
  raised: 'raised',
  cancelled: 'was cancelled',
  lost: 'was lost',
};

/** What a lifeline says on hover (its state at `t` when known). */
export function lineWords(l: TimelineLine, state: string | null, names: (id: number) => string | undefined): string[] {
  const out = [`${l.name}`, `started ${formatMoment(l.spawned)}`];
  if (state) out.push(`at the pointer: ${state}`);
  if (l.exited !== undefined) out.push(`${OUTCOME[l.end ?? ''] ?? 'ended'} ${formatMoment(l.exited)}`);
  else out.push('still alive');
  if (l.error) out.push(errorLine(l.error));
  if (l.end === 'cancelled') out.push(cancelWords(l, names));
  return out;
}

function cancelWords(l: TimelineLine, names: (id: number) => string | undefined): string {
  if (l.cancelledBy !== undefined)
    return `cancelled because ${names(l.cancelledBy) ?? `task #${l.cancelledBy}`} failed`;
  switch (l.cancelSource) {
    case 'deadline':
      return 'cancelled by a deadline';
    case 'explicit':
      return 'cancelled by a cancel() call';
    case 'shutdown':
      return 'cancelled when the run ended';
    case 'interrupt':
      return 'cancelled by an interrupt';
    default:
      return 'cancelled';
  }
}

/** `blocking.py:12 in worker`: a lint's line (its file's base name made visible; the function arrived so). */
const lintSite = (s: Site | undefined): string =>
  s ? `${baseName(s.file)}:${s.line} in ${s.function}` : 'a line outside user code';

/** What a mark says on hover (lints in the words of the tree's lint marks). */
export function markWords(m: TimelineMark, names: (id: number) => string | undefined): string {
  const who = m.id !== undefined ? (names(m.id) ?? `task #${m.id}`) : '';
  const doer = who || 'Code outside any task';
  const held = (m.until ?? m.t) - m.t;
  switch (m.kind) {
    case 'blocked':
      return m.ongoing
        ? `${doer} is holding the event loop at ${lintSite(m.site)}, since ${formatMoment(m.t)} (${formatMoment(held)} so far): no other task can run`
        : `${doer} held the event loop at ${lintSite(m.site)} for ${formatMoment(held)} (${formatMoment(m.t)} to ${formatMoment(m.until ?? m.t)}): no other task ran meanwhile`;
    case 'warning':
      return `${doer} made coroutine ${m.coroutine === undefined ? '' : `'${m.coroutine}' `}at ${lintSite(m.site)} and never awaited it: its body never ran (${formatMoment(m.t)})`;
    case 'dropped':
      return `${m.count ?? ''} events dropped by the runtime at ${formatMoment(m.t)}: the picture may miss something here`;
    case 'deadline':
      return `${who}: a deadline passed at ${formatMoment(m.t)}`;
    case 'flag':
      return `${who}: ${m.flag === 'pending_at_close' ? 'still pending when its loop closed' : 'its exception was never retrieved'} (${formatMoment(m.t)})`;
  }
}

export const liveStateWord = (s: string): string => stateWord(s as Parameters<typeof stateWord>[0]);
