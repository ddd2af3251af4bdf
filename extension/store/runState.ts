// The reducer: one run's tree, built from validated wire events. This is the
// only place that interprets events (the webview mirrors the rows it emits).
// Pure: no `vscode`, no I/O, no timers, so it is tested and benchmarked in
// plain Node. Rows are mutated in place internally and copied on the way out
// (rows(), takeDelta()), so a consumer never sees a row change under it.
import type {
  ErrorInfo, NurseryRow, Outcome, RetiredRow, Row, RunInfo, RunStatus, ScopeInfo, Site, TaskRow,
} from '../../contract/rows';
import { NameTable, SiteTable } from './internTable';

export interface RunStateOptions {
  /** Finished tasks kept as rows; older ones are folded into RetiredRows. Default 2000. */
  retainFinished?: number;
}

export const DEFAULT_RETAIN_FINISHED = 2000;
/** Closed nurseries whose children are all retired that stay visible (as a summary) before they fold too. */
const RETAIN_EMPTY_NURSERIES = 100;
/** Walks up the tree are bounded: a malformed stream (a move into a descendant) must not loop. */
const MAX_DEPTH = 10_000;
const MAX_PROBLEMS = 20;

type Ev = Record<string, unknown>;

const isSite = (v: unknown): v is Site =>
  typeof v === 'object' && v !== null && typeof (v as Site).file === 'string' && typeof (v as Site).line === 'number';
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const isOutcome = (v: unknown): v is Outcome => v === 'returned' || v === 'raised' || v === 'cancelled';

function errorOf(v: unknown, depth = 0): ErrorInfo | undefined {
  if (typeof v !== 'object' || v === null || depth > 4) return undefined;
  const e = v as Record<string, unknown>;
  const out: ErrorInfo = { type: String(e.type ?? 'Exception'), message: String(e.message ?? '') };
  if (Array.isArray(e.exceptions)) {
    out.exceptions = e.exceptions.slice(0, 20).map((x) => errorOf(x, depth + 1)).filter((x): x is ErrorInfo => !!x);
  }
  return out;
}

/**
 * Rows leave the store as copies holding only the optional fields that are
 * set. Inside, every TaskRow has all its fields from birth (undefined until
 * known) and none is ever deleted: objects keep one hidden class, which keeps
 * the reducer fast.
 */
function copyRow(row: Row): Row {
  if (row.kind === 'task') {
    const t: TaskRow = {
      kind: 'task', id: row.id, parent: row.parent, name: row.name, system: row.system, main: row.main,
      state: row.state, since: row.since, spawnedAt: row.spawnedAt, site: row.site, awaitSite: row.awaitSite,
      scopes: row.scopes.length ? row.scopes.map((s) => ({ ...s })) : [],
    };
    if (row.exitedAt !== undefined) t.exitedAt = row.exitedAt;
    if (row.error !== undefined) t.error = row.error;
    if (row.cancelledBy !== undefined) t.cancelledBy = row.cancelledBy;
    if (row.cancelSource !== undefined) t.cancelSource = row.cancelSource;
    if (row.cancelReason !== undefined) t.cancelReason = row.cancelReason;
    if (row.starting) t.starting = true;
    return t;
  }
  if (row.kind === 'retired') return { ...row, byOutcome: { ...row.byOutcome } };
  const n: NurseryRow = {
    kind: 'nursery', id: row.id, parent: row.parent, site: row.site, openedAt: row.openedAt, system: row.system, start: row.start,
  };
  if (row.closedAt !== undefined) n.closedAt = row.closedAt;
  return n;
}

/** Delta bookkeeping on each stored row: flags instead of id sets keep the hot path cheap. */
interface Tracking {
  /** In `dirtyRows`, waiting for the next delta. */
  dirty: boolean;
  /** A consumer has seen this row (snapshot or delta), so its removal must be told. */
  sent: boolean;
  /** Removed from the store (folded or dropped); it may still sit in a queue. */
  gone: boolean;
}
type TaskEntry = TaskRow & Tracking;
type NurseryEntry = NurseryRow & Tracking;
type RetiredEntry = RetiredRow & Tracking;
type Entry = TaskEntry | NurseryEntry | RetiredEntry;

