// Where the task tree opens: beside the editor when there is one, and, for a
// launch into an empty window, beside the program's source (or an empty
// group), so that the file the debugger opens never covers the tree; and,
// when the debugger stops with the tree in front, where the file it opens goes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskTreePanel } from './taskTreePanel';

/** Beside the active editor, or in the active group when no editor is open. */
export function besideEditor(): vscode.ViewColumn {
  return vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}

/**
 * Shows the tree for a launch of `program`. With no editor open the panel
 * would fill the only group, and the file the debugger opens at a breakpoint
 * or an exception would cover it: the program's source goes on the left
 * first; a launch with no source file of its own (`module`, e.g. uvicorn)
 * leaves an empty group there.
 */
export function showTreeForLaunch(taskTree: TaskTreePanel, log: vscode.LogOutputChannel, program?: string): void {
  const none = !vscode.window.activeTextEditor && vscode.window.tabGroups.all.every((g) => g.tabs.length === 0);
  if (!none) return taskTree.show(besideEditor(), true);
  const source = program && path.isAbsolute(program) ? program : undefined;
  const left: Thenable<unknown> = source
    ? vscode.window.showTextDocument(vscode.Uri.file(source), {
        viewColumn: vscode.ViewColumn.One,
        preserveFocus: true,
        preview: true,
      })
    : vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{}, {}] });
  left.then(
    () => taskTree.show(source ? vscode.ViewColumn.Beside : vscode.ViewColumn.Two, true),
    (e: unknown) => {
      log.warn(`could not keep a group beside the task tree${source ? ` for ${source}` : ''}: ${String(e)}`);
      taskTree.show(besideEditor(), true);
    },
  );
}

/** VS Code's commands that focus the Nth editor group (the order of `ViewColumn`). */
const FOCUS_GROUP = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth'].map(
  (n) => `workbench.action.focus${n}EditorGroup`,
);

/**
 * The debugger stopped: VS Code opens the stopped line's file in the active
 * group unless it is open in another one. With the task tree in front (the
 * last thing clicked) that file would cover it, on every stop: another group
 * takes the focus first, one showing a text file if any; with the tree alone
 * in the window, a new group on its left. Sent before VS Code hears of the
 * stop (a tracker sees the adapter's message first), so it lands first.
 */
export function giveWayToSource(panel: vscode.WebviewPanel | undefined, log: vscode.LogOutputChannel): void {
  if (!panel?.active || !panel.visible) return;
  const others = vscode.window.tabGroups.all.filter((g) => g.viewColumn !== panel.viewColumn);
  const other = others.find((g) => g.activeTab?.input instanceof vscode.TabInputText) ?? others[0];
  const command = other ? FOCUS_GROUP[other.viewColumn - 1] : 'workbench.action.newGroupLeft';
  if (!command) return;
  vscode.commands.executeCommand(command).then(undefined, (e: unknown) => {
    log.debug(`could not move the focus off the task tree before the debugger's file opens: ${String(e)}`);
  });
}
