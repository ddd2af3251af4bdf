// What the Tasks view (Run and Debug side bar) shows of one run: the same
// tree as the panel — system rows hidden with their children lifted, more
// than FOLD_THRESHOLD tasks of one kind grouped into one "×N" item (its
// members that raised beside it, as in the panel) — built
// by the panel's own model (webview/tree/model.ts, pure), so the two views
// never disagree about what is where. Items are described as plain data;
// tasksView.ts turns them into TreeItems. No vscode import.
import type { Row, Site, TaskRow, Verdict } from '../../contract/rows';
import { buildModel, type Model, type ModelOptions, type ViewNode } from '../../webview/tree/model';
import { count, displayName, errorLine, shortSite, siteWords, taskExtra } from '../../webview/tree/labels';
import { groupWord, startWord } from '../../webview/tree/kindWords';
import { kindSentence } from '../../webview/tree/taskKinds';
import { countStates, inStateOrder, stateWord } from '../../webview/tree/taskStates';
import { FOLD_THRESHOLD } from '../../webview/viewState';
import type { DebugMarks } from '../panel/taskFocus';

/** A codicon and the theme colour it is drawn in (ids as VS Code names them). */
export interface ItemIcon {
  id: string;
  color?: string;
}

export interface ItemData {
  label: string;
  description: string;
  /** Plain text lines (program strings: never markup). */
  tooltip: string[];
  icon: ItemIcon;
  expandable: boolean;
  /** Shown expanded at first: the main task, and nurseries of a few items. */
  open: boolean;
  /** What it is, for menus: `task`, `nursery`, `group`, `retired`. */
  kind: 'task' | 'nursery' | 'group' | 'retired';
  /** Where a double-click or Enter takes the user. */
  site: Site | null;
  /** The row id a selection of this item selects in the panel (null: a group). */
  row: number | null;
}

/** Each state drawn as in the panel (styles.css: --nl-*), with a codicon that differs by shape too. */
const STATE_ICONS: Record<TaskRow['state'], ItemIcon> = {
  running: { id: 'play-circle', color: 'charts.blue' },
  scheduled: { id: 'clock', color: 'charts.yellow' },
  waiting: { id: 'debug-pause', color: 'charts.purple' },
  returned: { id: 'pass', color: 'charts.green' },
  raised: { id: 'error', color: 'errorForeground' },
  cancelled: { id: 'circle-slash', color: 'charts.orange' },
  lost: { id: 'question', color: 'disabledForeground' },
};
export const PAUSED_ICON: ItemIcon = {
  id: 'debug-stackframe',
  color: 'debugIcon.breakpointCurrentStackframeForeground',
};
export const FOCUS_ICON: ItemIcon = {
  id: 'debug-stackframe-focused',
  color: 'debugIcon.breakpointStackframeForeground',
};

/** A task the run's standing verdict names (the panel's Deadlock/Hung banner rings the same tasks). */
type Stuck = 'deadlocked' | 'behind' | 'hung';
const STUCK_WORDS: Record<Stuck, string> = {
  deadlocked: 'deadlocked',
  behind: 'stuck behind the deadlock',
  hung: 'hung',
};
const STUCK_SENTENCES: Record<Stuck, string> = {
  deadlocked: 'Deadlocked: it waits for another task of a cycle that waits for it (the panel names them all).',
  behind: 'Stuck behind the deadlock: it waits, directly or not, for a task of the cycle.',
  hung: 'Hung: every task waits, and nothing can wake any of them.',
};

/** Which tasks a verdict still standing names, and how. */
function stuckOf(verdict: Verdict | undefined): Map<number, Stuck> {
  const out = new Map<number, Stuck>();
  if (!verdict || verdict.endedAt !== undefined) return out;
  const how: Stuck = verdict.kind === 'hang' ? 'hung' : 'deadlocked';
  for (const t of verdict.behind) out.set(t.id, 'behind');
  for (const t of verdict.tasks) out.set(t.id, how);
  return out;
}

/** A nursery with at most this many items starts expanded. */
const OPEN_NURSERY_ITEMS = 50;

// The whole run: no panel size to fit (budget null), and an open group lists all its members (one page).
const OPTIONS: ModelOptions = {
  hideSystem: true,
  hideFinished: false,
  search: '',
  collapsed: new Set(),
  opened: new Set(),
  deep: new Set(),
  pages: new Map(),
  foldThreshold: FOLD_THRESHOLD,
  pageSize: Number.MAX_SAFE_INTEGER,
  budget: null,
  focus: null,
  selected: null,
};

export class TasksModel {
  private readonly parents = new Map<string, string | null>();
  private readonly model: Model;
  private readonly stuck: Map<number, Stuck>;

  constructor(
    readonly run: string,
    readonly rows: ReadonlyMap<number, Row>,
    verdict?: Verdict,
  ) {
    this.stuck = stuckOf(verdict);
    let model = buildModel(rows, OPTIONS);
    // A group lists its members as children: build again with every group open.
    const groups = [...model.byKey.values()].filter((n) => n.kind === 'fold').map((n) => n.key);
    if (groups.length) model = buildModel(rows, { ...OPTIONS, pages: new Map(groups.map((k) => [k, 1])) });
    this.model = model;
    const walk: Array<[ViewNode, string | null]> = model.root.children.map((c) => [c, null]);
    while (walk.length) {
      const [node, parent] = walk.pop()!;
      this.parents.set(node.key, parent);
      for (const c of node.children) walk.push([c, node.key]);
    }
  }

  static of(run: string, rows: readonly Row[], verdict?: Verdict): TasksModel {
    return new TasksModel(run, new Map(rows.map((r) => [r.id, r])), verdict);
  }

