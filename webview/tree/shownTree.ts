// The tree of the run in view, as built for drawing: its model (rows + the
// user's choices) and layout, the run's await-site marks, which failure
// cancelled which task, and what building it cost, so that a big tree is
// rebuilt a few times a second rather than in every frame.
import type { Row, RunInfo } from '../../contract/rows';
import { victimsIndex } from './cancelLinks';
import { awaitKey, displayName } from './labels';
import { layoutTree, type LabelSizer, type Layout } from './layout';
import { COLUMN_EXTRA, EXTRA_CHARS, MAX_COLUMN } from './geometry';
import { extraWords, lookOf, type Measures } from './look';
import type { RunMirror } from './mirror';
import { sameBudget } from './budget';
import { hiddenWords } from './labels';
import { buildModel, type Budget, type Model, type ModelOptions, type ViewNode } from './model';
import type { DebugPointers } from './debugLook';
import { SitePalette } from './sitePalette';

/** Trees with more drawn nodes than this may wait between rebuilds; smaller ones never do. */
const BIG_TREE = 2000;
/** Labels once cut for lack of room, remembered per run (beyond this many, forgotten). */
const CRAMPED_KEPT = 500;
/** Label length estimates per row object (see sizer). */
const CHARS = new WeakMap<Row, number>();

/** Minimum time between data-driven rebuilds for a rebuild that cost `cost` ms: none for small trees. */
function rebuildInterval(cost: number): number {
  return cost < 6 ? 0 : Math.min(1000, cost * 12);
}

export class ShownTree {
  model: Model | null = null;
  layout: Layout | null = null;
  /** Counts layouts: what depends on positions is kept while it stays. */
  version = 0;
  /** Failing task id → the task ids its failure cancelled. */
  victims = new Map<number, number[]>();
  /** Await-site marks of the run (stable for the run). */
  palette = new SitePalette();
  /** What the debugger points at in the run in view (its badge widens a label: a change needs a rebuild). */
  debug: DebugPointers | undefined;
  /** What the last rebuild cost, and when it ended. */
  private cost = 0;
  private builtAt = 0;
  /**
   * Labels a frame had to cut for lack of room: every later layout of the
   * run measures them. Each with its row as it was then (rows are replaced
   * when they change): cut again after its row changed, it may want more.
   */
  private readonly cramped = new Map<string, Row | undefined>();
  /** The layout a relayout for cramped labels was asked for (one try per layout). */
  private crampedFor = -1;
  /**
   * Columns the budget opened in this run's earlier builds: a level it once
   * collapsed stays collapsed while the tree grows and shrinks (no flapping),
   * until the panel's size or the focus changes.
   */
  private autoDepth = Infinity;
  private lastBudget: Budget | null = null;
  private lastFocus: string | null = null;

  constructor(private readonly measures: Measures) {}

  /** Another run comes into view: nothing built yet, fresh marks. */
  reset(): void {
    this.model = null;
    this.layout = null;
    this.palette = new SitePalette();
    this.cramped.clear();
    this.autoDepth = Infinity;
  }

  /** The panel's budget the last build used. */
  get budget(): Budget | null {
    return this.lastBudget;
  }

  /** A fresh snapshot: the next rebuild does not wait. */
  forgetCost(): void {
    this.cost = 0;
  }

  /** How long a rebuild for spawns and exits should still wait, in ms (0: now). */
  rebuildWait(): number {
    const big = (this.layout?.nodes.length ?? 0) > BIG_TREE;
    return big ? rebuildInterval(this.cost) - (performance.now() - this.builtAt) : 0;
  }

  rebuild(run: RunMirror | undefined, options: ModelOptions): void {
    const t0 = performance.now();
    if (!run) {
      this.model = null;
      this.layout = null;
    } else {
      const panel = options.budget;
      if (!sameBudget(panel, this.lastBudget) || options.focus !== this.lastFocus) this.autoDepth = Infinity;
      this.lastBudget = panel;
      this.lastFocus = options.focus;
      const budget = panel && { ...panel, depth: Math.min(panel.depth, this.autoDepth) };
      this.model = buildModel(run.rows, { ...options, budget });
      this.autoDepth = Math.min(this.autoDepth, this.model.autoDepth);
      markAwaitSites(this.model.root, run.rows, this.palette);
      this.layout = layoutTree(this.model.root, this.sizer(run.rows, run.info));
      this.version++;
      this.victims = victimsIndex(run.rows);
    }
    this.builtAt = performance.now();
    this.cost = this.builtAt - t0;
  }

