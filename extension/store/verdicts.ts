// What a run's tasks wait for (task.state.waits), and the verdicts drawn from
// it: a deadlock (a cycle of tasks waiting on each other that nothing else can
// wake) or a hang (every user task waiting, nothing able to wake any). A
// sample can catch a moment of change, so nothing is claimed until the
// situation held still for CONFIRM_MS of the run's time: at 10 samples a
// second that is ten samples, and the sampler's round robin has seen every
// task of a run of a thousand or so again (a sample looks at 100 to 300
// tasks in its few milliseconds: a larger run's tasks are each seen less
// often than that). A verdict is told once (`news`); it ends
// when things move again. Events look at the run (before they change it)
// when a look is owed: at most every LOOK_MS of run time while things change,
// and once a pending situation has held CONFIRM_MS (so a recording, or the
// event that ends a deadlock, has its verdict too); the host looks on a timer
// while a run is live, since a stuck program sends nothing.
import type { Verdict, VerdictTask, WaitInfo } from '../../contract/rows';
import { MAX_VERDICT_TASKS } from '../../contract/rows';
import type { WireWaits } from '../../contract/wire';
import type { RunTree } from './runTree';
import { clip, type TaskEntry } from './rowEntries';
import { findDeadlock, findHang } from './waitGraph';

/** How long (run time, ms) a situation must hold before it is claimed. */
export const CONFIRM_MS = 1000;
/** While things change, the run is looked at again at most this often (run time, ms): a look walks every waiting task. */
export const LOOK_MS = 250;

interface Candidate {
  kind: Verdict['kind'];
  /** Identifies the situation: its tasks and what each waits on. */
  key: string;
  since: number;
  tasks: TaskEntry[];
  behind: TaskEntry[];
  on: ReadonlyMap<number, number[]>;
}

/** The WaitInfo of a task.state's waits. (How long it has waited is the row's `since`: see TaskEvents.state.) */
export function waitInfoOf(w: WireWaits): WaitInfo {
  const info: WaitInfo = { kind: clip(w.kind, 64), label: clip(w.label, 300) };
  if (w.obj !== undefined) info.obj = w.obj;
  if (w.holders !== undefined) info.holders = w.holders.slice(0, 16);
  if (w.until !== undefined) info.until = w.until;
  if (w.wakes) info.wakes = true;
  if (w.detail !== undefined) info.detail = clip(w.detail, 300);
  return info;
}

/**
 * True when `w` (null: nothing known) is the wait `prev` is (undefined: none
 * known): the same kind, object, words and deadline. A new deadline is a new
 * wait: successive trio.sleep calls differ only in it. Holders and detail
 * change while one wait goes on.
 */
export function sameWait(prev: WaitInfo | undefined, w: WireWaits | null): boolean {
  if (prev === undefined || w === null) return prev === undefined && w === null;
  return (
    prev.kind === clip(w.kind, 64) && prev.obj === w.obj && prev.label === clip(w.label, 300) && prev.until === w.until
  );
}

export class Verdicts {
  /** Something a verdict depends on changed since the last judge: from when, and lately when (run time). */
  dirty = false;
  private dirtyFrom = 0;
  private dirtyTo = 0;
  /** When the pending (not yet claimed) situation began; Infinity when none is pending. */
  pendingSince = Infinity;
  /** The run time of the next look an event should trigger (Infinity: none owed). Read for every event. */
  nextLook = Infinity;
  private lastLook = -Infinity;
  /** Changes since the last look: a look walks the run's tasks, so events pay for one only every tasks/64 changes. */
  private changes = 0;
  /** The verdict shown (the last one; `endedAt` set once things moved). */
  verdict: Verdict | undefined;
  /** A verdict claimed and not yet told (the host logs it once). */
  news: Verdict | undefined;
  /** Live tasks whose rows carry waits. */
  readonly waiting = new Set<number>();
  /** For each task named as a holder, the waiting tasks that name it (so its end takes it off their waits). */
  private readonly namedBy = new Map<number, Set<number>>();
  private candidate: Candidate | null = null;
  /** The candidate's key when it was claimed (so one situation is claimed once). */
  private claimed = '';

  constructor(
    private readonly tree: RunTree,
    private readonly changed: () => void,
  ) {}

  /** The same judgement state over `tree`, a copy of this one's tree (a checkpoint of the run's history). */
  copy(tree: RunTree, changed: () => void): Verdicts {
    const v = new Verdicts(tree, changed);
    v.dirty = this.dirty;
    v.dirtyFrom = this.dirtyFrom;
    v.dirtyTo = this.dirtyTo;
    v.pendingSince = this.pendingSince;
    v.nextLook = this.nextLook;
    v.lastLook = this.lastLook;
    v.changes = this.changes;
    v.verdict = this.verdict;
    v.news = this.news;
    for (const id of this.waiting) v.waiting.add(id);
    for (const [holder, waiters] of this.namedBy) v.namedBy.set(holder, new Set(waiters));
    const c = this.candidate;
    // The candidate's tasks are entries of this tree: the copy points at its own.
    const own = (ts: TaskEntry[]) => ts.map((t) => tree.row(t.id) as TaskEntry);
    v.candidate = c && { ...c, tasks: own(c.tasks), behind: own(c.behind) };
    v.claimed = this.claimed;
    return v;
  }

  /** Something a verdict depends on changed at run time `ts` (a task's state, waits, birth or end). */
  markDirty(ts: number): void {
    this.dirtyTo = ts;
    this.changes++;
    if (this.dirty) return;
    this.dirty = true;
    this.dirtyFrom = ts;
    this.nextLook = Math.min(this.nextLook, this.lastLook + LOOK_MS);
  }

