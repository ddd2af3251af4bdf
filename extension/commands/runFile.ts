// "Run Python File with Task Tree": the file runs in an integrated terminal
// (the user's shell, which keeps its output) with the same instrumentation a
// debug session gets, and the panel shows its run.
import * as path from 'node:path';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { interpreterFromPath, type Interpreter } from './interpreterSearch';
import { instrumentLaunch, type InstrumentationDeps } from '../debug/launchInstrumentation';
import type { Launch } from '../collector/launches';
import type { LaunchOwners } from '../debug/launchOwners';
import { messageOf } from '../errorMessage';
import { runtimeLintOptions } from '../lints/lintSettings';
import { commandLine, shellKind } from './shellCommand';
import { QuietCommands, quietMessage } from '../debug/quietLaunch';
import { FileTerminals } from './fileTerminals';
import { eachAtMost, inPickerOrder, looksLikeProgram, MOST_READ, type Offered } from './programFiles';

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The Python extension's active environment, else nurseryLens.pythonPath, else python3/py on PATH. */
export async function resolveInterpreter(
  resource: vscode.Uri,
  log: vscode.LogOutputChannel,
): Promise<Interpreter | undefined> {
  if (vscode.extensions.getExtension('ms-python.python')) {
    try {
      const api = await PythonExtension.api();
      const envPath = api.environments.getActiveEnvironmentPath(resource);
      const env = await api.environments.resolveEnvironment(envPath);
      const exe = env?.executable.uri?.fsPath;
      if (exe) return { command: exe, args: [], source: "the Python extension's active environment" };
    } catch (err) {
      log.warn(`the Python extension did not give an interpreter: ${messageOf(err)}`);
    }
  }
  const configured = vscode.workspace.getConfiguration('nurseryLens', resource).get<string>('pythonPath', '').trim();
  if (configured) {
    const folder = vscode.workspace.getWorkspaceFolder(resource)?.uri.fsPath ?? '';
    const expanded = configured
      .replace(/\$\{workspaceFolder\}/g, folder)
      .replace(/^~(?=$|[\\/])/, process.env.HOME ?? process.env.USERPROFILE ?? '~');
    return { command: expanded, args: [], source: 'the nurseryLens.pythonPath setting' };
  }
  return interpreterFromPath({
    platform: process.platform,
    pathEnv: process.env.PATH ?? process.env.Path,
    pathExt: process.env.PATHEXT,
    isFile,
  });
}

// Which file Run File runs when given none: the active editor's; with the
// task tree (or another non-editor) in front, the one Python file in sight
// beside it; else the user picks one, of those in sight or of the
// workspace's (with no file open it only said "Open a Python file").
/** Folders whose Python files are nobody's program to run. */
const NOT_PROGRAMS = ['node_modules', '.git', '.venv*', 'venv', 'site-packages', '__pycache__', '.tox', '.nox'].map(
  (d) => `**/${d}/**`,
);
/** The most files offered (typing filters them). */
const MOST_OFFERED = 2000;

/** Ours and the user's files.exclude (a glob given to findFiles replaces that setting, which it otherwise applies). */
function notOffered(): string {
  const user = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude') ?? {};
  const theirs = Object.entries(user)
    .filter(([glob, on]) => on === true && !/[{},]/.test(glob))
    .map(([glob]) => glob);
  return `{${[...NOT_PROGRAMS, ...theirs].join(',')}}`;
}

const pythonEditors = (): readonly vscode.TextEditor[] =>
  vscode.window.visibleTextEditors.filter((e) => e.document.languageId === 'python');

interface FileItem extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/** Whether the file reads as a program (programFiles.ts); a file that cannot be read counts as one, to stay in view. */
async function isProgram(uri: vscode.Uri): Promise<boolean> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return looksLikeProgram(path.basename(uri.path), new TextDecoder().decode(bytes.subarray(0, MOST_READ)));
  } catch {
    return true;
  }
}

/** The picker's lines: programs first, then (under a line) the modules they import, when there are both. */
async function pickerItems(offered: readonly vscode.Uri[]): Promise<FileItem[]> {
  const several = vscode.workspace.workspaceFolders?.length !== 1;
  const files = await eachAtMost(offered, 32, async (uri): Promise<Offered<vscode.Uri>> => {
    const where = path.dirname(vscode.workspace.asRelativePath(uri, several));
    return {
      label: path.basename(uri.path),
      description: where === '.' ? '' : where,
      program: await isProgram(uri),
      value: uri,
    };
  });
  const { programs, others } = inPickerOrder(files);
  const item = (f: Offered<vscode.Uri>): FileItem => ({ label: f.label, description: f.description, uri: f.value });
  if (!programs.length || !others.length) return [...programs, ...others].map(item);
  const line = (label: string): FileItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
  return [line('programs'), ...programs.map(item), line('other Python files'), ...others.map(item)];
}

/** The file to run: a Uri, 'none' when there is no Python file to offer, undefined when the user dismissed the picker. */
async function fileToRun(): Promise<vscode.Uri | 'none' | undefined> {
  const active = vscode.window.activeTextEditor;
  if (active) return active.document.uri;
  const inSight = [...new Map(pythonEditors().map((e) => [e.document.uri.toString(), e.document.uri])).values()];
  if (inSight.length === 1) return inSight[0];
  const offered = inSight.length ? inSight : await vscode.workspace.findFiles('**/*.py', notOffered(), MOST_OFFERED);
  if (!offered.length) return 'none';
  const picked = await vscode.window.showQuickPick(pickerItems(offered), {
    title: 'Run Python File with Task Tree',
    placeHolder: inSight.length ? 'Several Python files are in sight: run which one?' : 'Run which Python file?',
    matchOnDescription: true,
  });
  return picked?.uri;
}