/**
 * The scopes of every task that has none: most tasks never get one, and an
 * array per row is a good share of what survives the young-generation GC.
 * Never mutated: the first scope replaces it with a row's own array.
 */
const NO_SCOPES: ScopeInfo[] = [];
Object.freeze(NO_SCOPES);

const emptyCounts = (): Record<Outcome | 'lost', number> => ({ returned: 0, raised: 0, cancelled: 0, lost: 0 });

export class RunState {
  readonly key: string;
  label: string;
  private readonly retainFinished: number;

  private status: RunStatus = 'live';
  private runtime = 'trio';
  private runtimeVersion = '';
  private pid: number | undefined;
  private argv: string[] = [];
  private cwd: string | undefined;
  private wall = 0;
  private lastTs = 0;
  private clockTs = 0;
  private clockWall = 0;
  private clockTick = 0;
  private outcome: Outcome | undefined;
  private error: ErrorInfo | undefined;
  private dropped = 0;
  private liveTasks = 0;
  private totalTasks = 0;
  private retired = 0;
  private problems: string[] = [];

  private readonly tasks = new Map<number, TaskEntry>();
  private readonly nurseries = new Map<number, NurseryEntry>();
  private readonly retiredRows = new Map<number, RetiredEntry>();
  /** Visible task rows per nursery: a closed nursery with none left may fold. */
  private readonly children = new Map<number, Set<number>>();
  /** Nursery rows per owner task, so folding a task folds its (closed) nurseries. */
  private readonly ownedNurseries = new Map<number, number[]>();
  /** scope id → task id. */
  private readonly scopeOwner = new Map<number, number>();
  /** nursery id → first child that raised (for cancelledBy inference). */
  private readonly firstRaised = new Map<number, number>();
  /** Finished task ids, oldest first (a FIFO with a moving head, compacted now and then). */
  private finished: TaskEntry[] = [];
  private finishedHead = 0;
  /** Closed nurseries with no visible children left, oldest first. */
  private emptyNurseries: number[] = [];
  private emptyHead = 0;
  /** Files named in sites: the only files the panel may open for this run. */
  readonly reportedFiles = new Set<string>();
  private lastFile = '';
  /** Rows share one site object per distinct site and one string per task name (see internTable.ts). */
  private readonly sites = new SiteTable();
  private readonly names = new NameTable();

  private infoDirty = true;

  /** Ids seen between snapshot.begin and snapshot.end; null outside a snapshot. */
  private snapshotSeen: Set<number> | null = null;

  constructor(key: string, label: string, options: RunStateOptions = {}) {
    this.key = key;
    this.label = label;
    const r = options.retainFinished;
    this.retainFinished = typeof r === 'number' && r >= 0 ? Math.floor(r) : DEFAULT_RETAIN_FINISHED;
  }

  // ---------------------------------------------------------------- reducer

  apply(event: Record<string, unknown>): void {
    const ts = event.ts;
    if (typeof ts === 'number' && ts > this.lastTs) {
      this.lastTs = ts;
      // The clock pair (ts seen at host time) is refreshed every few events: Date.now() per event shows in profiles.
      if ((++this.clockTick & 63) === 0) this.stampClock();
    }
    switch (event.type) {
      case 'task.state': return this.onState(event);
      case 'task.spawned': return this.onSpawned(event);
      case 'task.exited': return this.onExited(event);
      case 'nursery.opened': return this.onNurseryOpened(event);
      case 'nursery.closed': return this.onNurseryClosed(event);
      case 'task.moved': return this.onMoved(event);
      case 'scope.changed': return this.onScopeChanged(event);
      case 'scope.closed': return this.onScopeClosed(event);
      case 'hello': return this.onHello(event);
      case 'run.started': return this.onRunStarted(event);
      case 'run.finished': return this.onRunFinished(event);
      case 'dropped':
        this.dropped += Math.max(0, num(event.count));
        this.infoDirty = true;
        return;
      case 'snapshot.begin':
        this.snapshotSeen = new Set();
        // The program is talking again (a reconnect, or a replay after dropped lines).
        if (this.status === 'disconnected') {
          this.status = 'live';
          this.infoDirty = true;
        }
        return;
      case 'snapshot.end': return this.onSnapshotEnd(num(ts, this.lastTs));
      case 'runtime.disabled':
        this.addProblem(`The runtime switched itself off: ${String(event.reason ?? 'unknown reason')}`);
        return;
      default:
        return; // unknown types are counted by the collector, ignored here
    }
  }

