// The reducer for task events (task.spawned, task.moved, task.state,
// task.exited, task.flagged): task rows are born (under their nursery, or a
// loose task under the task that made it), move between nurseries, change
// state and end, and a cancelled task learns who caused it where the wire
// does not say.
import type { Site } from '../../contract/rows';
import type { TaskExitedEvent, TaskFlaggedEvent, TaskMovedEvent, TaskSpawnedEvent, TaskStateEvent, WireSite } from '../../contract/wire';
import type { Retention } from './retention';
import type { RunFacts } from './runFacts';
import type { RunTree } from './runTree';
import { errorOf, NO_SCOPES, type TaskEntry } from './rowEntries';

/**
 * A task made outside any task group (protocol 1.2: asyncio.create_task,
 * ensure_future, gather, loop.create_task): no nursery, and either the task
 * that made it named or neither main nor the library's own.
 */
function isLoose(e: TaskSpawnedEvent): boolean {
  return e.nursery === null && (e.parent !== undefined || (!e.main && !e.system));
}

/** Walks up the tree are bounded: a malformed stream (a move into a descendant) must not loop. */
const MAX_DEPTH = 10_000;

export class TaskEvents {
  constructor(
    private readonly tree: RunTree,
    private readonly facts: RunFacts,
    private readonly retention: Retention,
  ) {}

  spawned(e: TaskSpawnedEvent): void {
    const tree = this.tree;
    const id = e.id;
    const loose = isLoose(e);
    const parent = loose ? this.maker(e) : e.nursery;
    tree.snapshotSeen?.add(id);
    const site = tree.site(e.site);
    const existing = tree.tasks.get(id);
    if (existing) {
      // A snapshot replay (or a duplicate): an upsert, never a second task.
      if (existing.parent !== parent) this.moveTo(existing, parent);
      existing.name = tree.name(e.name);
      existing.site = site;
      this.starting(existing);
      tree.changes.touch(existing);
      return;
    }
    const row: TaskEntry = {
      kind: 'task',
      id,
      parent,
      name: tree.name(e.name),
      system: e.system,
      main: e.main === true,
      state: 'scheduled',
      since: e.ts,
      spawnedAt: e.ts,
      exitedAt: undefined,
      site,
      awaitSite: null,
      chain: undefined,
      error: undefined,
      cancelledBy: undefined,
      cancelSource: undefined,
      cancelReason: undefined,
      scopes: NO_SCOPES,
      starting: undefined,
      loose: loose ? true : undefined,
      flags: undefined,
      unretrieved: undefined,
      dirty: false,
      sent: false,
      gone: false,
    };
    this.starting(row);
    tree.tasks.set(id, row);
    if (parent !== null) tree.addChild(parent, id);
    this.facts.liveTasks++;
    this.facts.totalTasks++;
    this.facts.changed = true;
    tree.changes.touch(row);
  }

  moved(e: TaskMovedEvent): void {
    const row = this.tree.tasks.get(e.id);
    if (!row) return;
    this.moveTo(row, e.nursery);
    this.starting(row);
    this.tree.changes.touch(row);
  }

  state(e: TaskStateEvent): void {
    const id = e.id;
    this.tree.snapshotSeen?.add(id);
    const row = this.tree.tasks.get(id);
    if (!row || row.exitedAt !== undefined) return; // a sample racing an exit: the exit wins
    if (row.state !== e.state) {
      row.state = e.state;
      row.since = e.ts;
    }
    if (e.at !== undefined) row.awaitSite = this.tree.site(e.at);
    if (e.chain !== undefined) row.chain = this.chainOf(e.chain);
    this.tree.changes.touch(row);
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

  exited(e: TaskExitedEvent): void {
    const id = e.id;
    const row = this.tree.tasks.get(id);
    if (!row || row.exitedAt !== undefined) return;
    const outcome = e.outcome;
    row.state = outcome;
    row.since = e.ts;
    row.exitedAt = e.ts;
    row.starting = undefined;
    if (e.error !== undefined) {
      const error = errorOf(e.error);
      if (error) row.error = error;
    }
    const firstRaised = this.tree.firstRaised;
    // A loose task's failure cancels nothing: no task group owns it.
    if (outcome === 'raised' && row.parent !== null && !row.loose && !firstRaised.has(row.parent)) firstRaised.set(row.parent, id);
    if (outcome === 'cancelled') this.cancelled(row, e.cancel ?? {});
    this.finish(row);
    this.retention.retain();
  }

  /** Something found about a task apart from its exit (pending when its loop closed, an exception nobody retrieved). */
  flagged(e: TaskFlaggedEvent): void {
    const row = this.tree.tasks.get(e.id);
    if (!row) return;
    if (row.flags?.includes(e.flag)) return;
    row.flags = [...(row.flags ?? []), e.flag];
    if (e.flag === 'exception_never_retrieved' && e.error) row.unretrieved = errorOf(e.error);
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

  private cancelled(row: TaskEntry, cancel: NonNullable<TaskExitedEvent['cancel']>): void {
    const source = cancel.source;
    if (source) row.cancelSource = source;
    if (cancel.reason !== undefined) row.cancelReason = cancel.reason;
    if (cancel.by !== undefined) row.cancelledBy = cancel.by;
    else if (!row.loose && (!source || source === 'nursery' || source === 'unknown')) {
      const by = this.inferCanceller(row);
      if (by !== undefined) row.cancelledBy = by;
    }
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
    for (let depth = 0; nursery !== null && depth < MAX_DEPTH; depth++) {
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
    if (row.scopes.length) {
      for (const s of row.scopes) this.tree.scopeOwner.delete(s.id);
      row.scopes = NO_SCOPES;
    }
    this.facts.liveTasks--;
    this.facts.changed = true;
    this.tree.changes.touch(row);
    this.retention.queue(row);
  }

  /** The row a loose task hangs under: the task that made it, when the store still holds it (else it is a root). */
  private maker(e: TaskSpawnedEvent): number | null {
    const by = e.parent;
    return by !== undefined && by !== e.id && this.tree.tasks.has(by) ? by : null;
  }

  /** True while the task waits in a start() nursery. */
  private starting(row: TaskEntry): void {
    const n = row.parent === null ? undefined : this.tree.nurseries.get(row.parent);
    row.starting = n?.start ? true : undefined;
  }

  private moveTo(row: TaskEntry, to: number | null): void {
    const from = row.parent;
    if (from === to) return; // (removing it from `from` would drop it from `to`)
    row.parent = to;
    if (to !== null) this.tree.addChild(to, row.id);
    if (from !== null) this.retention.childGone(from, row.id);
  }
}
