// The lints of one run (issue #17), found by `evaluate` at most a few times a
// second (the host decides when): what the runtime reported (lintEvents.ts:
// the loop held, coroutines never awaited; flags at loop close on the rows)
// and what the tree shows (a start() not started, a runaway task group, a
// loose task that outlived the task that made it with no task seen awaiting
// it). Each lint also marks its row, so the panel shows it on the task. Pure:
// no vscode, no timers.
import type { LintCode, LintMark, Site, TaskRow } from '../../contract/rows';
import { LintEvents } from './lintEvents';
import * as W from './lintWords';
import type { RunFacts } from './runFacts';
import type { RunTree } from './runTree';
import type { NurseryEntry, TaskEntry } from './rowEntries';

/** Which lints are on, and their thresholds (the user's settings). */
export interface LintSettings {
  loopBlocked: boolean;
  /** A task waiting in start() longer than this (ms) is a lint; 0: off. */
  startNotStartedMs: number;
  /** A task group with more live children than this is a lint; 0: off. */
  runawayChildren: number;
  /** Loose tasks that outlive their maker, tasks pending at loop close, exceptions never retrieved. */
  orphans: boolean;
  neverAwaited: boolean;
}

export const DEFAULT_LINT_SETTINGS: LintSettings = {
  loopBlocked: true,
  startNotStartedMs: 5000,
  runawayChildren: 1000,
  orphans: true,
  neverAwaited: true,
};

export type LintSeverity = 'warning' | 'information';

export interface Lint {
  code: LintCode;
  severity: LintSeverity;
  /** One sentence for the Problems panel. */
  message: string;
  /** The line it is about (null: none known; it still counts and marks its rows). */
  site: Site | null;
  /** The tasks (or the task group) it is about. */
  ids: number[];
  /** Other lines worth a click: the task's spawn site, where it waits. */
  related: Array<{ site: Site; message: string }>;
  /** Still happening: a block holding the loop now, a start() still waiting. */
  ongoing: boolean;
}

const SEVERITY: Record<LintCode, LintSeverity> = {
  'loop-blocked': 'warning',
  'never-awaited': 'warning',
  'exception-never-retrieved': 'warning',
  'start-not-started': 'information',
  'runaway-nursery': 'information',
  'outlived-maker': 'information',
  'pending-at-close': 'information',
};

export const severityOf = (code: LintCode): LintSeverity => SEVERITY[code];

/** Task groups remembered as runaway (their peak), per run. */
const MAX_RUNAWAY = 100;

export class RunLints {
  readonly events: LintEvents;
  /** Rows marked by the last evaluation. */
  private marked = new Map<number, LintMark[]>();
  /** Task groups that went past the threshold: their peak of live children. */
  private readonly runaway = new Map<number, number>();
  private lastSignature = '';
  private last: Lint[] = [];

  constructor(
    private readonly tree: RunTree,
    private readonly facts: RunFacts,
  ) {
    this.events = new LintEvents(tree);
  }

  /**
   * The run's lints at run-relative time `now` (ms), and whether they changed
   * since the last call. Rows whose marks changed are touched (the panel's
   * next delta carries them). A run that did not change is not scanned again
   * unless a start() is waiting (its lint depends on the time).
   */
  evaluate(settings: LintSettings, now: number): { lints: Lint[]; changed: boolean } {
    const f = this.facts;
    const sig = `${this.events.version}|${f.lastSeen}|${f.liveTasks}|${f.totalTasks}|${this.tree.awaited.size}|${f.status}|${JSON.stringify(settings)}`;
    if (sig === this.lastSignature && !this.waitingStarts) return { lints: this.last, changed: false };
    this.lastSignature = sig;
    const found: Lint[] = [];
    const marks = new Map<number, LintMark[]>();
    const mark = (id: number, m: LintMark): void => {
      const list = marks.get(id);
      if (list) list.push(m);
      else marks.set(id, [m]);
    };
    if (settings.loopBlocked) this.blocks(found, mark);
    if (settings.neverAwaited) this.warnings(found, mark);
    this.scanTasks(settings, now, found, mark);
    this.applyMarks(marks);
    const changed = JSON.stringify(found) !== JSON.stringify(this.last);
    this.last = found;
    return { lints: found, changed };
  }

  /** A start() is waiting under the threshold: the next evaluation may find it late. */
  private waitingStarts = false;

  private name(id: number | undefined): string | undefined {
    return id === undefined ? undefined : this.tree.tasks.get(id)?.name;
  }