  private onHello(e: Ev): void {
    if (typeof e.runtime === 'string') this.runtime = e.runtime;
    if (typeof e.runtime_version === 'string') this.runtimeVersion = e.runtime_version;
    if (typeof e.pid === 'number') this.pid = e.pid;
    if (Array.isArray(e.argv)) this.argv = e.argv.map(String);
    if (typeof e.cwd === 'string') this.cwd = e.cwd;
    this.infoDirty = true;
  }

  private onRunStarted(e: Ev): void {
    this.stampClock();
    if (!e.resumed || !this.wall) this.wall = num(e.wall);
    if (this.status !== 'recording') this.status = 'live';
    this.infoDirty = true;
  }

  private onRunFinished(e: Ev): void {
    this.stampClock();
    if (isOutcome(e.outcome)) this.outcome = e.outcome;
    this.error = errorOf(e.error);
    if (this.status !== 'recording') this.status = 'finished';
    this.infoDirty = true;
  }

  // Events reach the reducer validated (the collector's checkEvent), so the
  // hot handlers read fields without re-checking their types.
  private onSpawned(e: Ev): void {
    const id = e.id as number;
    const ts = e.ts as number;
    const parent = typeof e.nursery === 'number' ? e.nursery : null;
    this.snapshotSeen?.add(id);
    const site = this.siteOf(e.site);
    if (site) this.reported(site.file);
    const existing = this.tasks.get(id);
    if (existing) {
      // A snapshot replay (or a duplicate): an upsert, never a second task.
      if (existing.parent !== parent) this.reparent(existing, parent);
      existing.name = this.names.intern(String(e.name));
      existing.site = site;
      this.starting(existing);
      this.touch(existing);
      return;
    }
    const row: TaskEntry = {
      kind: 'task',
      id,
      parent,
      name: this.names.intern(e.name as string),
      system: e.system === true,
      main: e.main === true,
      state: 'scheduled',
      since: ts,
      spawnedAt: ts,
      exitedAt: undefined,
      site,
      awaitSite: null,
      error: undefined,
      cancelledBy: undefined,
      cancelSource: undefined,
      cancelReason: undefined,
      scopes: NO_SCOPES,
      starting: undefined,
      dirty: false,
      sent: false,
      gone: false,
    };
    this.starting(row);
    this.tasks.set(id, row);
    if (parent !== null) this.addChild(parent, id);
    this.liveTasks++;
    this.totalTasks++;
    this.infoDirty = true;
    this.touch(row);
  }

  private starting(row: TaskEntry): void {
    const n = row.parent === null ? undefined : this.nurseries.get(row.parent);
    if (n?.start) row.starting = true;
    else row.starting = undefined;
  }

  private reparent(row: TaskEntry, to: number | null): void {
    const from = row.parent;
    row.parent = to;
    if (to !== null) this.addChild(to, row.id);
    if (from !== null) this.removeChild(from, row.id);
  }

  private addChild(nursery: number, task: number): void {
    const set = this.children.get(nursery);
    if (set) set.add(task);
    else this.children.set(nursery, new Set([task]));
  }

  private hasChildren(nursery: number): boolean {
    return (this.children.get(nursery)?.size ?? 0) > 0;
  }

  private onMoved(e: Ev): void {
    const row = this.tasks.get(e.id as number);
    if (!row) return;
    this.reparent(row, e.nursery as number);
    this.starting(row);
    this.touch(row);
  }

  private onState(e: Ev): void {
    const id = e.id as number;
    this.snapshotSeen?.add(id);
    const row = this.tasks.get(id);
    if (!row || row.exitedAt !== undefined) return; // a sample racing an exit: the exit wins
    const state = e.state as TaskRow['state'];
    if (row.state !== state) {
      row.state = state;
      row.since = num(e.ts);
    }
    if ('at' in e) {
      row.awaitSite = this.siteOf(e.at);
      if (row.awaitSite) this.reported(row.awaitSite.file);
    }
    this.touch(row);
  }

