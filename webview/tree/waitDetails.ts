// The details pane's words for what a task waits for, whom it blocks, and why
// it (or a scope of it) was cancelled (issue #15): "Waits for Lock lock_b held
// by worker-3 for 2.1 s", "Cancelled because fetch(x) raised ValueError",
// "cancel() called by main at app.py:30: 'shutting down'". Tasks and sites
// are links (the pane supplies them); program text goes in as text.
import type { CauseInfo, Row, RunInfo, ScopeInfo, Site, TaskRow } from '../../contract/rows';
import { h } from '../elements';
import { errorLine } from './labels';
import { scopeMaker } from './kindWords';
import { blockedBy, causeOfTask, holdersJoint, labelNamesHolder, taskName, waitersOf, waitsOf } from './waitWords';

/** What the pane lends: links to tasks, nurseries and source, and a live countdown. */
export interface PaneLinks {
  rows: ReadonlyMap<number, Row>;
  info: RunInfo;
  task(id: number): HTMLElement;
  site(label: string, site: Site, action: string): HTMLElement;
  /** A span counting down to `deadline` (run-relative ms) while the run is live; `inWords`: a deadline that wakes a wait, in a sentence. */
  countdown(deadline: number, inWords?: boolean): HTMLElement;
  /** A span counting the time since `since` (run-relative ms) while the run is live. */
  elapsed(since: number): HTMLElement;
}

/** One row of the pane's list: its title and what follows it. */
export type Item = [string, ...Array<Node | string | null>];

const MAX_LISTED = 20;

function joined(parts: HTMLElement[], more: number): Array<Node | string> {
  const out: Array<Node | string> = [];
  parts.forEach((p, i) => out.push(...(i ? [', ', p] : [p])));
  if (more > 0) out.push(` and ${more} more`);
  return out;
}

/** "Waits for" (what, held by whom, for how long, what else) and "Blocks" (who waits for it). */
export function waitItems(t: TaskRow, l: PaneLinks): Item[] {
  const out: Item[] = [];
  const w = waitsOf(t);
  if (w) {
    const holders = w.holders ?? [];
    const named = labelNamesHolder(
      w,
      holders.map((id) => taskName(l.rows, id)),
    );
    // `task warm cache`, the task a link: its name said once
    const parts: Array<Node | string | null> = named
      ? [h('code', { class: 'wait-label' }, 'task'), ' ', l.task(holders[0])]
      : [h('code', { class: 'wait-label' }, w.label)];
    if (holders.length && !named) {
      parts.push(
        holdersJoint(w),
        ...joined(
          holders.slice(0, MAX_LISTED).map((id) => l.task(id)),
          holders.length - MAX_LISTED,
        ),
      );
    } else if (w.holders && (w.kind === 'lock' || w.kind === 'limiter'))
      parts.push(h('span', { class: 'muted' }, ' (free: being handed over)'));
    // (a new wait restarts `since`) After holders, "for 646 ms" read as how long they held it.
    if (w.holders?.length) parts.push(' (waiting ', l.elapsed(t.since), ')');
    else parts.push(' for ', l.elapsed(t.since));
    out.push(['Waits for', ...parts]);
    const more: Array<Node | string | null> = [];
    if (w.detail) more.push(w.detail);
    const waiters = waitersOf(l.rows, w);
    // (a semaphore's detail says how many wait already: "value 0; 4 waiting")
    if (waiters > 1 && !/\bwaiting\b/.test(w.detail ?? ''))
      more.push(`${more.length ? '; ' : ''}${waiters} tasks wait on it`);
    if (w.until !== undefined) more.push(more.length ? '; ' : null, l.countdown(w.until, true));
    else if (w.wakes) more.push(`${more.length ? '; ' : ''}wakes by itself (I/O, a thread)`);
    else more.push(`${more.length ? '; ' : ''}only another task can wake it`);
    out.push(['', h('span', { class: 'muted wait-more' }, ...more)]);
  }
  const blocked = t.exitedAt === undefined ? blockedBy(l.rows, t.id) : [];
  if (blocked.length) {
    const list = h('ul', { class: 'blocked' });
    for (const b of blocked.slice(0, MAX_LISTED))
      list.append(h('li', {}, l.task(b.task.id), h('span', { class: 'muted' }, ` waits for ${b.waits.label}`)));
    if (blocked.length > MAX_LISTED)
      list.append(h('li', { class: 'muted' }, `and ${blocked.length - MAX_LISTED} more`));
    out.push(['Blocks', list]);
  }
  return out;
}

