// The reducer for task events (task.spawned, task.moved, task.state,
// task.exited, task.flagged): task rows are born (under their nursery, or a
// loose task under the task that made it), move between nurseries, change
// state and end, and a cancelled task learns who caused it where the wire
// does not say.
import type { Site, TaskRow, WaitInfo } from '../../contract/rows';
import type {
  TaskExitedEvent,
  TaskFlaggedEvent,
  TaskMovedEvent,
  TaskSpawnedEvent,
  TaskStateEvent,
  WireSite,
} from '../../contract/wire';
import type { Retention } from './retention';
import type { RunFacts } from './runFacts';
import type { RunTree } from './runTree';
import { clip, errorOf, MAX_TEXT, NO_SCOPES, type NurseryEntry, type TaskEntry } from './rowEntries';
import { sameWait, type Verdicts } from './verdicts';
import { REFUSED, type Refusal } from './refusals';
import { cancelLinkOk, wouldCycle } from './treeLinks';

/**
 * A task made outside any task group (protocol 1.2: asyncio.create_task,
 * ensure_future, gather, loop.create_task): no nursery, and either the task
 * that made it named or neither main nor the library's own.
 */
function isLoose(e: TaskSpawnedEvent): boolean {
  return e.nursery === null && (e.parent !== undefined || (!e.main && !e.system));
}

/**
 * True when a sample of a task still waiting shows another wait than the
 * last one: another await site or chain (a parked task's frames stay put), or
 * another wait (sameWait). Absent fields are unchanged; a first chain proves nothing.
 */
function waitsAnew(row: TaskRow, e: TaskStateEvent): boolean {
  if (e.at !== undefined && !sameSite(row.awaitSite, e.at)) return true;
  if (e.chain !== undefined && row.chain !== undefined && !sameChain(row.chain, e.chain)) return true;
  return e.waits !== undefined && !sameWait(row.waits, e.waits);
}

const sameSite = (a: Site | null, b: WireSite | null): boolean =>
  a === null || b === null ? a === b : a.line === b.line && a.function === b.function && a.file === b.file;

function sameChain(a: readonly Site[], b: readonly WireSite[]): boolean {
  return a.length === b.length && a.every((s, i) => sameSite(s, b[i]));
}

/** How far up the tree a cancel is traced to a failed child: no real nesting is deeper, and each exit pays for the walk. */
const MAX_INFER_DEPTH = 256;

export class TaskEvents {
  constructor(
    private readonly tree: RunTree,
    private readonly facts: RunFacts,
    private readonly retention: Retention,
    private readonly verdicts: Verdicts,
  ) {}

  spawned(e: TaskSpawnedEvent): Refusal | undefined {
    const tree = this.tree;
    const id = e.id;
    const loose = isLoose(e);
    // A loose task hangs under the task that made it; any other under its nursery, which must be no task.
    const parent = loose ? this.maker(e) : e.nursery;
    const nursery = parent === null || loose ? undefined : tree.nurseries.get(parent);
    if (parent !== null && !loose && nursery === undefined && tree.tasks.has(parent)) return REFUSED.wrongKind;
    const existing = tree.tasks.get(id);
    if (existing) {
      // A snapshot replay (or a duplicate): an upsert, never a second task.
      if (existing.parent !== parent) {
        const refused = this.refuseMove(existing, parent, loose);
        if (refused) return refused;
        this.moveTo(existing, parent);
      }
      tree.snapshotSeen?.add(id);
      existing.name = tree.name(e.name);
      existing.defaultName = e.default_name !== undefined ? tree.name(e.default_name) : undefined;
      existing.site = tree.site(e.site);
      existing.func = tree.site(e.func ?? null) ?? undefined;
      this.starting(existing, nursery);
      tree.changes.touch(existing);
      return undefined;
    }
    if (id <= tree.maxId || parent === id) {
      const refused = this.refuseNew(id, parent);
      if (refused) return refused;
    }
    tree.noteIds(id, parent);
    tree.snapshotSeen?.add(id);
    const row: TaskEntry = {
      kind: 'task',
      id,
      parent,
      name: tree.name(e.name),
      defaultName: e.default_name !== undefined ? tree.name(e.default_name) : undefined,
      system: e.system,
      main: e.main === true,
      state: 'scheduled',
      since: e.ts,
      spawnedAt: e.ts,
      exitedAt: undefined,
      site: tree.site(e.site),
      func: tree.site(e.func ?? null) ?? undefined,
      awaitSite: null,
      chain: undefined,
      error: undefined,
      cancelledBy: undefined,
      cancelSource: undefined,
      cancelReason: undefined,
      cancelScope: undefined,
      cancelSite: undefined,
      cancelError: undefined,
      waits: undefined,
      scopes: NO_SCOPES,
      starting: nursery?.start ? true : undefined,
      loose: loose ? true : undefined,
      flags: undefined,
      unretrieved: undefined,
      lints: undefined,
      folded: undefined,
      dirty: false,
      sent: false,
      gone: false,
    };
    tree.tasks.set(id, row);
    if (parent !== null) tree.addChild(parent, id);
    this.facts.taskBegan(row.system);
    this.verdicts.markDirty(e.ts);
    tree.changes.touch(row);
    return undefined;
  }