  private onExited(e: Ev): void {
    const id = e.id as number;
    const row = this.tasks.get(id);
    if (!row || row.exitedAt !== undefined) return;
    const ts = e.ts as number;
    const outcome = e.outcome as Outcome;
    row.state = outcome;
    row.since = ts;
    row.exitedAt = ts;
    row.starting = undefined;
    if (e.error !== undefined) {
      const error = errorOf(e.error);
      if (error) row.error = error;
    }
    if (outcome === 'raised' && row.parent !== null && !this.firstRaised.has(row.parent)) {
      this.firstRaised.set(row.parent, id);
    }
    if (outcome === 'cancelled') {
      const cancel = (typeof e.cancel === 'object' && e.cancel !== null ? e.cancel : {}) as Ev;
      const source = cancel.source as TaskRow['cancelSource'];
      if (source) row.cancelSource = source;
      if (typeof cancel.reason === 'string') row.cancelReason = cancel.reason;
      if (typeof cancel.by === 'number') row.cancelledBy = cancel.by;
      else if (!source || source === 'nursery' || source === 'unknown') {
        const by = this.inferCanceller(row);
        if (by !== undefined) row.cancelledBy = by;
      }
    }
    this.finish(row);
    this.retain();
  }

  /** A live task is over (exited or lost): its scopes die with it, and it joins the retention queue. */
  private finish(row: TaskEntry): void {
    if (row.scopes.length) {
      for (const s of row.scopes) this.scopeOwner.delete(s.id);
      row.scopes = NO_SCOPES;
    }
    this.liveTasks--;
    this.infoDirty = true;
    this.touch(row);
    this.finished.push(row);
  }

  /**
   * A cancelled task whose nursery — or an enclosing one — already had a child
   * that raised was (almost surely) cancelled because of that failure: Trio
   * cancels a nursery's scope when a child raises, and that reaches everything
   * below it.
   */
  private inferCanceller(row: TaskRow): number | undefined {
    let child: number = row.id;
    let nursery = row.parent;
    for (let depth = 0; nursery !== null && depth < MAX_DEPTH; depth++) {
      const raised = this.firstRaised.get(nursery);
      if (raised !== undefined && raised !== child) return raised;
      const n = this.nurseries.get(nursery);
      if (!n) return undefined;
      const owner = this.tasks.get(n.parent);
      if (!owner) return undefined;
      child = owner.id;
      nursery = owner.parent;
    }
    return undefined;
  }

  private onNurseryOpened(e: Ev): void {
    const id = e.id as number;
    this.snapshotSeen?.add(id);
    const site = this.siteOf(e.site);
    if (site) this.reported(site.file);
    const existing = this.nurseries.get(id);
    if (existing) {
      existing.site = site;
      this.touch(existing);
      return;
    }
    const owner = e.task as number;
    const row: NurseryEntry = {
      kind: 'nursery',
      id,
      parent: owner,
      site,
      openedAt: num(e.ts),
      closedAt: undefined,
      system: e.system === true,
      start: e.start === true,
      dirty: false,
      sent: false,
      gone: false,
    };
    this.nurseries.set(id, row);
    const owned = this.ownedNurseries.get(owner);
    if (owned) owned.push(id);
    else this.ownedNurseries.set(owner, [id]);
    this.touch(row);
  }

  private onNurseryClosed(e: Ev): void {
    const row = this.nurseries.get(e.id as number);
    if (!row || row.closedAt !== undefined) return;
    row.closedAt = num(e.ts);
    this.touch(row);
    if (!this.hasChildren(row.id)) this.nurseryEmptied(row);
  }