/** Changes when what the items above say about `t` would: its holders' names and states, who waits for it. */
export function waitSig(rows: ReadonlyMap<number, Row>, t: TaskRow): string {
  const holders = (waitsOf(t)?.holders ?? []).map((id) => {
    const r = rows.get(id);
    return r?.kind === 'task' ? `${id}${r.name}${r.state}` : `${id}`;
  });
  const blocked = t.exitedAt === undefined ? blockedBy(rows, t.id).map((b) => `${b.task.id}${b.waits.label}`) : [];
  return `${holders.join(',')}|${blocked.join(',')}`;
}

/** "Cancelled": why and by whom, for a cancelled task. */
export function cancelItem(t: TaskRow, l: PaneLinks): Item {
  const c = causeOfTask(t);
  const target = t.cancelScope !== undefined ? l.rows.get(t.cancelScope) : undefined;
  const nursery = target?.kind === 'nursery' ? target.id : undefined;
  const made =
    (t.cancelScope !== undefined && !target ? scopeMadeBy(l.rows, (s) => s.id === t.cancelScope) : undefined) ??
    // A task group cancelled by a deadline outside it: the scope entered where the cause says.
    (c.source === 'deadline' && c.site ? scopeMadeBy(l.rows, (s) => sameSite(s.site, c.site)) : undefined);
  return ['Cancelled', ...causeParts(c, l, nursery, made ?? unnamedScope(l.info))];
}

/** A scope whose maker is not known, as its library calls such things. */
const unnamedScope = (info: RunInfo): string => (info.library === 'asyncio' ? 'a timeout' : 'a cancel scope');

const sameSite = (a: Site | undefined, b: Site | undefined): boolean =>
  !!a && !!b && a.file === b.file && a.line === b.line;

/** Why a scope was cancelled, after its "cancel called" badge. */
export function scopeCauseParts(s: ScopeInfo, l: PaneLinks): Array<Node | string> {
  if (!s.cause) return [];
  return [h('span', { class: 'muted' }, ' — '), ...causeParts(s.cause, l, undefined, null)];
}

/** What made the scope `which` picks (`move_on_after`, `asyncio.timeout`), looked up in the scopes of the rows. */
function scopeMadeBy(rows: ReadonlyMap<number, Row>, which: (s: ScopeInfo) => boolean): string | undefined {
  for (const r of rows.values()) {
    if (r.kind !== 'task') continue;
    const s = r.scopes.find(which);
    if (s) return scopeMaker(s);
  }
  return undefined;
}

/**
 * The cause in words, with links: `because fetch(x) raised ValueError: bad url`,
 * `by cancel() called by main at app.py:30: "shutting down"`. `made`: what
 * made the scope whose deadline passed (null: the scope speaks of itself).
 */
function causeParts(
  c: CauseInfo,
  l: PaneLinks,
  nursery: number | undefined,
  made: string | null,
): Array<Node | string> {
  const by = c.by !== undefined ? l.task(c.by) : null;
  const where = (label: string): Array<Node | string> => (c.site ? [' at ', l.site(label, c.site, 'cause-site')] : []);
  const reason = c.reason ? [': ', h('q', { class: 'reason' }, c.reason)] : [];
  switch (c.source) {
    case 'nursery': {
      const failed = by
        ? ['because ', by, c.error ? ' raised ' : ' failed', c.error ? h('code', {}, errorLine(c.error)) : '']
        : ['because a sibling failed'];
      const whose =
        nursery !== undefined ? [h('span', { class: 'muted' }, ` (its nursery #${nursery} cancelled the rest)`)] : [];
      return [...failed, ...whose];
    }
    case 'interrupt':
      return ['by Ctrl-C (KeyboardInterrupt)', ...(by ? [' in ', by] : [])];
    case 'deadline':
      return made === null
        ? ['its deadline passed']
        : ['because the deadline of ', h('code', {}, made), ...where('Go to the scope'), ' expired'];
    case 'explicit':
      return [
        'by ',
        h('code', {}, 'cancel()'),
        ...(by ? [' called by ', by] : []),
        ...where('Go to the call'),
        ...reason,
      ];
    case 'shutdown':
      return ['when the run ended', ...reason];
    default:
      return by ? ['cause unknown; ', by, ' had failed'] : ['cause unknown'];
  }
}
