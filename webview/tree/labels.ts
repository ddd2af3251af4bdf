// What each node says, as plain strings (they are inserted with textContent).
import type { ErrorInfo, RunInfo, ScopeInfo, Site, TaskRow } from '../../contract/rows';
import type { HiddenCount } from './model';
import { visible } from './programText';
import { stateWord } from './taskStates';
import { waitShort } from './waitWords';

export function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return visible(i >= 0 ? file.slice(i + 1) : file);
}

/** `file.py:12`, the short form shown in the tree. */
export const shortSite = (site: Site): string => `${baseName(site.file)}:${site.line}`;

/**
 * The name drawn in the tree. Trio names a task after its function's qualified
 * name (`trio._highlevel_open_tcp_stream.open_tcp_stream.<locals>.attempt_connect`):
 * for such dotted identifiers the last part says enough; the full name is in
 * the ARIA label, the details pane and search. Names a program chose
 * (`fetch(http://x.org)`) are kept as they are.
 */
export function displayName(name: string): string {
  if (!/^[\w.<>]+$/.test(name) || !name.includes('.')) return name;
  const last = name.slice(name.lastIndexOf('.') + 1);
  return last || name;
}

/** Short error type: `trio.TooSlowError` → `TooSlowError`. */
function shortType(type: string): string {
  const i = type.lastIndexOf('.');
  return i >= 0 ? type.slice(i + 1) : type;
}

/** The run-relative time now, from the clock pair the host sent (frozen once the run is over, or at a past moment shown). */
export function runNow(info: RunInfo, wallNow: number): number {
  if (info.at !== undefined) return info.at;
  if (info.status !== 'live') return info.clock.ts;
  return info.clock.ts + Math.max(0, wallNow - info.clock.hostWall);
}

/** The scope whose deadline comes first (not yet cancelled), if any. */
export function nextDeadline(scopes: readonly ScopeInfo[]): ScopeInfo | null {
  let best: ScopeInfo | null = null;
  for (const s of scopes) {
    if (s.deadline === null || s.cancelCalled) continue;
    if (!best || s.deadline < (best.deadline as number)) best = s;
  }
  return best;
}

/** Remaining time in words: `12s`, `2.4s`, `expired`. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = ms / 1000;
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`;
  if (s >= 10) return `${Math.floor(s)}s`;
  return `${s.toFixed(1)}s`;
}

/** A duration in words for "since": `3.2 s`, `140 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatRemaining(ms);
}

/**
 * How long a sample may be stale (ms): within a second the sampler's round
 * robin has looked at every task of a 20,000-task run again.
 */
export const SAMPLE_LAG_MS = 1000;

/**
 * When a deadline wakes a waiting task, as of run time `now`. Past it, the
 * sample is stale (the task has woken, unseen yet): "now" for a sample's lag,
 * then how long ago it passed.
 */
export function wakeWords(deadline: number, now: number): string {
  if (deadline > now) return `a deadline wakes it in ${formatRemaining(deadline - now)}`;
  if (now - deadline <= SAMPLE_LAG_MS) return 'its deadline has come: it wakes any moment';
  return `its deadline passed ${formatDuration(now - deadline)} ago; not sampled since`;
}

export function errorLine(e: ErrorInfo): string {
  return e.message ? `${e.type}: ${e.message}` : e.type;
}

/** What the task waits on (`Lock lock_a`, protocol 1.2's waits), when an object says more than the await site. */
export function awaitOnOf(t: TaskRow): string | null {
  return waitShort(t);
}

/** Where a task waits, as a key: tasks with the same key wait at the same place (or on the same object). */
export function awaitKey(t: TaskRow): string | null {
  if (t.state !== 'waiting') return null;
  const on = awaitOnOf(t);
  if (on) return t.waits?.obj !== undefined ? `obj:${t.waits.obj}` : `on:${on}`;
  return t.awaitSite ? `${t.awaitSite.file}:${t.awaitSite.line}` : null;
}

/** `page_size:53`: the function and line, the way a reader names a place in code. */
export function siteWords(site: Site): string {
  const fn = site.function ? shortType(site.function) : '';
  return fn && fn !== '<module>' ? `${fn}:${site.line}` : shortSite(site);
}

/**
 * The await label of a waiting task: what it waits on when known, else
 * `function:line`, with the file only when it is not the file the task was
 * spawned from (`http.py › read:120`).
 */
export function awaitLabel(t: TaskRow): string {
  const on = awaitOnOf(t);
  if (on) return on;
  const a = t.awaitSite;
  if (!a) return '';
  const words = siteWords(a);
  if (words === shortSite(a)) return words;
  return t.site && t.site.file !== a.file ? `${baseName(a.file)} › ${words}` : words;
}

/** The dim text after a task's name: where it waits, or what it raised. */
export function taskExtra(t: TaskRow): string {
  if (t.state === 'raised' && t.error) return shortType(t.error.type);
  if (t.state === 'waiting') return awaitLabel(t);
  return '';
}

export function taskAria(t: TaskRow): string {
  let s = `task ${t.name}, ${stateWord(t.state)}`;
  if (t.state === 'raised' && t.error) s += `, ${shortType(t.error.type)}`;
  if (t.state === 'waiting') {
    // `, at file:line` first: the e2e suite and screen-reader users find the site in the same place.
    if (t.awaitSite) s += `, at ${shortSite(t.awaitSite)}${t.awaitSite.function ? ` in ${t.awaitSite.function}` : ''}`;
    const on = awaitOnOf(t);
    if (on) s += `, on ${on}`;
  }
  if (t.scopes.some((x) => x.shield)) s += ', shielded';
  return s;
}

/** `1 nursery`, `1,234 nurseries`. */
export const count = (n: number, one: string, many: string): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** What a collapsed node hides: `+312 tasks in 14 nurseries · 1 raised`. */
export function hiddenWords(h: HiddenCount): string {
  const where = h.nurseries ? ` in ${count(h.nurseries, 'nursery', 'nurseries')}` : '';
  const what =
    h.tasks || !h.nurseries
      ? `+${count(h.tasks, 'task', 'tasks')}${where}`
      : `+${count(h.nurseries, 'nursery', 'nurseries')}`;
  return h.raised ? `${what} · ${h.raised.toLocaleString('en-US')} raised` : what;
}

/** A "more…" node's words: `50 more…` and `1,950 left`. */
export function moreWords(more: { page: number; left: number }): [string, string] {
  return [`${more.page.toLocaleString('en-US')} more…`, `${more.left.toLocaleString('en-US')} left`];
}
