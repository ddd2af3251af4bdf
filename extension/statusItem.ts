// The status-bar item: how many runs and live tasks there are; a click opens
// the task tree. Hidden while there are no runs, so it never nags.
import * as vscode from 'vscode';
import type { RunStore } from './store/runStore';

const REFRESH_MS = 250;

export class RunStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly store: RunStore) {
    this.item = vscode.window.createStatusBarItem('nurseryLens.status', vscode.StatusBarAlignment.Left, 40);
    this.item.name = 'Nursery Lens';
    this.item.command = 'nurseryLens.showTaskTree';
    this.subscription = store.onDidChange(() => this.schedule());
    this.refresh();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, REFRESH_MS);
  }

  private refresh(): void {
    const infos = this.store.infos();
    if (!infos.length) {
      this.item.hide();
      return;
    }
    const live = infos.filter((i) => i.status === 'live');
    const disconnected = infos.filter((i) => i.status === 'disconnected');
    const tasks = live.reduce((n, i) => n + i.liveTasks, 0);
    const icon = disconnected.length ? '$(debug-disconnect)' : '$(type-hierarchy)';
    this.item.text = live.length
      ? `${icon} ${tasks} task${tasks === 1 ? '' : 's'}`
      : `${icon} ${infos.length} run${infos.length === 1 ? '' : 's'}`;
    const lines = infos.slice(-8).map((i) => `${i.label}: ${i.status}${i.status === 'live' ? `, ${i.liveTasks} live tasks` : ''}${i.dropped ? `, ${i.dropped} events dropped` : ''}`);
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendText(`Nursery Lens: ${live.length} live run(s), ${infos.length} in total\n\n`);
    for (const l of lines) md.appendText(`${l}\n`);
    md.appendMarkdown('\n\nClick to show the task tree.');
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
