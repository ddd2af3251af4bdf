// The status-bar item: how many runs and live tasks there are, and how many
// lints the runs have (issue #17); a click opens the task tree. Hidden while there are no runs and nothing went wrong, so it
// never nags; a refused program connection shows as a warning that opens the log.
import * as vscode from 'vscode';
import type { RunStore } from './store/runStore';
import { lintBadge } from './lints/diagnosticData';
import { runStatusWord } from '../contract/rows';

const REFRESH_MS = 250;

export class RunStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: { dispose(): void };

  private refused = 0;
  private lastRefusal = '';
  private lints = { warning: 0, information: 0 };

  constructor(
    private readonly store: RunStore,
    private readonly showLogCommand: string,
  ) {
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

  /** The runs' lints (the Problems panel's Nursery Lens entries) changed. */
  setLints(totals: { warning: number; information: number }): void {
    this.lints = totals;
    this.schedule();
  }

  /** A program connection was refused (wrong secret, protocol, malformed hello…). */
  noteRefusal(reason: string): void {
    this.refused++;
    this.lastRefusal = reason;
    this.schedule();
  }

  private refresh(): void {
    const infos = this.store.infos();
    if (!infos.length) {
      if (!this.refused) {
        this.item.hide();
        return;
      }
      this.item.text = '$(warning) Nursery Lens';
      this.item.tooltip = `Nursery Lens refused ${this.refused} program connection(s); the last: ${this.lastRefusal}\n\nClick to open the log.`;
      this.item.accessibilityInformation = { label: this.item.tooltip, role: 'button' };
      this.item.command = this.showLogCommand;
      this.item.show();
      return;
    }
    this.item.command = 'nurseryLens.showTaskTree';
    const live = infos.filter((i) => i.status === 'live');
    const disconnected = infos.filter((i) => i.status === 'disconnected');
    const tasks = live.reduce((n, i) => n + i.liveTasks - i.systemLive, 0); // the program's own: the library's are machinery
    const icon = disconnected.length ? '$(debug-disconnect)' : '$(type-hierarchy)';
    const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
    const lintCount = this.lints.warning + this.lints.information;
    const lintText = lintCount ? ` · ${lintBadge(this.lints)}` : '';
    this.item.text =
      (live.length
        ? `${icon} ${plural(live.length, 'live run')} · ${plural(tasks, 'task')}`
        : `${icon} ${plural(infos.length, 'run')}`) + lintText;
    const lines = infos
      .slice(-8)
      .map(
        (i) =>
          `${i.label}: ${runStatusWord(i)}${i.status === 'live' ? `, ${plural(i.liveTasks - i.systemLive, 'live task')}` : ''}${i.dropped ? `, ${i.dropped} events dropped` : ''}`,
      );
    const head = `Nursery Lens: ${live.length} live, ${plural(infos.length, 'run')} in all`;
    // What a screen reader says: in words (VS Code would read the tooltip's markdown, &nbsp; and all).
    this.item.accessibilityInformation = {
      label: `${head}${live.length ? `, ${plural(tasks, 'task')}` : ''}${lintCount ? `, ${plural(lintCount, 'lint')}` : ''}. Click to show the task tree.`,
      role: 'button',
    };
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendText(`${head}\n\n`);
    for (const l of lines) md.appendText(`${l}\n`);
    if (lintCount)
      md.appendText(
        `\n${plural(lintCount, 'lint')} in the Problems panel (${this.lints.warning} warning${this.lints.warning === 1 ? '' : 's'})\n`,
      );
    if (this.refused) md.appendText(`\n${this.refused} program connection(s) refused; the last: ${this.lastRefusal}\n`);
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
