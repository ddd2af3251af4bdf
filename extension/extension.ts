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
import { openSite } from './panel/siteOpener';
import { PythonDebugInstrumenter, PYTHON_DEBUG_TYPES } from './debug/debugProvider';
import { DebugSessionWatcher } from './debug/debugSessions';
import { LaunchOwners } from './debug/launchOwners';
import type { InstrumentationDeps } from './debug/launchInstrumentation';
import { runFileWithTaskTree } from './commands/runFile';
import { openRecording, saveRecording, type RecordingDeps } from './commands/recordings';
import { copyTreeAsText, exportChromeTrace, exportImage, type ExportDeps } from './export/exportCommands';
import type { PanelCommand } from '../contract/messages';
import { RunStatusItem } from './statusItem';
import { LintProblems } from './lints/problems';
import { EditorHints, SELECT_TASKS_COMMAND } from './lints/editorHints';
import { editorHintsOn, lintSettings } from './lints/lintSettings';
import { VerdictWatch } from './verdictWatch';
import { TaskFocus } from './panel/taskFocus';
import { TasksView } from './tasksView/tasksView';
import { DebugSync } from './debug/debugSync';
import { messageOf } from './errorMessage';

let collector: CollectorServer | undefined;

const COMMAND_IDS = {
  runFile: 'nurseryLens.runFile',
  openRecording: 'nurseryLens.openRecording',
  clearFinished: 'nurseryLens.clearFinishedRuns',
  copyText: 'nurseryLens.copyTreeAsText',
  exportSvg: 'nurseryLens.exportSvg',
  exportPng: 'nurseryLens.exportPng',
  exportTrace: 'nurseryLens.exportChromeTrace',
} as const satisfies Record<PanelCommand, string>;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Nursery Lens', { log: true });
  context.subscriptions.push(log);
  const settings = () => vscode.workspace.getConfiguration('nurseryLens');
  const retainFinished = () => Math.max(0, settings().get<number>('retainFinishedTasks', DEFAULT_RETAIN_FINISHED));

  const store = new RunStore(retainFinished);
  const launches = new LaunchRegistry();
  const statusItem = new RunStatusItem(store, 'nurseryLens.showLog');
  context.subscriptions.push(statusItem, new VerdictWatch(store, log));

  // The bridge posts through the panel, and the panel feeds the bridge: the late-bound refs break the cycles.
  const panelRef: { panel?: TaskTreePanel; tasks?: TasksView } = {};
  const hintsRef: { hints?: EditorHints } = {};
  // One selection and one set of debugger marks for the panel, the Tasks view and the debugger.
  const focus = new TaskFocus();
  const getSetting = <T>(key: string, fallback: T): T => settings().get<T>(key, fallback);
  const bridge = new PanelBridge(store, {
    focus,
    selectedRun: (key) => panelRef.tasks?.showRun(key),
    post: (m) => panelRef.panel?.post(m),
    openSite,
    programPaths: (e) => (e.stream ? collector?.pathsOf(e.stream) : undefined),
    runCommand: (c) => void vscode.commands.executeCommand(COMMAND_IDS[c]),
    log,
    selected: (label) => {
      panelRef.panel?.setRunLabel(label);
      hintsRef.hints?.refreshSoon();
    },
    recordingsOpenAt: () => (settings().get<string>('recordingsOpenAt', 'start') === 'end' ? 'end' : 'start'),
    lintSettings: () => lintSettings(getSetting),
  });
  const taskTree = new TaskTreePanel(context.extensionUri, bridge, log);
  panelRef.panel = taskTree;
  const tasksView = new TasksView(store, focus, log);
  panelRef.tasks = tasksView;
  tasksView.showRun(bridge.selectedRun);
  context.subscriptions.push(bridge, taskTree, tasksView, new DebugSync(store, focus, log));

  const besideEditor = () => (vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);

  // Lints (issue #17): the Problems panel and the status item, and live counts at the lines of the selected run.
  const problems = new LintProblems(
    store,
    () => lintSettings(getSetting),
    (t) => statusItem.setLints(t),
  );
  const hints = new EditorHints(
    store,
    () => bridge.selectedRun,
    () => editorHintsOn(getSetting),
  );
  hintsRef.hints = hints;
  context.subscriptions.push(
    problems,
    hints,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nurseryLens.lints')) problems.settingsChanged();
      if (e.affectsConfiguration('nurseryLens.editorHints')) hints.refreshSoon();
    }),
  );
  context.subscriptions.push(
    vscode.commands.registerCommand(SELECT_TASKS_COMMAND, (run: unknown, ids: unknown, label?: unknown) => {
      if (typeof run !== 'string' || !Array.isArray(ids)) return;
      taskTree.show(besideEditor(), true);
      bridge.selectTasks(
        run,
        ids.filter((x): x is number => typeof x === 'number'),
        typeof label === 'string' ? label : '',
      );
    }),
  );
  const showLaunch = (launch: Launch, reveal = true, program?: string) => {
    bridge.selectLaunch(launch.secret);
    if (!reveal) return;
    // With no editor open the panel would fill the only group, and the file the debugger opens at
    // a breakpoint or an exception would cover it. The program's source goes on the left first; a
    // launch with no source file of its own (`module`, e.g. uvicorn) leaves an empty group there.
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
  };
  // A launch's secret lives as long as its debug session or terminal.
  const owners = new LaunchOwners(launches);
  const watcher = new DebugSessionWatcher(owners, { showLaunch });
  context.subscriptions.push(
    watcher,
    vscode.window.onDidCloseTerminal((t) => owners.terminalEnded(t)),
  );

  collector = new CollectorServer({
    launches,
    store,
    log,
    onProgram: (launch) => watcher.programConnected(launch),
    onRefused: (reason) => statusItem.noteRefusal(reason),
  });
  const server = collector;
  context.subscriptions.push({ dispose: () => void server.close() });

  const instrumentation: InstrumentationDeps = {
    collector: server,
    launches,
    bootstrapDir: path.join(context.extensionPath, 'runtime', 'python', 'bootstrap'),
  };
  const instrumenter = new PythonDebugInstrumenter(instrumentation, log);
  for (const type of PYTHON_DEBUG_TYPES) {
    context.subscriptions.push(vscode.debug.registerDebugConfigurationProvider(type, instrumenter));
  }

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (restored: vscode.WebviewPanel) => taskTree.revive(restored),
    }),
  );

  const recordingDeps: RecordingDeps = {
    store,
    bridge,
    log,
    retainFinished,
    showPanel: () => taskTree.show(besideEditor(), false),
  };
  const exportDeps: ExportDeps = { store, bridge, log, showPanel: recordingDeps.showPanel };
  context.subscriptions.push(
    ...registerCommands(log, {
      'nurseryLens.showTaskTree': ['Show Task Tree', () => taskTree.show(besideEditor(), false)],
      [COMMAND_IDS.runFile]: [
        'Run Python File with Task Tree',
        (arg) => runFileWithTaskTree({ ...instrumentation, log, owners, showLaunch: (l) => showLaunch(l) }, arg),
      ],
      [COMMAND_IDS.openRecording]: ['Open Recording', (arg) => openRecording(recordingDeps, arg)],
      'nurseryLens.saveRecording': ['Save Recording', () => saveRecording(recordingDeps)],
      [COMMAND_IDS.copyText]: ['Copy Tree as Text', () => copyTreeAsText(exportDeps)],
      [COMMAND_IDS.exportSvg]: ['Export Tree as SVG', () => exportImage(exportDeps, 'svg')],
      [COMMAND_IDS.exportPng]: ['Export Tree as PNG', () => exportImage(exportDeps, 'png')],
      [COMMAND_IDS.exportTrace]: ['Export Chrome Trace', () => exportChromeTrace(exportDeps)],
      [COMMAND_IDS.clearFinished]: [
        'Clear Finished Runs',
        () => {
          const removed = store.clearFinished();
          log.info(`cleared ${removed.length} finished run(s)`);
          vscode.window.setStatusBarMessage(
            `Nursery Lens: cleared ${removed.length} finished run${removed.length === 1 ? '' : 's'}`,
            3000,
          );
        },
      ],
    }),
  );
  // Not in the palette: the status item's way to the log after a refused connection.
  context.subscriptions.push(vscode.commands.registerCommand('nurseryLens.showLog', () => log.show(true)));
  // The Tasks view's inline action: the same checks as a click in the panel.
  context.subscriptions.push(
    vscode.commands.registerCommand('nurseryLens.tasks.openSite', (key: unknown) => {
      const site = typeof key === 'string' ? tasksView.siteOf(key) : null;
      if (site) void bridge.handle({ type: 'openSite', file: site.file, line: site.line });
    }),
  );
  log.info(`activated (${context.extension.packageJSON.version as string})`);
}

/** Commands by id, each with the title its failures are logged under: a failure is logged and shown, never thrown at VS Code. */
function registerCommands(
  log: vscode.LogOutputChannel,
  commands: Record<string, [title: string, run: (...args: unknown[]) => unknown]>,
): vscode.Disposable[] {
  return Object.entries(commands).map(([id, [title, run]]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (err) {
        const message = messageOf(err);
        log.error(`${title} failed: ${message}`);
        void vscode.window.showErrorMessage(`Nursery Lens: ${message}`);
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  await collector?.close();
  collector = undefined;
}
