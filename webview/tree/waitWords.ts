// What the panel says about waits and cancel causes (issue #15): the words for
// what a task waits for and who holds it, for why it was cancelled, and for a
// deadlock or hang. One table per fact, so the tree, the hover card, the
// details, the banner and the legend say the same. Plain strings: they go in
// as text.
import type { CauseInfo, Row, TaskRow, Verdict, WaitInfo } from '../../contract/rows';
export { holdersJoint, labelNamesHolder } from '../../contract/rows';
import type { WireCancelSource } from '../../contract/wire';

/**
 * Waits on an object other tasks share (a lock, a channel…): the tree names
 * the object instead of the await site. For a sleep, a socket, a thread or a
 * nursery's children the site says more.
 */
const NAMED_BY_OBJECT = new Set([
  'lock',
  'semaphore',
  'limiter',
  'event',
  'condition',
  'parking_lot',
  'send',
  'receive',
  'start',
  'task',
  'future',
]);

/** The task's waits while it waits (a finished or running task waits for nothing). */
export function waitsOf(t: TaskRow): WaitInfo | null {
  return t.state === 'waiting' && t.waits ? t.waits : null;
}

/** What the tree says a waiting task waits on (`Lock lock_a`), or null: the await site says more. */
export function waitShort(t: TaskRow): string | null {
  const w = waitsOf(t);
  return w && NAMED_BY_OBJECT.has(w.kind) ? w.label : null;
}

/** The name of task `id` in the run (or `#id`). */
export function taskName(rows: ReadonlyMap<number, Row>, id: number): string {
  const r = rows.get(id);
  return r?.kind === 'task' ? r.name : `#${id}`;
}

/** Tasks that wait for something `id` holds, with what. */
export function blockedBy(rows: ReadonlyMap<number, Row>, id: number): Array<{ task: TaskRow; waits: WaitInfo }> {
  const out: Array<{ task: TaskRow; waits: WaitInfo }> = [];
  for (const r of rows.values()) {
    if (r.kind !== 'task' || r.id === id) continue;
    const w = waitsOf(r);
    if (w?.holders?.includes(id)) out.push({ task: r, waits: w });
  }
  return out;
}

/** How many live tasks wait on the same object as `w` (itself included). */
export function waitersOf(rows: ReadonlyMap<number, Row>, w: WaitInfo): number {
  if (w.obj === undefined) return 1;
  let n = 0;
  for (const r of rows.values()) if (r.kind === 'task' && waitsOf(r)?.obj === w.obj) n++;
  return n;
}

const CAUSES: Record<WireCancelSource, string> = {
  deadline: 'a deadline expired',
  explicit: 'cancel() was called',
  nursery: 'a sibling failed',
  interrupt: 'Ctrl-C (KeyboardInterrupt)',
  shutdown: 'the run ended',
  unknown: 'cause unknown',
};

/** A cause's source in a few words (`a deadline expired`). */
export const causeWords = (c: CauseInfo): string => (c.source ? CAUSES[c.source] : CAUSES.unknown);

/** The cause a cancelled task row carries, as one CauseInfo. */
export function causeOfTask(t: TaskRow): CauseInfo {
  const c: CauseInfo = {};
  if (t.cancelSource) c.source = t.cancelSource;
  if (t.cancelReason !== undefined) c.reason = t.cancelReason;
  if (t.cancelledBy !== undefined) c.by = t.cancelledBy;
  if (t.cancelSite) c.site = t.cancelSite;
  if (t.cancelError) c.error = t.cancelError;
  return c;
}

/** `Deadlock`, `Hung`: the banner's first word. */
export function verdictTitle(v: Verdict, live: boolean): string {
  const past = v.endedAt !== undefined || !live;
  if (v.kind === 'deadlock') return past ? 'Was deadlocked' : 'Deadlock';
  return past ? 'Was hung' : 'Hung';
}

/**
 * What a look of the host's found (a step of the time cursor onto it):
 * `found a deadlock`, `found the run hung`; a look that changed nothing, what
 * still held (`still hung`).
 */
export function lookWords(v: Verdict | undefined, found: boolean): string {
  if (!v) return found ? 'found no deadlock or hang any more' : 'looked for a deadlock or hang: none';
  const stuck = v.kind === 'deadlock' ? 'deadlocked' : 'hung';
  if (v.endedAt !== undefined) return `found the run no longer ${stuck}: tasks moved again`;
  if (!found) return `the run still ${stuck}`;
  return v.kind === 'deadlock' ? 'found a deadlock' : 'found the run hung';
}

/** What the verdict means, in one sentence after its tasks. */
export function verdictMeaning(v: Verdict): string {
  return v.kind === 'deadlock'
    ? 'Each waits for the next; nothing else can wake them.'
    : 'Every task waits, and nothing can wake them: no deadline, I/O, thread or task about to run.';
}
