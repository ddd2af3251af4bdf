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
// site and kind has its own command instead, whose id names it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStore } from '../store/runStore';
import { countsKey, hintParts, siteCounts, type HintKind, type SiteCounts } from './siteCounts';

/** At most about three refreshes a second. */
const REFRESH_MS = 350;
export const SELECT_TASKS_COMMAND = 'nurseryLens.selectTasks';

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
  /** The hints' commands (see the top of this file), by id, while a run is selected. */
  private readonly siteCommands = new Map<string, vscode.Disposable>();

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
    if (run !== this.run) this.dropCommands();
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
    for (const c of this.siteCommands.values()) c.dispose();
    this.siteCommands.clear();
  }

  /** The command of one part of a line's hint: it selects what that part counted when last drawn. */
  private siteCommand(kind: HintKind, file: string, line: number): string {
    const id = `nurseryLens.hint.${kind}:${line}:${file}`;
    if (!this.siteCommands.has(id))
      this.siteCommands.set(
        id,
        vscode.commands.registerCommand(id, () => this.pick(kind, file, line)),
      );
    return id;
  }

  private pick(kind: HintKind, file: string, line: number): void {
    const c = this.counts.get(file)?.get(line);
    const part = c && hintParts(c).find((p) => p.kind === kind);
    if (!this.run || !part) return;
    const label = `${part.text} · ${path.basename(file)}:${line}`;
    void vscode.commands.executeCommand(SELECT_TASKS_COMMAND, this.run, part.ids, label);
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const file = document.uri.fsPath;
    const lines = this.counts.get(file);
    if (!lines || !this.run) return [];
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
        part.command = { title: 'Select in the task tree', command: this.siteCommand(p.kind, file, line) };
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
