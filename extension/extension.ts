// Wiring only: builds the services, registers commands, providers and the
// panel serializer, and hands every disposable to VS Code. Decisions live in
// the modules it wires.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CollectorServer } from './collector/collectorServer';
import { LaunchRegistry, type Launch } from './collector/launches';
import { RunStore } from './store/runStore';
import { DEFAULT_RETAIN_FINISHED } from './store/runState';
import { PanelBridge } from './panel/panelBridge';
import { TaskTreePanel, VIEW_TYPE } from './panel/taskTreePanel';
import { besideEditor, showTreeForLaunch } from './panel/treePlacement';
import { openSite } from './panel/siteOpener';
import { registerPythonDebugInstrumenter } from './debug/debugProvider';
import { DebugSessionWatcher } from './debug/debugSessions';
import { LaunchOwners } from './debug/launchOwners';
import { quietMessage } from './debug/quietLaunch';
import { watchRunFileCommands } from './commands/runFile';
import type { InstrumentationDeps } from './debug/launchInstrumentation';
import { COMMAND_IDS, registerPalette } from './commands/palette';
import { RunStatusItem } from './statusItem';
import type { EditorHints } from './lints/editorHints';
import { startLintViews } from './lints/lintViews';
import { lintSettings } from './lints/lintSettings';
import { VerdictWatch } from './verdictWatch';
import { TaskFocus } from './panel/taskFocus';
import { TasksView } from './tasksView/tasksView';
import { DebugSync } from './debug/debugSync';

let collector: CollectorServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Nursery Lens', { log: true });
  context.subscriptions.push(log);
  const settings = () => vscode.workspace.getConfiguration('nurseryLens');
  const getSetting = <T>(key: string, fallback: T): T => settings().get<T>(key, fallback);
  const retainFinished = () => Math.max(0, getSetting<number>('retainFinishedTasks', DEFAULT_RETAIN_FINISHED));

  const store = new RunStore(retainFinished);
  const launches = new LaunchRegistry();
  const statusItem = new RunStatusItem(store, 'nurseryLens.showLog');
  context.subscriptions.push(statusItem, new VerdictWatch(store, log));

  // The bridge posts through the panel, and the panel feeds the bridge: the late-bound refs break the cycles.
  const late: Late = {};
  // One selection and one set of debugger marks for the panel, the Tasks view and the debugger.
  const focus = new TaskFocus();
  const bridge = panelBridge(store, focus, late, log, getSetting);
  const taskTree = (late.panel = new TaskTreePanel(context.extensionUri, bridge, log));
  const tasksView = (late.tasks = new TasksView(store, focus, log));
  tasksView.showRun(bridge.selectedRun);
  context.subscriptions.push(bridge, taskTree, tasksView);

  const lints = startLintViews({ store, bridge, taskTree, statusItem, getSetting });
  late.hints = lints.hints;
  context.subscriptions.push(...lints.disposables);

  /** `again`: a launch that ran before runs its program again: its next run is the one to show. */
  const showLaunch = (launch: Launch, reveal = true, program?: string, again = false) => {
    bridge.selectLaunch(launch.secret, again);
    if (reveal) showTreeForLaunch(taskTree, log, program);
  };
  // A program that started no event loop never connects: said in the panel (where the tree would be) and as news.
  const sayQuiet = (message: string) => {
    log.info(message);
    bridge.notice(message);
    void vscode.window.showInformationMessage(message);
  };
  // A launch's secret lives as long as its debug session or terminal.
  const owners = new LaunchOwners(launches);
  const watcher = new DebugSessionWatcher(owners, {
    showLaunch,
    sessionEnded: (launch) => store.launchSessionEnded(launch.secret),
    endedQuietly: (_launch, program, exitCode) => sayQuiet(quietMessage(program, exitCode)),
  });
  context.subscriptions.push(
    watcher,
    new DebugSync(store, focus, log, {
      exited: (session, exitCode) => watcher.exited(session, exitCode),
      ...taskTree.stopHooks,
    }),
    vscode.window.onDidCloseTerminal((t) => owners.terminalEnded(t)),
    ...watchRunFileCommands(sayQuiet),
  );

  const server = (collector = new CollectorServer({
    launches,
    store,
    log,
    onProgram: (launch) => watcher.programConnected(launch),
    onRefused: (reason) => statusItem.noteRefusal(reason),
  }));
  context.subscriptions.push({ dispose: () => void server.close() });

  const instrumentation: InstrumentationDeps = {
    collector: server,
    launches,
    bootstrapDir: path.join(context.extensionPath, 'runtime', 'python', 'bootstrap'),
  };
  context.subscriptions.push(
    ...registerPythonDebugInstrumenter(instrumentation, log),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (restored: vscode.WebviewPanel) => taskTree.revive(restored),
    }),
  );

  const showPanel = () => taskTree.show(besideEditor(), false);
  context.subscriptions.push(
    ...registerPalette({
      store,
      log,
      instrumentation,
      owners,
      showLaunch: (l, again) => showLaunch(l, true, undefined, again),
      showPanel,
      recordings: { store, bridge, log, retainFinished, showPanel },
      exports: { store, bridge, log, showPanel },
      taskSite: (key) => tasksView.siteOf(key),
      openSite: (site) => void bridge.handle({ type: 'openSite', file: site.file, line: site.line }),
    }),
  );
  log.info(`activated (${context.extension.packageJSON.version as string})`);
}

/** The panel's, the Tasks view's and the hints' objects, made after the bridge that feeds them. */
interface Late {
  panel?: TaskTreePanel;
  tasks?: TasksView;
  hints?: EditorHints;
}

function panelBridge(
  store: RunStore,
  focus: TaskFocus,
  late: Late,
  log: vscode.LogOutputChannel,
  getSetting: <T>(key: string, fallback: T) => T,
): PanelBridge {
  return new PanelBridge(store, {
    focus,
    selectedRun: (key) => late.tasks?.showRun(key),
    post: (m) => late.panel?.post(m),
    openSite,
    programPaths: (e) => (e.stream ? collector?.pathsOf(e.stream) : undefined),
    runCommand: (c) => void vscode.commands.executeCommand(COMMAND_IDS[c]),
    log,
    selected: (label) => {
      late.panel?.setRunLabel(label);
      late.hints?.refreshSoon();
    },
    recordingsOpenAt: () => (getSetting<string>('recordingsOpenAt', 'start') === 'end' ? 'end' : 'start'),
    lintSettings: () => lintSettings(getSetting),
  });
}

export async function deactivate(): Promise<void> {
  await collector?.close();
  collector = undefined;
}
