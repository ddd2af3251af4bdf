// The one task-tree WebviewPanel. HTML is set once per panel; the webview is
// not kept alive while hidden (it asks again with `ready` when shown), and a
// panel restored after a reload comes back through the serializer.
import * as vscode from 'vscode';
import type { HostMessage } from '../../contract/messages';
import type { PanelBridge } from './panelBridge';
import { panelHtml } from './panelHtml';
import { messageOf } from '../errorMessage';
import { fillNewGroup, giveWayToSource, moveOffTree, revealQuietStop } from './treePlacement';

export const VIEW_TYPE = 'nurseryLens.taskTree';

/** A stop's stack comes within this long of the stop (the editor asks for it at once). */
const STOP_STACK_WITHIN_MS = 5000;

export class TaskTreePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly bridge: PanelBridge,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private get options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
  }

  show(column: vscode.ViewColumn, preserveFocus: boolean): void {
    if (this.panel) {
      // Asked beside the editor while in the editor's own group, it would cover the code: it moves beside it.
      const editor = vscode.window.activeTextEditor;
      const over = column === vscode.ViewColumn.Beside && editor?.viewColumn === this.panel.viewColumn;
      this.panel.reveal(over ? vscode.ViewColumn.Beside : undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      this.title,
      { viewColumn: column, preserveFocus },
      this.options,
    );
    this.adopt(panel);
  }

  /** For DebugSync: the debugger stopped, and the file it will open. */
  readonly stopHooks = {
    stopped: (quiet: boolean) => this.debuggerStopped(quiet),
    resumed: () => {
      this.quietStop = false;
    },
    stoppedIn: (at: { file: string; line: number } | undefined) => this.debuggerStoppedIn(at),
  };

  /** The debugger stopped: the file it opens must not cover the tree (see giveWayToSource). */
  debuggerStopped(quiet = false): void {
    this.quietStop = quiet;
    // (a second stop before the first's stack finds the focus moved off the tree: it was in front still)
    const now = giveWayToSource(this.panel, this.log);
    if (now) this.stoppedAt = Date.now();
    this.treeInFront = now || this.treeInFront;
  }

  /** The stopped line's file, before VS Code opens it: if it is open behind the tree, it moves off (see moveOffTree). */
  debuggerStoppedIn(at: { file: string; line: number } | undefined): void {
    if (at && this.treeInFront && this.panel) moveOffTree(this.panel, at.file, at.line, this.log);
    // (only for the stop that made the group: one whose stack never came, a continue first, is long gone)
    const recent = Date.now() - this.stoppedAt < STOP_STACK_WITHIN_MS;
    if (this.treeInFront === 'newGroup' && recent && this.panel) fillNewGroup(this.panel, at, this.log);
    else if (this.quietStop && at) revealQuietStop(this.panel, at, this.log);
    this.treeInFront = false;
    this.quietStop = false;
  }

  /** The last stop asked VS Code to keep the focus (it opens no file: see revealQuietStop). */
  private quietStop = false;

  /** The tree was in front when the debugger last stopped ('newGroup': alone, and a group was made on its left). */
  private treeInFront: ReturnType<typeof giveWayToSource> = false;
  /** When the debugger last stopped with the tree in front (ms). */
  private stoppedAt = 0;

  /** A panel VS Code restored after a reload (WebviewPanelSerializer). */
  revive(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) {
      // Only one task tree: the restored one wins, the old one goes.
      this.panel.dispose();
    }
    this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.title = this.title;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.options = this.options;
    const webview = panel.webview;
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.css')).toString(),
    });
    this.panelSubscriptions = [
      webview.onDidReceiveMessage((m) => {
        this.bridge.handle(m).catch((err: unknown) => this.log.warn(`panel message failed: ${messageOf(err)}`));
      }),
      panel.onDidChangeViewState((e) => {
        // Hidden webviews lose their page (retainContextWhenHidden is off); it says `ready` when back.
        if (!e.webviewPanel.visible) this.bridge.detach();
      }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.bridge.detach();
        this.panel = undefined;
        for (const d of this.panelSubscriptions) d.dispose();
        this.panelSubscriptions = [];
      }),
    ];
  }

  private title = 'Task Tree';

  /** Names the selected run in the tab, so several windows and runs stay tellable apart. */
  setRunLabel(label: string | null): void {
    this.title = label ? `Task Tree: ${label}` : 'Task Tree';
    if (this.panel) this.panel.title = this.title;
  }

  post(message: HostMessage): void {
    const panel = this.panel;
    if (!panel) return;
    panel.webview.postMessage(message).then(undefined, (err: unknown) => {
      this.log.debug(`panel message not delivered: ${messageOf(err)}`);
    });
  }

  dispose(): void {
    for (const d of this.panelSubscriptions) d.dispose();
    this.panelSubscriptions = [];
    this.panel?.dispose();
    this.panel = undefined;
  }
}