  /** Keys of the top items. */
  roots(): string[] {
    return this.model.root.children.map((c) => c.key);
  }

  children(key: string): string[] {
    return this.model.byKey.get(key)?.children.map((c) => c.key) ?? [];
  }

  /** The key of the item holding `key` (null for a top item, undefined for one the model does not have). */
  parent(key: string): string | null | undefined {
    return this.parents.get(key);
  }

  has(key: string): boolean {
    return this.model.byKey.has(key);
  }

  /** The item that shows row `id`: itself, else its nearest shown ancestor (a hidden system task has none). */
  keyOf(id: number): string | null {
    return this.model.keyOf(id);
  }

  item(key: string, marks: DebugMarks): ItemData | undefined {
    const node = this.model.byKey.get(key);
    if (!node) return undefined;
    if (node.kind === 'fold') return this.group(node);
    const row = this.rows.get(node.id);
    if (!row) return undefined;
    const mine = marks.run === this.run;
    if (row.kind === 'task')
      return taskItem(
        row,
        node,
        mine && marks.paused === row.id ? (marks.reason ?? 'paused') : null,
        mine && marks.focus === row.id,
        this.stuck.get(row.id),
      );
    if (row.kind === 'nursery') {
      const where = row.site ? siteWords(row.site) : '';
      const closed = row.closedAt !== undefined && row.closedAt !== null;
      const kind = row.start ? startWord(row) : groupWord(row); // an asyncio `TaskGroup`, an AnyIO `task group`
      return {
        label: row.site ? `${kind} ${where}` : kind,
        description: closed ? 'closed' : count(this.tasksIn(node), 'task', 'tasks'),
        tooltip: [
          `${kind} #${row.id}${closed ? ', closed' : ''}`,
          row.site ? `opened at ${row.site.file}:${row.site.line}` : 'opened where no user code was found',
        ],
        icon: { id: 'type-hierarchy-sub', ...(closed ? { color: 'disabledForeground' } : {}) },
        expandable: node.children.length > 0,
        open: node.children.length <= OPEN_NURSERY_ITEMS,
        kind: 'nursery',
        site: row.site,
        row: row.id,
      };
    }
    const counts = inStateOrder(row.byOutcome)
      .map(([s, c]) => `${c} ${stateWord(s)}`)
      .join(', ');
    return {
      label: `${row.count} finished (folded)`,
      description: counts,
      tooltip: [`${row.count} older finished tasks (with the tasks they started): ${counts}`],
      icon: { id: 'archive' },
      expandable: false,
      open: false,
      kind: 'retired',
      site: null,
      row: null,
    };
  }

  /** The tasks a nursery holds: a "×N" item counts its N (its items are fewer: "2 tasks" read over 31). */
  private tasksIn(node: ViewNode): number {
    let n = 0;
    for (const c of node.children) {
      const r = c.kind === 'fold' ? undefined : this.rows.get(c.id);
      n += c.kind === 'fold' ? (c.members?.length ?? 0) : r?.kind === 'retired' ? r.count : r?.kind === 'task' ? 1 : 0;
    }
    return n;
  }

  private group(node: ViewNode): ItemData {
    const states = (node.members ?? []).flatMap((id) => {
      const r = this.rows.get(id);
      return r?.kind === 'task' ? [r.state] : [];
    });
    const counts = inStateOrder(countStates(states))
      .map(([s, c]) => `${c} ${stateWord(s)}`)
      .join(', ');
    return {
      label: `${displayName(node.name ?? '')} ×${node.members?.length ?? 0}`,
      description: counts,
      tooltip: [kindSentence(node.members ?? [], this.rows), counts],
      icon: { id: 'layers' },
      expandable: node.children.length > 0,
      open: false,
      kind: 'group',
      site: null,
      row: null,
    };
  }
}

function taskItem(t: TaskRow, node: ViewNode, paused: string | null, focus: boolean, stuck?: Stuck): ItemData {
  const extra = taskExtra(t);
  const how = paused ? 'paused here' : focus ? 'in the selected frame' : stateWord(t.state);
  // The verdict first: a side bar ~300 px wide cut "waiting · dead…" (and a row's hover button cuts more).
  const words = [stuck ? STUCK_WORDS[stuck] : '', how, extra].filter(Boolean);
  const tooltip = [`task ${t.name}`, `${stateWord(t.state)}${t.main ? ' · main task' : ''} · #${t.id}`];
  if (paused) tooltip.push(`The debugger stopped here (${paused}).`);
  else if (focus) tooltip.push('Owns the frame selected in the Call Stack.');
  if (stuck) tooltip.push(STUCK_SENTENCES[stuck]);
  if (t.awaitSite)
    tooltip.push(
      `${t.state === 'waiting' ? 'waits at' : 'last await at'} ${siteWords(t.awaitSite)} (${t.awaitSite.file}:${t.awaitSite.line})`,
    );
  if (t.site) tooltip.push(`spawned at ${shortSite(t.site)}`);
  if (t.error) tooltip.push(errorLine(t.error));
  return {
    label: displayName(t.name),
    description: words.join(' · '),
    tooltip,
    icon: paused
      ? PAUSED_ICON
      : focus
        ? FOCUS_ICON
        : stuck && stuck !== 'behind'
          ? { ...STATE_ICONS[t.state], color: 'errorForeground' } // ringed in the panel too
          : STATE_ICONS[t.state],
    expandable: node.children.length > 0,
    open: t.main,
    kind: 'task',
    site: t.awaitSite ?? t.site,
    row: t.id,
  };
}