  private blocks(found: Lint[], mark: (id: number, m: LintMark) => void): void {
    for (const g of this.events.blockGroups.values()) {
      if (!g.count) continue;
      const ongoing = g.ongoing?.duration;
      const facts = { count: g.count, longest: g.longest, total: g.total, ongoing, task: this.name(g.lastTask) };
      const message = W.blockedMessage(facts);
      const related = this.spawnSites(g.tasks);
      found.push({
        code: 'loop-blocked',
        severity: 'warning',
        message,
        site: g.site,
        ids: [...g.tasks],
        related,
        ongoing: ongoing !== undefined,
      });
      const badge = W.BADGES.blocked(ongoing ?? g.longest, ongoing !== undefined);
      const sentence = W.SENTENCES.blocked(facts, W.where(g.site));
      for (const id of g.tasks) mark(id, W.markOf('loop-blocked', badge, sentence));
    }
  }

  private warnings(found: Lint[], mark: (id: number, m: LintMark) => void): void {
    for (const g of this.events.warningGroups.values()) {
      if (g.kind !== 'never_awaited') continue;
      const coroutine = W.coroutineOf(g.message);
      const message = W.neverAwaitedMessage(
        coroutine ? `'${coroutine}'` : 'a coroutine',
        this.name(g.lastTask),
        g.count,
      );
      const related = g.func ? [{ site: g.func, message: `${coroutine ?? 'the coroutine'} is defined here` }] : [];
      found.push({
        code: 'never-awaited',
        severity: 'warning',
        message,
        site: g.site,
        ids: [...g.tasks],
        related,
        ongoing: false,
      });
      const sentence = W.SENTENCES.neverAwaited(coroutine ? `'${coroutine}'` : 'a coroutine', W.where(g.site));
      for (const id of g.tasks) mark(id, W.markOf('never-awaited', W.BADGES.neverAwaited, sentence));
    }
  }

  /** One pass over the tasks: start() waits, live children per task group, loose tasks, flags. */
  private scanTasks(s: LintSettings, now: number, found: Lint[], mark: (id: number, m: LintMark) => void): void {
    const tree = this.tree;
    const live = new Map<number, number>();
    this.waitingStarts = false;
    for (const t of tree.tasks.values()) {
      const alive = t.exitedAt === undefined && !t.flags?.includes('pending_at_close');
      if (alive && t.parent !== null && !t.loose) live.set(t.parent, (live.get(t.parent) ?? 0) + 1);
      if (alive && t.starting && s.startNotStartedMs > 0 && this.facts.status === 'live') {
        const waited = now - t.spawnedAt;
        if (waited > s.startNotStartedMs) {
          const message = W.startMessage(t.name, waited, s.startNotStartedMs);
          const related = t.awaitSite ? [{ site: t.awaitSite, message: `${t.name} is waiting here` }] : [];
          found.push({
            code: 'start-not-started',
            severity: 'information',
            message,
            site: t.site,
            ids: [t.id],
            related,
            ongoing: true,
          });
          mark(t.id, W.markOf('start-not-started', W.BADGES.notStarted(waited), W.SENTENCES.notStarted(waited)));
        }
        this.waitingStarts = true;
      }
      if (s.orphans) this.orphan(t, found, mark);
    }
    if (s.runawayChildren > 0) this.runawayGroups(live, s.runawayChildren, found, mark);
  }

  private orphan(t: TaskEntry, found: Lint[], mark: (id: number, m: LintMark) => void): void {
    const related = this.whereItWaits(t);
    if (t.flags?.includes('pending_at_close')) {
      found.push({
        code: 'pending-at-close',
        severity: 'information',
        message: W.pendingMessage(t.name),
        site: t.site,
        ids: [t.id],
        related,
        ongoing: false,
      });
      return; // (marked by its flag already; outliving its maker is the same story)
    }
    if (t.flags?.includes('exception_never_retrieved')) {
      const err = t.unretrieved ?? t.error;
      const message = W.unretrievedMessage(
        t.name,
        err ? `${err.type}${err.message ? `: ${err.message}` : ''}` : undefined,
      );
      found.push({
        code: 'exception-never-retrieved',
        severity: 'warning',
        message,
        site: t.site,
        ids: [t.id],
        related,
        ongoing: false,
      });
    }
    if (!t.loose || t.parent === null) return;
    // Another task awaited it (main's `await warmer`): its outcome was taken, so outliving its maker is by design.
    if (this.tree.awaited.has(t.id)) return;
    const maker = this.tree.tasks.get(t.parent);
    if (maker?.exitedAt === undefined) return;
    const still = t.exitedAt === undefined;
    if (!still && t.exitedAt! <= maker.exitedAt) return;
    const message = W.outlivedMessage(t.name, maker.name, still, (t.exitedAt ?? 0) - maker.exitedAt);
    const rel = maker.site
      ? [{ site: maker.site, message: `${maker.name}, which made it, was started here` }, ...related]
      : related;
    found.push({
      code: 'outlived-maker',
      severity: 'information',
      message,
      site: t.site,
      ids: [t.id],
      related: rel,
      ongoing: still,
    });
    mark(t.id, W.markOf('outlived-maker', W.BADGES.outlived, W.SENTENCES.outlived(maker.name, still)));
  }

