// The lints' places in the editor (issue #17): the Problems panel with the
// status item's counts, the live counts at the lines of the selected run, and
// the command their links run to select the tasks behind a lint.
import * as vscode from 'vscode';
import type { RunStore } from '../store/runStore';
import type { PanelBridge } from '../panel/panelBridge';
import type { TaskTreePanel } from '../panel/taskTreePanel';
import { besideEditor } from '../panel/treePlacement';
import type { RunStatusItem } from '../statusItem';
import { EditorHints, SELECT_TASKS_COMMAND } from './editorHints';
import { editorHintsOn, lintSettings, type SettingGetter } from './lintSettings';
import { LintProblems } from './problems';

export interface LintViewDeps {
  store: RunStore;
  bridge: PanelBridge;
  taskTree: TaskTreePanel;
  statusItem: RunStatusItem;
  getSetting: SettingGetter;
}

/** Starts the lints' views; the hints are returned so a new selection can refresh them. */
export function startLintViews(d: LintViewDeps): { hints: EditorHints; disposables: vscode.Disposable[] } {
  const problems = new LintProblems(
    d.store,
    () => lintSettings(d.getSetting),
    (t) => d.statusItem.setLints(t),
  );
  const hints = new EditorHints(
    d.store,
    () => d.bridge.selectedRun,
    () => editorHintsOn(d.getSetting),
  );
  const disposables = [
    problems,
    hints,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nurseryLens.lints')) problems.settingsChanged();
      if (e.affectsConfiguration('nurseryLens.editorHints')) hints.refreshSoon();
    }),
    vscode.commands.registerCommand(SELECT_TASKS_COMMAND, (run: unknown, ids: unknown, label?: unknown) => {
      if (typeof run !== 'string' || !Array.isArray(ids)) return;
      d.taskTree.show(besideEditor(), true);
      d.bridge.selectTasks(
        run,
        ids.filter((x): x is number => typeof x === 'number'),
        typeof label === 'string' ? label : '',
      );
    }),
  ];
  return { hints, disposables };
}
