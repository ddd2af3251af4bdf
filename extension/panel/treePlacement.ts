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
 * Returns whether the tree was in front: 'newGroup' when it was alone.
 */
export function giveWayToSource(
  panel: vscode.WebviewPanel | undefined,
  log: vscode.LogOutputChannel,
): false | 'focused' | 'newGroup' {
  if (!panel?.active || !panel.visible) return false;
  const other = sourceGroup(treeGroup(panel.viewType));
  const command = other ? FOCUS_GROUP[other.viewColumn - 1] : 'workbench.action.newGroupLeft';
  if (!command) return 'focused';
  vscode.commands.executeCommand(command).then(undefined, (e: unknown) => {
    log.debug(`could not move the focus off the task tree before the debugger's file opens: ${String(e)}`);
  });
  return other ? 'focused' : 'newGroup';
}

/** How long VS Code may take to open a stop's file in the group made for it (after the stack is known). */
const NEW_GROUP_FILLED_WITHIN_MS = 1000;

/**
 * The group made on the tree's left for a stop (giveWayToSource, the tree
 * alone) is still empty a moment after the stack came: VS Code opened no
 * file there (a Debug: Pause did not, in code-server 1.139), which left half
 * the window blank and the tree squeezed. The stop's file (`at`, from the
 * stack) opens there at its line; with none to show, the group goes.
 */
export function fillNewGroup(
  panel: vscode.WebviewPanel,
  at: { file: string; line: number } | undefined,
  log: vscode.LogOutputChannel,
): void {
  const viewType = panel.viewType; // (read now: it throws once the panel is closed)
  setTimeout(() => {
    const tree = treeGroup(viewType);
    const empty = vscode.window.tabGroups.all.find((g) => g !== tree && g.tabs.length === 0);
    if (!tree || !empty || vscode.window.tabGroups.all.length !== 2) return;
    const line = Math.max(0, (at?.line ?? 1) - 1);
    const done: Thenable<unknown> = at
      ? vscode.window.showTextDocument(vscode.Uri.file(at.file), {
          viewColumn: empty.viewColumn,
          selection: new vscode.Range(line, 0, line, 0),
          preview: true,
        })
      : vscode.window.tabGroups.close(empty);
    done.then(undefined, (e: unknown) => log.debug(`could not fill the group left of the task tree: ${String(e)}`));
  }, NEW_GROUP_FILLED_WITHIN_MS);
}

/**
 * A stop the adapter asked VS Code not to show: debugpy's Pause says
 * `preserveFocusHint`, and VS Code then opens no file; the paused program's
 * line (a hung program's `trio.run(...)`) was only in the Call Stack. It
 * opens at that line in the group beside the tree (or the active one),
 * without taking the focus.
 */
export function revealQuietStop(
  panel: vscode.WebviewPanel | undefined,
  at: { file: string; line: number },
  log: vscode.LogOutputChannel,
): void {
  let tree: vscode.TabGroup | undefined;
  try {
    tree = panel ? treeGroup(panel.viewType) : undefined;
  } catch {
    tree = undefined; // (the panel was closed: its view type throws)
  }
  // Where it is open already (another copy helps nobody), else beside the tree.
  const isFile = tabOf(at.file);
  const groups = vscode.window.tabGroups.all.filter((g) => g !== tree);
  const open = groups.find((g) => isFile(g.activeTab)) ?? groups.find((g) => g.tabs.some(isFile));
  const other = open ?? sourceGroup(tree);
  const line = Math.max(0, at.line - 1);
  vscode.window
    .showTextDocument(vscode.Uri.file(at.file), {
      viewColumn: other?.viewColumn ?? (tree ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active),
      selection: new vscode.Range(line, 0, line, 0),
      preview: true,
      preserveFocus: true,
    })
    .then(undefined, (e: unknown) => log.debug(`could not show where the program paused: ${String(e)}`));
}

/** Another group than the tree's, one showing a text file if any. */
function sourceGroup(tree: vscode.TabGroup | undefined): vscode.TabGroup | undefined {
  const others = vscode.window.tabGroups.all.filter((g) => g !== tree);
  return others.find((g) => g.activeTab?.input instanceof vscode.TabInputText) ?? others[0];
}

/** The group holding the tree, found by its tab (a new group on its left moves it one column right). */
function treeGroup(viewType: string): vscode.TabGroup | undefined {
  // VS Code prefixes the tab's view type with its own (`mainThreadWebview-…`)
  const isTree = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType);
  return vscode.window.tabGroups.all.find((g) => g.tabs.some(isTree));
}

/** How long the stopped line's file may take to open once the stack is known. */
const STOP_OPENS_WITHIN_MS = 3000;

/** A text tab showing `file` (its case ignored where the file system ignores it). */
function tabOf(file: string): (t: vscode.Tab | undefined) => t is vscode.Tab & { input: vscode.TabInputText } {
  const fold = (p: string) => (process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p);
  const want = fold(vscode.Uri.file(file).fsPath);
  return (t): t is vscode.Tab & { input: vscode.TabInputText } =>
    t?.input instanceof vscode.TabInputText && t.input.uri.scheme === 'file' && fold(t.input.uri.fsPath) === want;
}

/**
 * A stop's file (`file`, from its stack) that is open behind the tree, in
 * its group, and in front of no other group, is revealed there whatever
 * group has the focus (VS Code reveals an open editor where it is). When it
 * comes to the front of the tree's group, it moves to the source group (at
 * the stopped line) and the tree comes back. Nothing is watched otherwise,
 * and only that tab, for a few seconds.
 */
export function moveOffTree(
  panel: vscode.WebviewPanel,
  file: string,
  line: number,
  log: vscode.LogOutputChannel,
): void {
  const isFile = tabOf(file);
  const viewType = panel.viewType; // (read now: it throws once the panel is closed)
  const start = treeGroup(viewType);
  if (!start?.tabs.some(isFile)) return; // not behind the tree: VS Code shows it elsewhere
  if (vscode.window.tabGroups.all.some((g) => g !== start && isFile(g.activeTab))) return; // in front elsewhere
  const stop = () => {
    clearTimeout(timer);
    watch.dispose();
    closed.dispose();
  };
  const timer = setTimeout(stop, STOP_OPENS_WITHIN_MS);
  const closed = panel.onDidDispose(stop);
  // (the tabs, not `panel.visible`: the panel hears it is hidden after the tabs change)
  const watch = vscode.window.tabGroups.onDidChangeTabs((e) => {
    const group = treeGroup(viewType);
    const tab = group?.activeTab;
    if (!group || !isFile(tab) || !e.changed.some((t) => t === tab || isFile(t))) return;
    stop();
    if (tab.isDirty) return; // closing it here is the user's call
    const column = group.viewColumn;
    const to = sourceGroup(group)?.viewColumn;
    if (to === undefined) return;
    const at = new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0); // the debugger's cursor
    void Promise.resolve(
      vscode.window.showTextDocument(tab.input.uri, { viewColumn: to, selection: at, preview: tab.isPreview }),
    )
      .then((editor) => editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport))
      .then(() => vscode.window.tabGroups.close(tab, true))
      .then(() => panel.reveal(column, true))
      .then(undefined, (e: unknown) => log.debug(`could not move ${file} off the task tree: ${String(e)}`));
  });
}