  moved(e: TaskMovedEvent): Refusal | undefined {
    const row = this.tree.tasks.get(e.id);
    if (!row) return undefined;
    const refused = this.refuseMove(row, e.nursery);
    if (refused) return refused;
    this.moveTo(row, e.nursery);
    this.starting(row, this.tree.nurseries.get(e.nursery));
    this.tree.changes.touch(row);
    return undefined;
  }

  state(e: TaskStateEvent): void {
    const id = e.id;
    const row = this.tree.tasks.get(id);
    if (!row) return;
    this.tree.snapshotSeen?.add(id); // (only known rows: a snapshot left open must not collect every id a stream names)
    if (row.exitedAt !== undefined) return; // a sample racing an exit: the exit wins
    // The sampler may miss a task running between two waits: a new wait restarts `since` as a new state does.
    if (row.state !== e.state || (e.state === 'waiting' && waitsAnew(row, e))) {
      row.state = e.state;
      row.since = e.ts;
      this.verdicts.markDirty(e.ts);
    }
    if (e.at !== undefined) row.awaitSite = this.tree.site(e.at);
    if (e.chain !== undefined) row.chain = this.chainOf(e.chain);
    // What it waits for (absent: unchanged); a task that is not waiting waits for nothing.
    if (e.waits !== undefined) {
      this.verdicts.setWaits(row, e.state === 'waiting' ? e.waits : null, e.ts);
      if (row.waits !== undefined) this.noteAwaited(row.id, row.waits);
    } else if (row.waits !== undefined && e.state !== 'waiting') this.verdicts.clear(row, e.ts);
    this.tree.changes.touch(row);
  }

  /**
   * Loose tasks that `id` waits for as a task's result (asyncio's `await
   * task`, wait_for, a gather's children) are awaited: their outcome is taken.
   * A lock's holder or a start()'s child is waited on, not awaited.
   */
  private noteAwaited(id: number, w: WaitInfo): void {
    if ((w.kind !== 'task' && w.kind !== 'children') || w.holders === undefined) return;
    for (const h of w.holders) if (h !== id && this.tree.tasks.get(h)?.loose) this.tree.awaited.add(h);
  }

  /** A chain of shared sites (most frames repeat across tasks and samples); the validator bounds its length. */
  private chainOf(chain: readonly WireSite[]): Site[] {
    const out: Site[] = [];
    for (const s of chain) {
      const site = this.tree.site(s);
      if (site) out.push(site);
    }
    return out;
  }

  exited(e: TaskExitedEvent): Refusal | undefined {
    const id = e.id;
    const row = this.tree.tasks.get(id);
    if (!row || row.exitedAt !== undefined) return undefined;
    const outcome = e.outcome;
    row.state = outcome;
    row.since = e.ts;
    row.exitedAt = e.ts;
    row.starting = undefined;
    if (e.error !== undefined) row.error = errorOf(this.tree.siteOf, e.error);
    const firstRaised = this.tree.firstRaised;
    // A loose task's failure cancels nothing: no task group owns it. (Only for a nursery the store holds: its removal forgets the entry.)
    if (
      outcome === 'raised' &&
      row.parent !== null &&
      !row.loose &&
      !firstRaised.has(row.parent) &&
      this.tree.nurseries.has(row.parent)
    ) {
      firstRaised.set(row.parent, id);
    }
    const refused = outcome === 'cancelled' ? this.cancelled(row, e.cancel ?? {}) : undefined;
    this.finish(row);
    this.retention.retain();
    return refused;
  }

  /** Something found about a task apart from its exit (pending when its loop closed, an exception nobody retrieved). */
  flagged(e: TaskFlaggedEvent): void {
    const row = this.tree.tasks.get(e.id);
    if (!row) return;
    if (row.flags?.includes(e.flag)) return;
    row.flags = [...(row.flags ?? []), e.flag];
    if (e.flag === 'exception_never_retrieved' && e.error) row.unretrieved = errorOf(this.tree.siteOf, e.error);
    if (e.flag === 'pending_at_close' && row.exitedAt === undefined) {
      // Its loop closed: it can never run again, so it no longer counts as live (it keeps its row and state).
      this.facts.taskLeft(row.system);
    }
    this.tree.changes.touch(row);
  }