  private onScopeChanged(e: Ev): void {
    const id = e.id as number;
    const taskId = e.task as number;
    const task = this.tasks.get(taskId);
    if (!task || task.exitedAt !== undefined) return;
    const info: ScopeInfo = {
      id,
      deadline: typeof e.deadline === 'number' ? e.deadline : null,
      shield: e.shield === true,
      cancelCalled: e.cancel_called === true,
    };
    if (typeof e.reason === 'string') info.reason = e.reason;
    const prevOwner = this.scopeOwner.get(id);
    if (prevOwner !== undefined && prevOwner !== taskId) this.dropScope(prevOwner, id);
    this.scopeOwner.set(id, taskId);
    const i = task.scopes.findIndex((s) => s.id === id);
    if (i >= 0) task.scopes[i] = info;
    else if (task.scopes === NO_SCOPES) task.scopes = [info];
    else {
      task.scopes.push(info);
      // Ids grow with entry order, so id order is outer-first.
      if (task.scopes.length > 1) task.scopes.sort((a, b) => a.id - b.id);
    }
    this.touch(task);
  }

  private onScopeClosed(e: Ev): void {
    const id = e.id as number;
    const owner = this.scopeOwner.get(id);
    if (owner === undefined) return;
    this.scopeOwner.delete(id);
    this.dropScope(owner, id);
  }

  private dropScope(taskId: number, scopeId: number): void {
    const task = this.tasks.get(taskId);
    if (!task) return;
    const i = task.scopes.findIndex((s) => s.id === scopeId);
    if (i >= 0) {
      task.scopes.splice(i, 1);
      this.touch(task);
    }
  }

  private onSnapshotEnd(ts: number): void {
    const seen = this.snapshotSeen;
    this.snapshotSeen = null;
    if (!seen) return;
    // Live things the runtime did not replay ended while we were away.
    for (const row of [...this.tasks.values()]) {
      if (row.exitedAt !== undefined || seen.has(row.id)) continue;
      this.markLost(row, ts);
    }
    for (const n of [...this.nurseries.values()]) {
      if (n.closedAt !== undefined || seen.has(n.id)) continue;
      n.closedAt = ts;
      this.touch(n);
      if (!this.hasChildren(n.id)) this.nurseryEmptied(n);
    }
    this.retain();
  }

  private markLost(row: TaskEntry, ts: number): void {
    row.state = 'lost';
    row.since = ts;
    row.exitedAt = ts;
    row.starting = undefined;
    this.finish(row);
  }

  // ------------------------------------------------------------- retention