  /**
   * Labels a frame cut for lack of room; true when a relayout should give
   * them room: once per layout, and again for a label whose row changed
   * since it was last cut (a badge came: a relayout that had already been
   * tried for the layout left "warm cache ⚠ outlived its maker" as "wa…he").
   */
  noteCramped(keys: readonly string[], rows: ReadonlyMap<number, Row>): boolean {
    if (!keys.length) return false;
    const rowOf = (k: string) => {
      const node = this.layout?.byKey.get(k)?.node;
      return node && node.kind !== 'fold' && node.kind !== 'more' ? rows.get(node.id) : undefined;
    };
    // A column already as wide as columns get gives no more room: its labels' changes ask for no relayout
    // (a busy tree's rows change at every delta).
    const capped = (k: string) => {
      const p = this.layout?.byKey.get(k);
      return p !== undefined && (this.layout!.room[p.depth] ?? 0) >= MAX_COLUMN - COLUMN_EXTRA;
    };
    const changed = keys.some((k) => !this.cramped.has(k) || (this.cramped.get(k) !== rowOf(k) && !capped(k)));
    if (!changed && this.crampedFor === this.version) return false;
    // The relayout asked for is the next layout: it does not ask again for the same rows.
    this.crampedFor = this.version + 1;
    if (this.cramped.size > CRAMPED_KEPT) this.cramped.clear();
    for (const k of keys) this.cramped.set(k, rowOf(k));
    return true;
  }

  /** Label sizes for the layout: a quick character count, exact widths for the longest. */
  private sizer(rows: ReadonlyMap<number, Row>, info: RunInfo): LabelSizer {
    const ctx = { rows, info, measures: this.measures, wallNow: Date.now(), palette: this.palette, debug: this.debug };
    const cramped = this.cramped;
    return {
      chars: (n) => {
        if (n.kind === 'fold') return displayName(n.name ?? '').length + 8;
        if (n.kind === 'more') return 22;
        const r = rows.get(n.id);
        if (!r) return 0;
        const more = n.hidden ? hiddenWords(n.hidden).length : 0;
        if (r.kind === 'nursery') return 16 + more;
        if (r.kind === 'retired') return 20;
        // Rows are replaced when they change, so a count cached on the row object stays right (a cause's
        // name, `← load(stock)`, is another row's, and task names seldom change: a guess may lag a rename).
        let c = CHARS.get(r);
        if (c === undefined) {
          // As drawn: at most EXTRA_CHARS; an error's type is bold, a little wider than its characters
          // ("probe-7 ConnectionError" was ranked below the column's 12 longest, measured by none, cut).
          const extra = extraWords(r, rows);
          c =
            Math.min(displayName(r.name).length, 44) +
            (extra.text ? Math.min(extra.text.length, EXTRA_CHARS) + (extra.cls === 'error' ? 4 : 2) : 0) +
            (r.scopes.length ? 10 : 0);
          CHARS.set(r, c);
        }
        // "paused here" is not the row's: never cached with it.
        return c + more + (this.debug && (this.debug.paused === r.id || this.debug.focus === r.id) ? 16 : 0);
      },
      width: (n) => lookOf(n, ctx, Infinity).width,
      always: (n) => cramped.has(n.key),
    };
  }
}

/** Marks go to await sites in tree order, so the first group from the top gets the first mark. */
function markAwaitSites(root: ViewNode, rows: ReadonlyMap<number, Row>, palette: SitePalette): void {
  const walk: ViewNode[] = [root];
  while (walk.length) {
    const n = walk.pop()!;
    const r = n.kind === 'task' ? rows.get(n.id) : undefined;
    const key = r?.kind === 'task' ? awaitKey(r) : null;
    if (key) palette.markOf(key);
    for (let i = n.children.length - 1; i >= 0; i--) walk.push(n.children[i]);
  }
}
