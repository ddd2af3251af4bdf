// One run's rows and the indexes between them: tasks, nurseries and retired
// counts by id, the visible tasks of each nursery, the nurseries of each task,
// scope owners and each nursery's first child that raised. Also what rows
// share (one object per site, one string per name), the files they name, and
// the log of what changed for the panel.
import type { Row, Site } from '../../contract/rows';
import type { WireEvent, WireSite } from '../../contract/wire';
import { DeltaLog } from './deltaLog';
import { NameTable, SiteTable } from './internTable';
import { ReportedFiles } from './reportedFiles';
import {
  clip,
  copyEntry,
  copyRow,
  MAX_TEXT,
  type Entry,
  type NurseryEntry,
  type RetiredEntry,
  type TaskEntry,
} from './rowEntries';

export class RunTree {
  readonly tasks = new Map<number, TaskEntry>();
  readonly nurseries = new Map<number, NurseryEntry>();
  /** RetiredRows by their (negative) id: -(nursery id), or -(task id) for folded loose tasks. */
  readonly retired = new Map<number, RetiredEntry>();
  /** Visible task rows per nursery (and per task: the loose tasks it made); a closed nursery with none left may fold. */
  readonly children = new Map<number, Set<number>>();
  /** Nursery rows per owner task, so folding a task folds its (closed) nurseries. */
  readonly ownedNurseries = new Map<number, number[]>();
  /** scope id → task id. */
  readonly scopeOwner = new Map<number, number>();
  /** nursery id → first child that raised (for cancelledBy inference). */
  readonly firstRaised = new Map<number, number>();
  /**
   * Loose tasks another task was seen awaiting (its sampled waits named them:
   * asyncio's `await task`, a gather of them): someone took their outcome, so
   * outliving their maker is no fire-and-forget (runLints.ts). Only ever
   * grows while the task's row lives; retention forgets it with the row.
   */
  readonly awaited = new Set<number>();
  /**
   * The highest id any row has or any link names. Ids grow, so a new row's id
   * is nearly always above it: then nothing can clash with it or hang under
   * it, and the checks of treeLinks.ts are skipped (they cost lookups on every
   * spawn otherwise).
   */
  maxId = 0;
  /** Ids seen between snapshot.begin and snapshot.end; null outside a snapshot. */
  snapshotSeen: Set<number> | null = null;
  readonly changes = new DeltaLog(() => this.tasks.size + this.nurseries.size + this.retired.size);
  /** Files named in sites: the only files the panel may open for this run (bounded, newest kept). */
  readonly reportedFiles = new ReportedFiles();
  private lastFile = '';
  /** Rows share one site object per distinct site and one string per task name (see internTable.ts). */
  private readonly sites = new SiteTable();
  private readonly names = new NameTable();

  /** The shared copy of a wire site (parsed sites are never kept: they die young); its file becomes openable. */
  site(v: WireSite | null): Site | null {
    if (v === null) return null;
    const site = this.sites.intern(v);
    // Most sites repeat the previous file: skip hashing the path again.
    if (site.file !== this.lastFile) {
      this.lastFile = site.file;
      this.reportedFiles.add(site.file);
    }
    return site;
  }

  /** `site`, bound: what an error's copy takes for its sites (rowEntries.errorOf). */
  readonly siteOf = (v: WireSite | null): Site | null => this.site(v);

  /** The shared copy of a task name (cut to MAX_TEXT). */
  name(s: string): string {
    return this.names.intern(s.length > MAX_TEXT ? clip(s, MAX_TEXT) : s);
  }

  /** `id` and the id it links to were seen. */
  noteIds(id: number, linked: number | null): void {
    if (id > this.maxId) this.maxId = id;
    if (linked !== null && linked > this.maxId) this.maxId = linked;
  }

  /**
   * `e` is about the library's own work (a system task or nursery, a scope of
   * a system task), as the rows say before it applies: the time cursor's
   * steps go over it while the panel hides system rows.
   */
  aboutSystem(e: WireEvent): boolean {
    switch (e.type) {
      case 'task.spawned':
      case 'nursery.opened':
        return e.system === true;
      case 'task.state':
      case 'task.exited':
      case 'task.moved':
      case 'task.flagged':
        return this.tasks.get(e.id)?.system === true;
      case 'nursery.closed':
        return this.nurseries.get(e.id)?.system === true;
      case 'scope.changed':
        return this.tasks.get(e.task)?.system === true;
      case 'scope.closed': {
        const owner = this.scopeOwner.get(e.id);
        return owner !== undefined && this.tasks.get(owner)?.system === true;
      }
      default:
        return false;
    }
  }

  row(id: number): Entry | undefined {
    return id < 0 ? this.retired.get(id) : (this.tasks.get(id) ?? this.nurseries.get(id));
  }

  /** `task` hangs under `parent`: a nursery, or the task that made a loose task. */
  addChild(parent: number, task: number): void {
    const set = this.children.get(parent);
    if (set) set.add(task);
    else this.children.set(parent, new Set([task]));
  }

  /** Returns the nursery when this left it closed and without visible children (so it may fold). */
  removeChild(nursery: number, task: number): NurseryEntry | undefined {
    const set = this.children.get(nursery);
    if (!set || !set.delete(task) || set.size > 0) return undefined;
    this.children.delete(nursery);
    const n = this.nurseries.get(nursery);
    return n && n.closedAt !== undefined ? n : undefined;
  }

  hasChildren(nursery: number): boolean {
    return (this.children.get(nursery)?.size ?? 0) > 0;
  }

  /**
   * A structural copy for history (a checkpoint, or a past moment to replay
   * onto): its own rows and indexes, no pending changes, fresh share tables
   * and reported files (a past state opens no files).
   */
  copy(): RunTree {
    const c = new RunTree();
    for (const [id, t] of this.tasks) c.tasks.set(id, copyEntry(t));
    for (const [id, n] of this.nurseries) c.nurseries.set(id, copyEntry(n));
    for (const [id, r] of this.retired) c.retired.set(id, copyEntry(r));
    for (const [id, set] of this.children) c.children.set(id, new Set(set));
    for (const [id, list] of this.ownedNurseries) c.ownedNurseries.set(id, list.slice());
    for (const [k, v] of this.scopeOwner) c.scopeOwner.set(k, v);
    for (const [k, v] of this.firstRaised) c.firstRaised.set(k, v);
    for (const id of this.awaited) c.awaited.add(id);
    c.maxId = this.maxId;
    c.snapshotSeen = this.snapshotSeen && new Set(this.snapshotSeen);
    return c;
  }

  /** Every row as stored: nurseries, tasks, retired counts. */
  *entries(): Iterable<Entry> {
    yield* this.nurseries.values();
    yield* this.tasks.values();
    yield* this.retired.values();
  }

  /** Rows it holds (tasks, nurseries, retired counts). */
  get size(): number {
    return this.tasks.size + this.nurseries.size + this.retired.size;
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
    for (const r of this.retired.values()) {
      r.sent = true;
      out.push(copyRow(r));
    }
    return out;
  }
}
