// The last event of a past moment in words, for the timeline's bar (a step
// with `[` / `]` names the event it landed on). Tasks are named as the tree
// names them, task groups in their library's word (kindWords.ts), a look of
// the host's by what it found (waitWords.ts); with Hide system on, the
// library's own work is said to be that, not named by its internals (the
// tree does not show it). Plain strings: they go in as text.
import type { NurseryRow, Row, RunInfo, TaskRow } from '../../contract/rows';
import type { PastEvent } from '../../contract/timeline';
import { groupWord, programLibrary, runGroupWord, scopeKindWord, scopeMaker, startWord } from '../tree/kindWords';
import { awaitLabel, awaitOnOf, displayName, formatDuration } from '../tree/labels';
import { lookWords } from '../tree/waitWords';
import { formatMoment, OUTCOME } from './timeWords';

/** What the bar knows of the moment shown. */
export interface EventContext {
  /** The moment's rows: names, task groups. */
  rows: ReadonlyMap<number, Row> | undefined;
  /** The moment's run header: its library, the verdict by then. */
  info: RunInfo | undefined;
  /** The tree hides the library's own rows (Hide system). */
  hideSystem: boolean;
}

type Rows = ReadonlyMap<number, Row> | undefined;

/** `1st`, `2nd`, `3rd`, `11th`, `22nd`. */
function ordinalOf(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The task a row hangs under: a nursery's owner, a loose task's maker (undefined: a root). */
function ownerTask(rows: Rows, r: Row): TaskRow | undefined {
  let id: number | null = r.parent;
  for (let hops = 0; id !== null && hops < 3; hops++) {
    const up = rows?.get(id);
    if (!up || up.kind === 'retired') return undefined;
    if (up.kind === 'task') return up;
    id = up.parent;
  }
  return undefined;
}

/**
 * A task as the tree names it (`main` for `__main__.main`); when others of
 * the moment share that name (ten `attempt_connect`), by the task it works
 * in too, and its place among its namesakes there, so steps from one to the
 * next do not read the same.
 */
function nameOf(rows: Rows, id: number | undefined): string {
  if (id === undefined) return 'a task';
  const r = rows?.get(id);
  if (r?.kind !== 'task') return `task #${id}`;
  const name = displayName(r.name);
  const same: TaskRow[] = [];
  for (const o of rows!.values())
    if (o.kind === 'task' && o.name.endsWith(name) && displayName(o.name) === name) same.push(o);
  if (same.length < 2) return name;
  const owner = ownerTask(rows, r);
  if (!owner) return name;
  const siblings = same.filter((o) => ownerTask(rows, o) === owner);
  const nth = siblings.length > 1 ? `the ${ordinalOf(siblings.filter((o) => o.id <= r.id).length)} ` : '';
  return `${nth}${name} in ${displayName(owner.name)}`;
}

const nurseryOf = (rows: Rows, id: number | undefined): NurseryRow | undefined => {
  const r = id === undefined ? undefined : rows?.get(id);
  return r?.kind === 'nursery' ? r : undefined;
};

/**
 * `2nd ` when the owner has opened several task groups by then (Trio's init
 * opens three in a row: the steps onto them must not read the same), else ''.
 */
function ordinal(n: NurseryRow, rows: Rows): string {
  let count = 0;
  let nth = 0;
  for (const r of rows?.values() ?? [])
    if (r.kind === 'nursery' && r.parent === n.parent && !r.start) {
      count++;
      if (r.id <= n.id) nth++;
    }
  return count > 1 ? `${ordinalOf(nth)} ` : '';
}

function opened(e: PastEvent, c: EventContext): string {
  const owner = nameOf(c.rows, e.task);
  const n = nurseryOf(c.rows, e.id);
  if (!n) return `${owner} opened a ${runGroupWord(c.info)}`;
  if (n.start) return `${owner} called ${startWord(n)}`;
  const nth = ordinal(n, c.rows);
  return `${owner} opened ${nth ? `its ${nth}` : 'a '}${groupWord(n)}`;
}

function closed(e: PastEvent, c: EventContext): string {
  const n = nurseryOf(c.rows, e.id);
  if (!n) return `a ${runGroupWord(c.info)} closed`;
  const owner = nameOf(c.rows, n.parent);
  if (n.start) return `${owner}'s ${startWord(n)} ended`;
  return `${owner}'s ${ordinal(n, c.rows)}${groupWord(n)} closed`;
}

/** The row the event is about (a task, a nursery; a scope's task). */
const subjectOf = (e: PastEvent): number | undefined =>
  e.type === 'scope.changed' || e.type === 'scope.closed' ? e.task : e.id;

/**
 * An event about the library's own rows, which Hide system hides: `Trio's own
 * work in fetch(…)`, naming the program's task it happened in, if any.
 */
function ownWork(e: PastEvent, c: EventContext): string {
  const whose = `${c.info ? programLibrary(c.info) : 'The library'}'s own work`;
  let id = subjectOf(e);
  // Up from the row to the nearest task of the program's own (rows hold no cycle; the bound is a guard).
  for (let hops = 0; id !== undefined && hops < 64; hops++) {
    const r = c.rows?.get(id);
    if (!r || r.kind === 'retired') break;
    if (r.kind === 'task' && !r.system) return `${whose} in ${displayName(r.name)}, hidden`;
    id = r.parent ?? undefined;
  }
  return `${whose}, hidden`;
}

const STATES: Record<string, string> = { waiting: 'waits', running: 'runs', scheduled: 'is scheduled' };

/**
 * ` at page_size:53`, ` for Lock lock_a, until 1.54 s`: where a task waits, as
 * the tree labels it, and till when (a task that sleeps again and again
 * waits anew each time).
 */
function waitWhere(rows: Rows, id: number | undefined): string {
  const t = id === undefined ? undefined : rows?.get(id);
  if (t?.kind !== 'task' || t.state !== 'waiting') return '';
  const label = awaitLabel(t);
  const where = label ? ` ${awaitOnOf(t) ? 'for' : 'at'} ${label}` : ''; // 'waits for', as banners and details say
  const until = t.waits?.until;
  return `${where}${until !== undefined ? `, until ${formatMoment(until)}` : ''}`;
}

/** `main: trio.move_on_after deadline 300 ms`; a closed one as last reported (`main: cancel scope (cancelled) closed`). */
function scopeWords(e: PastEvent, rows: Rows): string {
  const t = e.task === undefined ? undefined : rows?.get(e.task);
  const info = t?.kind === 'task' ? t.scopes.find((s) => s.id === e.id) : undefined;
  const what = info ? scopeMaker(info) : scopeKindWord(e.scopeKind);
  const how = e.cancelCalled
    ? 'cancelled'
    : e.deadline !== null && e.deadline !== undefined
      ? `deadline ${formatMoment(e.deadline)}`
      : '';
  if (e.type === 'scope.changed') return `${nameOf(rows, e.task)}: ${what} ${how || 'changed'}`;
  if (e.task === undefined) return `a ${what} closed`;
  return `${nameOf(rows, e.task)}: ${what}${how ? ` (${how})` : ''} closed`;
}

/** The last event of a past moment, in words. */
export function eventWords(e: PastEvent, c: EventContext): string {
  if (e.system && c.hideSystem) return ownWork(e, c);
  const task = () => nameOf(c.rows, e.id);
  switch (e.type) {
    case 'task.spawned':
      return `${task()} started`;
    case 'task.exited':
      return `${task()} ${OUTCOME[e.outcome ?? ''] ?? 'ended'}`;
    case 'task.state':
      return `${task()} ${STATES[e.state ?? ''] ?? 'changed'}${e.state === 'waiting' ? waitWhere(c.rows, e.id) : ''}`;
    case 'task.moved': {
      const n = nurseryOf(c.rows, e.nursery ?? undefined);
      return `${task()} moved to its ${n ? groupWord(n) : runGroupWord(c.info)}`;
    }
    case 'task.flagged':
      return `${task()} flagged: ${e.flag === 'pending_at_close' ? 'pending at close' : 'exception never retrieved'}`;
    case 'nursery.opened':
      return opened(e, c);
    case 'nursery.closed':
      return closed(e, c);
    case 'scope.changed':
    case 'scope.closed':
      return scopeWords(e, c.rows);
    case 'dropped':
      return `${e.count ?? 'some'} events dropped`;
    case 'run.finished':
      return `the run ${OUTCOME[e.outcome ?? ''] ?? 'ended'}`;
    case 'loop.blocked': {
      // as the Problems panel says it: by the task, or by code outside any task
      const who = e.task === undefined ? 'code outside any task' : nameOf(c.rows, e.task);
      const long = e.duration === undefined ? '' : ` ${formatDuration(e.duration)}`;
      return e.ongoing
        ? `${who} holds the event loop (${long.trim() || 'a while'} so far)`
        : `${who} held the event loop${long ? ` for${long}` : ''}`;
    }
    case 'judged':
      // Steps land on looks that changed the verdict (and a hung program's now): say what was found.
      return lookWords(c.info?.verdict, e.found === true);
    default:
      return FIXED[e.type] ?? e.type;
  }
}

/** Events (and the host's marks) that say the same each time. */
const FIXED: Record<string, string> = {
  hello: 'the program connected',
  recording: 'the recording begins',
  'run.started': 'the run started',
  'run.stopped': 'the program stopped here',
  'snapshot.begin': 'the program replayed its tree',
  'snapshot.end': 'the program replayed its tree',
  disconnected: 'the connection was lost',
  'session ended': 'the debug session ended',
  'runtime.disabled': 'the runtime stopped observing',
  warning: 'Python warned',
  problem: 'the run noted a problem',
};
