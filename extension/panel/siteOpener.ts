// Opens a source location the program reported, in the first editor group.
// The bridge already checked that a program named this file; here we check it
// is an absolute path to a file that exists.
import * as path from 'node:path';
import * as vscode from 'vscode';

export async function openSite(file: string, line: number): Promise<string | undefined> {
  if (!path.isAbsolute(file)) return `not opening ${file}: not an absolute path`;
  const uri = vscode.Uri.file(file);
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (!(stat.type & vscode.FileType.File)) return `not opening ${file}: not a file`;
  } catch {
    return `not opening ${file}: it does not exist (on this machine)`;
  }
  const position = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(uri, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
    preserveFocus: false,
  });
  return undefined;
}