  /** A task.state's waits (null: none) for a live task. */
  setWaits(row: TaskEntry, w: WireWaits | null, ts: number): void {
    if (w === null) this.clear(row, ts);
    else {
      this.unname(row);
      const info = waitInfoOf(w);
      if (info.holders) {
        info.holders = info.holders.filter((h) => this.tree.tasks.get(h)?.exitedAt === undefined);
        for (const h of info.holders) {
          const waiters = this.namedBy.get(h);
          if (waiters) waiters.add(row.id);
          else this.namedBy.set(h, new Set([row.id]));
        }
      }
      row.waits = info;
      this.waiting.add(row.id);
      this.markDirty(ts);
    }
  }

  clear(row: TaskEntry, ts: number): void {
    if (row.waits === undefined) return;
    this.unname(row);
    row.waits = undefined;
    this.waiting.delete(row.id);
    this.markDirty(ts);
  }

  /**
   * A task ended: the waits that name it as a holder no longer do. A sample
   * is up to a tenth of a second old, and the runtime never names a task that
   * has ended; without this a waiter would still name the holder that just
   * gave the object back, until its next sample (or for good, in a past moment shown).
   */
  holderEnded(id: number): void {
    const waiters = this.namedBy.get(id);
    if (!waiters) return;
    this.namedBy.delete(id);
    for (const waiter of waiters) {
      const row = this.tree.tasks.get(waiter);
      const w = row?.waits;
      if (!row || !w?.holders) continue;
      row.waits = { ...w, holders: w.holders.filter((h) => h !== id) };
      this.tree.changes.touch(row);
    }
  }

  private unname(row: TaskEntry): void {
    for (const h of row.waits?.holders ?? []) {
      const waiters = this.namedBy.get(h);
      waiters?.delete(row.id);
      if (waiters?.size === 0) this.namedBy.delete(h);
    }
  }

  /**
   * Judges at run time `now` (before the event at `now` is applied, when an
   * event asks), and says when to look next. Unless `forced` (the host's
   * timer, the run's end), a look that would walk the tasks waits until
   * enough changes came to pay for it: a stream whose every event jumps
   * ahead in time costs no walk per event.
   */
  look(now: number, forced = false): boolean {
    if (this.dirty && !forced && this.changes < this.tree.tasks.size >> 6) return false;
    this.changes = 0;
    const changed = this.judge(now);
    this.lastLook = now;
    this.nextLook = this.dirty ? now + LOOK_MS : this.pendingSince + CONFIRM_MS;
    return changed;
  }

  /**
   * Looks again at the run at run time `now`: a new situation becomes the
   * candidate, one that held for CONFIRM_MS is claimed, a claimed one whose
   * situation is gone ends. True when the verdict changed.
   */
  judge(now: number): boolean {
    let changed = false;
    if (this.dirty) {
      this.dirty = false;
      // The candidate held at the last judge, and at least until the first change since.
      const changeAt = this.dirtyFrom;
      const next = this.find(this.dirtyTo);
      if (!next || next.key !== this.candidate?.key) {
        if (this.candidate && changeAt - this.candidate.since >= CONFIRM_MS) changed = this.claim(changeAt) || changed;
        this.candidate = next;
        if (this.verdict && this.verdict.endedAt === undefined && (!next || next.key !== this.claimed)) {
          this.verdict = { ...this.verdict, endedAt: changeAt };
          this.claimed = '';
          changed = true;
        }
      }
    }
    const c = this.candidate;
    this.pendingSince = c && c.key !== this.claimed ? c.since : Infinity;
    if (c && c.key !== this.claimed && now - c.since >= CONFIRM_MS) changed = this.claim(now) || changed;
    if (changed) this.changed();
    return changed;
  }

  private claim(now: number): boolean {
    const c = this.candidate;
    if (!c || c.key === this.claimed) return false;
    this.claimed = c.key;
    this.pendingSince = Infinity;
    const task = (t: TaskEntry): VerdictTask => ({ id: t.id, name: t.name, waits: t.waits!, on: c.on.get(t.id) ?? [] });
    this.verdict = {
      kind: c.kind,
      tasks: c.tasks.slice(0, MAX_VERDICT_TASKS).map(task),
      behind: c.behind.slice(0, MAX_VERDICT_TASKS).map(task),
      taskCount: c.tasks.length,
      behindCount: c.behind.length,
      since: c.since,
      confirmedAt: now,
    };
    this.news = this.verdict;
    return true;
  }

  /** The situation now; `latest`: the last change, which a new situation is no older than. */
  private find(latest: number): Candidate | null {
    const dl = findDeadlock(this.tree, this.waiting);
    if (dl) return candidate('deadlock', dl.cycle, dl.behind, dl.on, latest);
    const hung = findHang(this.tree);
    return hung ? candidate('hang', hung, [], new Map(), latest) : null;
  }
}

function candidate(
  kind: Verdict['kind'],
  tasks: TaskEntry[],
  behind: TaskEntry[],
  on: ReadonlyMap<number, number[]>,
  latest: number,
): Candidate {
  let since = latest;
  const parts: string[] = [kind];
  for (const t of [...tasks, ...behind]) {
    const w = t.waits!;
    since = Math.max(since, t.since);
    parts.push(`${t.id}:${w.kind}:${w.obj ?? ''}:${(on.get(t.id) ?? []).join(',')}`);
  }
  return { kind, key: parts.join('|'), since, tasks, behind, on };
}