  private retain(): void {
    while (this.finished.length - this.finishedHead > this.retainFinished) {
      const row = this.finished[this.finishedHead++];
      if (!row.gone && row.exitedAt !== undefined) this.foldTask(row);
    }
    if (this.finishedHead > 1024 && this.finishedHead * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }

  /** Folds a finished task, and everything still visible below it, into its nursery's RetiredRow. */
  private foldTask(row: TaskEntry): void {
    if (!this.ownedNurseries.has(row.id) && row.parent !== null) {
      // The common case: a leaf task. No walk, no temporary arrays.
      this.tasks.delete(row.id);
      this.forget(row);
      this.retired++;
      this.infoDirty = true;
      const r = this.retiredRow(row.parent);
      r.count++;
      r.byOutcome[row.state as Outcome | 'lost']++;
      this.touch(r);
      this.removeChild(row.parent, row.id);
      return;
    }
    const counts = emptyCounts();
    let n = 0;
    const stack: TaskEntry[] = [row];
    const removedTasks: TaskEntry[] = [];
    const removedNurseries: number[] = [];
    const visited = new Set<number>();
    while (stack.length) {
      const t = stack.pop()!;
      if (visited.has(t.id)) continue; // a malformed stream may form a cycle
      visited.add(t.id);
      removedTasks.push(t);
      const owned = this.ownedNurseries.get(t.id);
      if (!owned) continue;
      for (const nid of owned) {
        if (!this.nurseries.has(nid)) continue;
        removedNurseries.push(nid);
        const r = this.retiredRows.get(-nid);
        if (r) {
          for (const k of Object.keys(counts) as (Outcome | 'lost')[]) counts[k] += r.byOutcome[k];
          n += r.count;
        }
        for (const cid of this.children.get(nid) ?? []) {
          const child = this.tasks.get(cid);
          if (child && child !== row) stack.push(child);
        }
      }
    }
    for (const t of removedTasks) {
      const outcome = t.exitedAt !== undefined ? (t.state as Outcome | 'lost') : 'lost';
      counts[outcome]++;
      n++;
      if (t.exitedAt === undefined) this.liveTasks--; // only reachable with a malformed stream
      this.tasks.delete(t.id);
      this.ownedNurseries.delete(t.id);
      this.forget(t);
    }
    for (const nid of removedNurseries) {
      const nr = this.nurseries.get(nid);
      this.nurseries.delete(nid);
      this.children.delete(nid);
      this.firstRaised.delete(nid);
      if (nr) this.forget(nr);
      this.dropRetired(nid);
    }
    // Descendants merged from retired rows were counted when they retired.
    this.retired += removedTasks.length;
    this.infoDirty = true;
    const parent = row.parent;
    if (parent === null) return;
    const r = this.retiredRow(parent);
    r.count += n;
    for (const k of Object.keys(counts) as (Outcome | 'lost')[]) r.byOutcome[k] += counts[k];
    this.touch(r);
    this.removeChild(parent, row.id);
  }

  private retiredRow(nursery: number): RetiredEntry {
    let r = this.retiredRows.get(-nursery);
    if (!r) {
      r = { kind: 'retired', id: -nursery, parent: nursery, count: 0, byOutcome: emptyCounts(), dirty: false, sent: false, gone: false };
      this.retiredRows.set(-nursery, r);
    }
    return r;
  }

  private removeChild(nurseryId: number, taskId: number): void {
    const set = this.children.get(nurseryId);
    if (!set || !set.delete(taskId) || set.size > 0) return;
    this.children.delete(nurseryId);
    const n = this.nurseries.get(nurseryId);
    if (n && n.closedAt !== undefined) this.nurseryEmptied(n);
  }

  /** A closed nursery has no visible children left. */
  private nurseryEmptied(n: NurseryEntry): void {
    if (n.start && !this.retiredRows.has(-n.id)) {
      // The temporary nursery of start(): once its task moved out it is noise.
      this.removeNursery(n.id);
      return;
    }
    this.emptyNurseries.push(n.id);
    while (this.emptyNurseries.length - this.emptyHead > RETAIN_EMPTY_NURSERIES) {
      const id = this.emptyNurseries[this.emptyHead++];
      const still = this.nurseries.get(id);
      if (still && still.closedAt !== undefined && !this.hasChildren(id)) this.removeNursery(id);
    }
    if (this.emptyHead > 1024 && this.emptyHead * 2 > this.emptyNurseries.length) {
      this.emptyNurseries = this.emptyNurseries.slice(this.emptyHead);
      this.emptyHead = 0;
    }
  }

  /** Removes an empty closed nursery; its retired count stays in the run's total. */
  private removeNursery(id: number): void {
    const n = this.nurseries.get(id);
    if (!n) return;
    this.nurseries.delete(id);
    this.firstRaised.delete(id);
    this.children.delete(id);
    const owned = this.ownedNurseries.get(n.parent);
    if (owned) {
      const i = owned.indexOf(id);
      if (i >= 0) owned.splice(i, 1);
      if (!owned.length) this.ownedNurseries.delete(n.parent);
    }
    this.forget(n);
    this.dropRetired(id);
  }

  private dropRetired(nursery: number): void {
    const r = this.retiredRows.get(-nursery);
    if (!r) return;
    this.retiredRows.delete(-nursery);
    this.forget(r);
  }

  // ---------------------------------------------------------------- output

  /** The shared copy of a site (parsed sites are not kept: they die young). */
  private siteOf(v: unknown): Site | null {
    return isSite(v) ? this.sites.intern(v) : null;
  }

  /** Most sites repeat the previous file: skip hashing the path again. */
  private reported(file: string): void {
    if (file === this.lastFile) return;
    this.lastFile = file;
    this.reportedFiles.add(file);
  }

  private dirtyRows: Entry[] = [];
  private removedIds: number[] = [];

  private touch(row: Entry): void {
    if (row.dirty) return;
    row.dirty = true;
    this.dirtyRows.push(row);
    // Nobody taking deltas (a recording being replayed): do not keep removed rows alive.
    if (this.dirtyRows.length > 65_536 && this.dirtyRows.length > 4 * (this.tasks.size + this.nurseries.size + this.retiredRows.size)) {
      this.dirtyRows = this.dirtyRows.filter((r) => {
        if (this.stored(r)) return true;
        r.dirty = false;
        return false;
      });
    }
  }

  /** A row leaves the store: consumers that saw it hear of it. */
  private forget(row: Entry): void {
    row.gone = true;
    if (row.sent) this.removedIds.push(row.id);
  }

  private stored(r: Entry): boolean {
    return !r.gone;
  }

  private row(id: number): Entry | undefined {
    return id < 0 ? this.retiredRows.get(id) : (this.tasks.get(id) ?? this.nurseries.get(id));
  }

  /** Full snapshot: nurseries and tasks in id order (parents before children), retired rows last. */
  rows(): Row[] {
    const out: Row[] = [];
    for (const n of this.nurseries.values()) {
      n.sent = true;
      out.push(copyRow(n));
    }
    for (const t of this.tasks.values()) {
      t.sent = true;
      out.push(copyRow(t));
    }
    out.sort((a, b) => a.id - b.id);
    for (const r of this.retiredRows.values()) {
      r.sent = true;
      out.push(copyRow(r));
    }
    return out;
  }

  takeDelta(): { upsert: Row[]; remove: number[] } | null {
    if (!this.dirtyRows.length && !this.removedIds.length) return null;
    const upsert: Row[] = [];
    const remove: number[] = [];
    if (this.removedIds.length) {
      const seen = new Set<number>();
      for (const id of this.removedIds) {
        if (seen.has(id) || this.row(id)) continue; // gone and back (a replayed snapshot): an upsert
        seen.add(id);
        remove.push(id);
      }
    }
    for (const r of this.dirtyRows) {
      r.dirty = false;
      if (!this.stored(r)) continue;
      r.sent = true;
      upsert.push(copyRow(r));
    }
    this.dirtyRows = [];
    this.removedIds = [];
    if (!upsert.length && !remove.length) return null;
    return { upsert, remove };
  }

  /** Drops pending changes (nobody is watching this run; a snapshot follows when someone does). */
  discardDelta(): void {
    if (this.dirtyRows.length) {
      for (const r of this.dirtyRows) r.dirty = false;
      this.dirtyRows = [];
    }
    if (this.removedIds.length) this.removedIds = [];
  }

  hasDelta(): boolean {
    return this.dirtyRows.length > 0 || this.removedIds.length > 0;
  }

  /** True when info() changed since the last call of takeInfoChanged(). */
  takeInfoChanged(): boolean {
    const d = this.infoDirty;
    this.infoDirty = false;
    return d;
  }

  private stampClock(): void {
    this.clockTs = this.lastTs;
    this.clockWall = Date.now();
  }

  info(): RunInfo {
    if (this.status === 'live' && this.clockTs !== this.lastTs) this.stampClock();
    const info: RunInfo = {
      key: this.key,
      label: this.label,
      status: this.status,
      runtime: this.runtime,
      runtimeVersion: this.runtimeVersion,
      argv: [...this.argv],
      wall: this.wall,
      clock: { ts: this.clockTs, hostWall: this.clockWall || Date.now() },
      dropped: this.dropped,
      liveTasks: this.liveTasks,
      totalTasks: this.totalTasks,
      retired: this.retired,
      problems: [...this.problems],
    };
    if (this.pid !== undefined) info.pid = this.pid;
    if (this.cwd !== undefined) info.cwd = this.cwd;
    if (this.outcome) info.outcome = this.outcome;
    if (this.error) info.error = this.error;
    return info;
  }

  // ------------------------------------------------- lifecycle (host side)

  get currentStatus(): RunStatus {
    return this.status;
  }

  /** The program's connection ended before run.finished: keep what we know, say so. */
  markDisconnected(reason: string): void {
    this.snapshotSeen = null; // a snapshot cut short by the disconnect proves nothing
    if (this.status !== 'live') return;
    this.status = 'disconnected';
    this.infoDirty = true;
    this.addProblem(reason);
  }

  /** A replayed recording: its status never turns live/finished. */
  markRecording(): void {
    this.status = 'recording';
    this.infoDirty = true;
  }

  addProblem(message: string): void {
    if (this.problems.includes(message)) return;
    if (this.problems.length >= MAX_PROBLEMS) this.problems.shift();
    this.problems.push(message);
    this.infoDirty = true;
  }
}
