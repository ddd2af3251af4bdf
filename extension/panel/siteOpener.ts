// Opens a source location the program reported, in the first editor group
// (the one after it when the task tree is showing there). The bridge already
// checked that a run named this file; sitePolicy.ts decides whether it opens
// at once, after a question, or not at all.
import * as vscode from 'vscode';
import type { ProgramPaths } from '../collector/connection';
import { decideSite, programRoots } from './sitePolicy';
import { VIEW_TYPE } from './taskTreePanel';

/**
 * The first editor group, unless the task tree is the tab showing there (a
 * recording opened in an empty window, the only group): the source would
 * cover the tree it was asked from. Then the group after it (made if need be).
 */
function sourceColumn(): vscode.ViewColumn {
  const first = vscode.window.tabGroups.all.find((g) => g.viewColumn === vscode.ViewColumn.One);
  const input = first?.activeTab?.input;
  const treeThere = input instanceof vscode.TabInputWebview && input.viewType.endsWith(VIEW_TYPE);
  return treeThere ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
}

export async function openSite(
  file: string,
  line: number,
  programs: readonly ProgramPaths[],
): Promise<string | undefined> {
  // The extension runs where the files are (also under code-server and remotes): a folder's path is local here.
  const folders = (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote')
    .map((f) => f.uri.fsPath);
  const decision = await decideSite(file, [...folders, ...programs.flatMap((p) => programRoots(p))]);
  if (decision.kind === 'refuse') return decision.reason;
  if (decision.kind === 'ask') {
    const choice = await vscode.window.showWarningMessage(
      `Open ${decision.file}? It is outside your workspace and the program's folders.`,
      { modal: true, detail: 'The file name came from the program (or the recording) shown in the task tree.' },
      'Open',
    );
    if (choice !== 'Open') return undefined;
  }
  const uri = vscode.Uri.file(decision.file);
  const position = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(uri, {
    viewColumn: sourceColumn(),
    selection: new vscode.Range(position, position),
    preserveFocus: false,
  });
  return undefined;
}