  private runawayGroups(
    live: Map<number, number>,
    threshold: number,
    found: Lint[],
    mark: (id: number, m: LintMark) => void,
  ): void {
    for (const [nid, n] of live) {
      if (n <= threshold) continue;
      const nursery = this.tree.nurseries.get(nid);
      if (!nursery || nursery.system) continue;
      if ((this.runaway.get(nid) ?? 0) < n) this.runaway.set(nid, n);
    }
    for (const [nid, peak] of this.runaway) {
      const nursery = this.tree.nurseries.get(nid);
      if (!nursery) {
        this.runaway.delete(nid);
        continue;
      }
      const n = live.get(nid) ?? 0;
      const ongoing = n > threshold;
      const message = W.runawayMessage(n, peak, threshold, ongoing);
      found.push({
        code: 'runaway-nursery',
        severity: 'information',
        message,
        site: nursery.site,
        ids: [nid],
        related: this.childSites(nursery),
        ongoing,
      });
      mark(
        nid,
        W.markOf(
          'runaway-nursery',
          W.BADGES.runaway(ongoing ? n : peak),
          W.SENTENCES.runaway(n, peak, threshold, ongoing),
        ),
      );
    }
    while (this.runaway.size > MAX_RUNAWAY) this.runaway.delete(this.runaway.keys().next().value as number);
  }

  /** Where the tasks were spawned (distinct lines, a few). */
  private spawnSites(ids: readonly number[]): Lint['related'] {
    const out: Lint['related'] = [];
    const seen = new Set<Site>();
    for (const id of ids) {
      const t = this.tree.tasks.get(id);
      if (!t?.site || seen.has(t.site) || out.length >= 3) continue;
      seen.add(t.site);
      out.push({ site: t.site, message: `${t.name} was started here` });
    }
    return out;
  }

  /** The lines that spawned a task group's live children, the busiest first. */
  private childSites(n: NurseryEntry): Lint['related'] {
    const bySite = new Map<Site, number>();
    for (const id of this.tree.children.get(n.id) ?? []) {
      const t = this.tree.tasks.get(id);
      if (t?.site && t.exitedAt === undefined) bySite.set(t.site, (bySite.get(t.site) ?? 0) + 1);
    }
    return [...bySite]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([site, k]) => ({ site, message: `${W.count(k)} of its live children were started here` }));
  }

  private whereItWaits(t: TaskRow): Lint['related'] {
    return t.awaitSite && t.awaitSite !== t.site
      ? [{ site: t.awaitSite, message: `${t.name} was last seen waiting here` }]
      : [];
  }

  /** Sets the rows' marks, touching only rows whose marks changed. */
  private applyMarks(marks: Map<number, LintMark[]>): void {
    const tree = this.tree;
    for (const [id, list] of marks) {
      const prev = this.marked.get(id);
      if (prev && sameMarks(prev, list)) continue;
      const row = tree.tasks.get(id) ?? tree.nurseries.get(id);
      if (!row) continue;
      row.lints = list;
      tree.changes.touch(row);
    }
    for (const id of this.marked.keys()) {
      if (marks.has(id)) continue;
      const row = tree.tasks.get(id) ?? tree.nurseries.get(id);
      if (!row || row.lints === undefined) continue;
      row.lints = undefined;
      tree.changes.touch(row);
    }
    this.marked = marks;
  }
}

function sameMarks(a: readonly LintMark[], b: readonly LintMark[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => m.code === b[i].code && m.badge === b[i].badge && m.sentence === b[i].sentence)
  );
}
