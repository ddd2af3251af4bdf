// Where the task tree opens: beside the editor when there is one, and, for a
// launch into an empty window, beside the program's source (or an empty
// group), so that the file the debugger opens never covers the tree.
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
