// Live counts in the editor: while a run is selected, each line of a Python
// file that spawned tasks gets a hint after its end with what it spawned
// (`12 live · 3 raised`), and each line where tasks are parked `4 waiting
// here`; a click selects those tasks in the panel. Counts are taken at most
// every REFRESH_MS, only while a Python editor is visible, and the provider
// is registered only while a run is selected and the setting is on: with no
// run selected the hints cost nothing.
//
// A click's command carries no arguments. VS Code keeps a command with
// arguments only as long as the hints it came with, and these are replaced
// up to three times a second while counts change: a click on the replaced
// ones failed ("Actual command not found", about one click in seven). Each
// site and kind has its own command instead, whose id names it; a click
// selects what its part drew.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStore } from '../store/runStore';
import { countsKey, hintParts, siteCounts, type HintKind, type SiteCounts } from './siteCounts';

/** At most about three refreshes a second. */
const REFRESH_MS = 350;
export const SELECT_TASKS_COMMAND = 'nurseryLens.selectTasks';

/** What a hint's part drew: a click on it selects these tasks of that run. */
interface Drawn {
  run: string;
  ids: number[];
  label: string;
}

export class EditorHints implements vscode.InlayHintsProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;
  private registration: vscode.Disposable | undefined;
  private counts: SiteCounts = new Map();
  private key = '';
  private run: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The hints' commands (see the top of this file) by id, with what their part last drew, while hints are on. */
  private readonly siteCommands = new Map<string, { command: vscode.Disposable; drawn: Drawn }>();

  constructor(
    private readonly store: RunStore,
    private readonly selectedRun: () => string | null,
    private readonly enabled: () => boolean,
  ) {
    const sub = store.onDidChange(() => this.refreshSoon());
    this.subscriptions.push(
      { dispose: () => sub.dispose() },
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshSoon()),
    );
    this.refreshSoon();
  }

  /** Something changed (the store, the selection, the setting): look again within REFRESH_MS. */
  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.last = Date.now();
        this.refresh();
      },
      Math.max(0, this.last + REFRESH_MS - Date.now()),
    );
  }

  private refresh(): void {
    const run = this.enabled() ? this.selectedRun() : null;
    const state = run ? this.store.get(run)?.state : undefined;
    if (!run || !state) {
      this.unregister();
      return;
    }
    if (!this.registration) {
      this.registration = vscode.languages.registerInlayHintsProvider({ language: 'python' }, this);
    }
    if (!vscode.window.visibleTextEditors.some((e) => e.document.languageId === 'python')) return;
    const counts = siteCounts(state.taskRows());
    const key = `${run}|${countsKey(counts)}`;
    this.run = run;
    this.counts = counts;
    if (key === this.key) return;
    this.key = key;
    this.changed.fire();
  }

  private unregister(): void {
    this.registration?.dispose();
    this.registration = undefined;
    this.counts = new Map();
    this.key = '';
    this.run = null;
    this.dropCommands();
  }

  private dropCommands(): void {
    for (const c of this.siteCommands.values()) c.command.dispose();
    this.siteCommands.clear();
  }

  /**
   * The command of one part of a line's hint, drawn now: each draw replaces
   * what it keeps, so a click selects what the part last drew (the run, the
   * tasks, its words), which is what the user saw.
   */
  private siteCommand(kind: HintKind, file: string, line: number, drawn: Drawn): string {
    const id = `nurseryLens.hint.${kind}:${line}:${file}`;
    const known = this.siteCommands.get(id);
    if (known) known.drawn = drawn;
    else {
      const entry = { command: vscode.commands.registerCommand(id, () => this.pick(entry.drawn)), drawn };
      this.siteCommands.set(id, entry);
    }
    return id;
  }

  private pick(d: Drawn): void {
    void vscode.commands.executeCommand(SELECT_TASKS_COMMAND, d.run, d.ids, d.label);
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const file = document.uri.fsPath;
    const lines = this.counts.get(file);
    const run = this.run;
    if (!lines || !run) return [];
    const hints: vscode.InlayHint[] = [];
    for (const [line, c] of lines) {
      const at = line - 1;
      if (at < range.start.line || at > range.end.line || at >= document.lineCount) continue;
      const parts = hintParts(c);
      if (!parts.length) continue;
      const label: vscode.InlayHintLabelPart[] = [];
      parts.forEach((p, i) => {
        if (i) label.push(new vscode.InlayHintLabelPart(' · '));
        const part = new vscode.InlayHintLabelPart(p.text);
        part.tooltip = p.tooltip;
        const drawn = { run, ids: p.ids, label: `${p.text} · ${path.basename(file)}:${line}` };
        part.command = { title: 'Select in the task tree', command: this.siteCommand(p.kind, file, line, drawn) };
        label.push(part);
      });
      const hint = new vscode.InlayHint(document.lineAt(at).range.end, label);
      hint.paddingLeft = true;
      hints.push(hint);
    }
    return hints;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.unregister();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