  /** A live task the program did not replay after a reconnect: it ended while we were away. */
  lost(row: TaskEntry, ts: number): void {
    row.state = 'lost';
    row.since = ts;
    row.exitedAt = ts;
    row.starting = undefined;
    this.finish(row);
  }

  /** The exit stands; a cancel.by that would close a circle is dropped (and said). */
  private cancelled(row: TaskEntry, cancel: NonNullable<TaskExitedEvent['cancel']>): Refusal | undefined {
    const source = cancel.source;
    if (source) row.cancelSource = source;
    if (cancel.reason !== undefined) row.cancelReason = clip(cancel.reason, MAX_TEXT);
    if (cancel.scope !== undefined) row.cancelScope = cancel.scope;
    const site = cancel.site !== undefined ? this.tree.site(cancel.site) : null;
    if (site) row.cancelSite = site;
    if (cancel.error !== undefined) row.cancelError = errorOf(this.tree.siteOf, cancel.error);
    let by = cancel.by;
    if (by === undefined && !row.loose && (!source || source === 'nursery' || source === 'unknown'))
      by = this.inferCanceller(row);
    if (by === undefined) return undefined;
    if (!cancelLinkOk(this.tree, row.id, by)) return REFUSED.cancelCycle;
    row.cancelledBy = by;
    return undefined;
  }

  /**
   * A cancelled task whose nursery — or an enclosing one — already had a child
   * that raised was (almost surely) cancelled because of that failure: Trio
   * cancels a nursery's scope when a child raises, and that reaches everything
   * below it.
   */
  private inferCanceller(row: TaskEntry): number | undefined {
    const tree = this.tree;
    let child: number = row.id;
    let nursery = row.parent;
    for (let depth = 0; nursery !== null && depth < MAX_INFER_DEPTH; depth++) {
      const raised = tree.firstRaised.get(nursery);
      if (raised !== undefined && raised !== child) return raised;
      const n = tree.nurseries.get(nursery);
      if (!n) return undefined;
      const owner = tree.tasks.get(n.parent);
      // A loose task's maker does not cancel it when its own group fails.
      if (!owner || owner.loose) return undefined;
      child = owner.id;
      nursery = owner.parent;
    }
    return undefined;
  }

  /** A live task is over (exited or lost): its scopes die with it, and it joins the retention queue. */
  private finish(row: TaskEntry): void {
    this.verdicts.clear(row, row.since);
    this.verdicts.holderEnded(row.id);
    this.verdicts.markDirty(row.since);
    if (row.scopes.length) {
      for (const s of row.scopes) this.tree.scopeOwner.delete(s.id);
      row.scopes = NO_SCOPES;
    }
    if (!row.flags?.includes('pending_at_close')) this.facts.taskLeft(row.system); // (else counted out at its flag)
    this.facts.changed = true;
    this.tree.changes.touch(row);
    this.retention.queue(row);
  }

  /** The row a loose task hangs under: the task that made it, when the store still holds it (else it is a root). */
  private maker(e: TaskSpawnedEvent): number | null {
    const by = e.parent;
    return by !== undefined && by !== e.id && this.tree.tasks.has(by) ? by : null;
  }

  /** True while the task waits in a start() nursery (`nursery`: its parent's row). */
  private starting(row: TaskEntry, nursery: NurseryEntry | undefined): void {
    row.starting = nursery?.start ? true : undefined;
  }

  /** Why a new task `id` may not hang under `parent` (its id taken, or named as a nursery, or a loop); undefined when it may. */
  private refuseNew(id: number, parent: number | null): Refusal | undefined {
    const tree = this.tree;
    if (tree.nurseries.has(id)) return REFUSED.duplicateId;
    // Tasks already hang under this id as if it were a nursery.
    if (tree.children.has(id)) return REFUSED.wrongKind;
    if (parent === id || (tree.ownedNurseries.has(id) && wouldCycle(tree, id, parent))) return REFUSED.cycle;
    return undefined;
  }

  /**
   * Why `row` may not hang under `to` (a task there, unless `loose`: then its
   * maker; or its own subtree); undefined when it may.
   */
  private refuseMove(row: TaskEntry, to: number | null, loose = false): Refusal | undefined {
    if (to === null) return undefined;
    if (!loose && !this.tree.nurseries.has(to) && this.tree.tasks.has(to)) return REFUSED.wrongKind;
    if ((this.tree.ownedNurseries.has(row.id) || this.tree.children.has(row.id)) && wouldCycle(this.tree, row.id, to))
      return REFUSED.cycle;
    return undefined;
  }

  private moveTo(row: TaskEntry, to: number | null): void {
    const from = row.parent;
    if (from === to) return; // (removing it from `from` would drop it from `to`)
    this.tree.noteIds(row.id, to);
    row.parent = to;
    if (to !== null) this.tree.addChild(to, row.id);
    if (from !== null) this.retention.childGone(from, row.id);
  }
}
