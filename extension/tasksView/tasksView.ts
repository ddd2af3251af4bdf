// The Tasks view in the Run and Debug side bar: a native tree of the run the
// panel shows, for those who prefer the side bar. It rebuilds at most
// REFRESH_MS apart and only while it is visible; children are handed out as
// VS Code asks for them (collapsed items cost nothing). A selection here
// selects in the panel and the reverse, through TaskFocus.
import * as vscode from 'vscode';
import type { RunStore } from '../store/runStore';
import type { TaskFocus, TaskRef } from '../panel/taskFocus';
import { TasksModel, type ItemData } from './tasksModel';

export const TASKS_VIEW_ID = 'nurseryLens.tasks';
/** At most 4 rebuilds a second, however fast the run changes. */
export const REFRESH_MS = 250;

export class TasksView implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<string>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private run: string | null = null;
  private model: TasksModel | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastRefresh = 0;
  /** A selection made elsewhere while the view was hidden or not yet rebuilt. */
  private pendingReveal: TaskRef | null = null;

  constructor(
    private readonly store: RunStore,
    private readonly focus: TaskFocus,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView(TASKS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(
      this.view,
      this.changed,
      this.view.onDidChangeSelection((e) => this.picked(e.selection[0])),
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) this.refresh();
      }),
      new vscode.Disposable(store.onDidChange(() => this.schedule()).dispose),
      new vscode.Disposable(
        focus.onDidSelect(({ ref, origin }) => {
          if (origin !== 'view') this.reveal(ref);
        }).dispose,
      ),
      new vscode.Disposable(focus.onDidChangeMarks(() => this.schedule()).dispose),
    );
  }

  /** The panel shows another run (or none): so does the view. */
  showRun(key: string | null): void {
    if (key === this.run) return;
    this.run = key;
    // A selection still waiting to be shown in another run is stale: the view follows the panel.
    if (this.pendingReveal && this.pendingReveal.run !== key) this.pendingReveal = null;
    this.model = null;
    this.refresh();
  }

  /** The site an item points at (its await site, else where it was spawned). */
  siteOf(key: string): ItemData['site'] {
    return this.model?.item(key, this.focus.marks)?.site ?? null;
  }

  getTreeItem(key: string): vscode.TreeItem {
    const data = this.model?.item(key, this.focus.marks);
    if (!data) return new vscode.TreeItem('(gone)', vscode.TreeItemCollapsibleState.None);
    const state = vscode.TreeItemCollapsibleState;
    const item = new vscode.TreeItem(
      data.label,
      data.expandable ? (data.open ? state.Expanded : state.Collapsed) : state.None,
    );
    item.id = `${this.model!.run}/${key}`;
    item.description = data.description;
    // Plain text: the program's strings must never become markup.
    item.tooltip = data.tooltip.join('\n');
    item.iconPath = new vscode.ThemeIcon(
      data.icon.id,
      data.icon.color ? new vscode.ThemeColor(data.icon.color) : undefined,
    );
    item.contextValue = data.kind;
    item.accessibilityInformation = { label: [data.label, data.description].filter(Boolean).join(', ') };
    return item;
  }

  getChildren(key?: string): string[] {
    if (!this.model) return [];
    return key === undefined ? this.model.roots() : this.model.children(key);
  }

  getParent(key: string): string | undefined {
    return this.model?.parent(key) ?? undefined;
  }

  private picked(key: string | undefined): void {
    if (key === undefined || !this.model) return;
    const row = this.model.item(key, this.focus.marks)?.row;
    if (row !== null && row !== undefined) this.focus.select({ run: this.model.run, id: row }, 'view');
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.refresh();
      },
      Math.max(0, REFRESH_MS - (Date.now() - this.lastRefresh)),
    );
  }

  /** Rebuilds from the store (only while visible: a hidden view rebuilds when shown). */
  private refresh(): void {
    if (!this.view.visible) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastRefresh = Date.now();
    try {
      const entry = this.run ? this.store.get(this.run) : undefined;
      this.model = entry ? TasksModel.of(entry.state.key, entry.state.rows(), entry.state.info().verdict) : null;
    } catch (err) {
      this.log.warn(`Tasks view: ${String(err)}`);
      this.model = null;
    }
    this.changed.fire(undefined);
    const pending = this.pendingReveal;
    if (pending) this.reveal(pending);
  }

  private reveal(ref: TaskRef): void {
    this.pendingReveal = ref;
    // Revealing in a hidden view would open the side bar over what the user chose to see.
    // Another run's task: the panel shows that run first, and its showRun brings the view along.
    if (!this.view.visible || !this.model || this.model.run !== ref.run) return;
    const key = this.model.keyOf(ref.id);
    if (key === null) return;
    this.pendingReveal = null;
    this.view.reveal(key, { select: true, focus: false, expand: false }).then(undefined, (err: unknown) => {
      this.log.debug(`Tasks view: could not reveal ${key}: ${String(err)}`);
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
  }
}