export interface RunFileDeps extends InstrumentationDeps {
  log: vscode.LogOutputChannel;
  /** The terminal owns the launch: its secret is retired when the terminal closes. */
  owners: LaunchOwners;
  /** `again`: the launch ran before (its terminal runs the file again): its next run is the one to show. */
  showLaunch(launch: Launch, again: boolean): void;
}

export async function runFileWithTaskTree(deps: RunFileDeps, arg?: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : await fileToRun();
  if (uri === 'none') {
    void vscode.window.showInformationMessage(
      'No Python file in this workspace: open one to run it with the task tree.',
    );
    return;
  }
  if (!uri) return; // the user dismissed the picker
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isUntitled) {
    void vscode.window.showInformationMessage('Save the file first: Nursery Lens runs files from disk.');
    return;
  }
  if (doc?.isDirty) await doc.save();
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') {
    void vscode.window.showWarningMessage(`Cannot run ${uri.toString()}: not a file on this machine.`);
    return;
  }
  const file = uri.fsPath;
  const python = await resolveInterpreter(uri, deps.log);
  if (!python) {
    const choice = await vscode.window.showErrorMessage(
      'No Python interpreter found: install the Python extension, or set nurseryLens.pythonPath.',
      'Open Settings',
    );
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'nurseryLens.pythonPath');
    return;
  }
  try {
    const settings = vscode.workspace.getConfiguration('nurseryLens', uri);
    const options = {
      sampleHz: settings.get<number>('sampleHz', 10),
      lints: runtimeLintOptions((k, d) => settings.get(k, d), 'terminal'),
    };
    const again = FILES.again(file, JSON.stringify(options), hasShellIntegration);
    const { terminal, launch } = again ?? (await openTerminal(deps, file, options));
    const command = commandLine(shellKind(vscode.env.shell, process.platform), [python.command, ...python.args, file]);
    deps.log.info(`running ${file}${again ? ' again in its terminal' : ''}: ${command} (${python.source})`);
    FILES.started(terminal);
    terminal.sendText(command, true);
    terminal.show(true);
    deps.showLaunch(launch, again !== undefined);
  } catch (err) {
    const message = messageOf(err);
    deps.log.error(`could not run ${file}: ${message}`);
    void vscode.window.showErrorMessage(`Nursery Lens could not run ${path.basename(file)}: ${message}`);
  }
}

/** A terminal for `file`, with a new launch's environment. */
async function openTerminal(
  deps: RunFileDeps,
  file: string,
  options: { sampleHz: number; lints: ReturnType<typeof runtimeLintOptions> },
): Promise<{ terminal: vscode.Terminal; launch: Launch }> {
  const name = path.basename(file);
  const { launch, env } = await instrumentLaunch(deps, { label: name, kind: 'terminal', ...options });
  const terminalEnv: Record<string, string | null> = env;
  // The user's shell runs the program, so its output stays when it ends (and the run can be typed again).
  const terminal = vscode.window.createTerminal({
    name: `Task Tree: ${name}`,
    cwd: path.dirname(file),
    env: terminalEnv,
    iconPath: new vscode.ThemeIcon('type-hierarchy'),
    // Not kept by terminal persistence: VS Code would store its env (the launch secret) and start the program again after a restart.
    isTransient: true,
  });
  deps.owners.terminalStarted(launch, terminal);
  TERMINALS.opened(terminal, launch, file);
  FILES.opened(file, terminal, launch, JSON.stringify(options));
  return { terminal, launch };
}

/** VS Code 1.93's `Terminal.shellIntegration`: set once the shell's integration is active. */
const hasShellIntegration = (t: vscode.Terminal): boolean =>
  (t as { shellIntegration?: unknown }).shellIntegration !== undefined && t.exitStatus === undefined;

/** Each file's Run File terminal, run in again when its shell is idle. */
const FILES = new FileTerminals<vscode.Terminal>();

/** Run File's terminals: their launch, file, and whether its program connected while a command ran. */
const TERMINALS = new QuietCommands<vscode.Terminal>();

/** What this module reads of VS Code 1.93's shell integration events (absent before: nothing is said, as before). */
interface ShellExecutionEvents {
  onDidStartTerminalShellExecution?: vscode.Event<{ terminal: vscode.Terminal }>;
  onDidEndTerminalShellExecution?: vscode.Event<{
    terminal: vscode.Terminal;
    execution: { commandLine: { value: string } };
    exitCode: number | undefined;
  }>;
}

/**
 * Follows Run File's terminals through their shell integration: which are
 * idle (to run a file again there), and says so when a Run File command (or
 * the same command typed again there) ends with no program of its launch
 * connected: it started no event loop, and the panel would stay silent.
 */
export function watchRunFileCommands(say: (message: string) => void): vscode.Disposable[] {
  const events = vscode.window as unknown as ShellExecutionEvents;
  const closed = vscode.window.onDidCloseTerminal((t) => FILES.closed(t));
  if (!events.onDidEndTerminalShellExecution || !events.onDidStartTerminalShellExecution) return [closed];
  return [
    closed,
    events.onDidStartTerminalShellExecution(({ terminal }) => FILES.started(terminal)),
    events.onDidEndTerminalShellExecution(({ terminal, execution, exitCode }) => {
      FILES.ended(terminal);
      const file = TERMINALS.endedQuietly(terminal, execution.commandLine.value);
      if (file) say(quietMessage(path.basename(file), exitCode));
    }),
  ];
}
