// Follows Python debug sessions: opens the panel once per instrumented launch,
// when its debug session starts or when its first program connects
// (whichever comes first), never for child sessions (debugpy subprocesses
// attach as children); and tells LaunchOwners when sessions start and end,
// which keeps a launch's secret exactly as long as its session.
import * as vscode from 'vscode';
import type { Launch } from '../collector/launches';
import type { LaunchOwners } from './launchOwners';
import { PYTHON_DEBUG_TYPES } from './debugProvider';

export interface PanelOpener {
  /**
   * Shows the panel beside the editor without taking focus, and selects the launch's run;
   * `program`: the session's program file, shown on the left when no editor is open.
   */
  showLaunch(launch: Launch, reveal: boolean, program?: string): void;
  /** The launch's debug session ended (Stop, or its program exited). */
  sessionEnded?(launch: Launch): void;
  /**
   * It ended with no program of the launch ever connected: none started an event loop
   * (`program`: its file's name; `exitCode`: the program's, when the debugger said it).
   */
  endedQuietly?(launch: Launch, program: string, exitCode?: number): void;
}

/** The session's program as the user knows it: its file's name, or the module it runs. */
function programOf(session: vscode.DebugSession): string | undefined {
  const { program, module } = session.configuration;
  if (typeof program === 'string' && program) return program.split(/[\\/]/).pop();
  return typeof module === 'string' && module ? module : undefined;
}

const isPython = (session: vscode.DebugSession) => (PYTHON_DEBUG_TYPES as readonly string[]).includes(session.type);

export class DebugSessionWatcher implements vscode.Disposable {
  private readonly shown = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];
  /** The exit code each session's program reported (DAP `exited`), until the session ends. */
  private readonly exitCodes = new Map<string, number>();

  constructor(
    private readonly owners: LaunchOwners,
    private readonly opener: PanelOpener,
  ) {
    this.subscriptions = [
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const exitCode = this.exitCodes.get(s.id);
        this.exitCodes.delete(s.id);
        const launch = isPython(s) ? this.owners.sessionEnded(s) : undefined;
        if (!launch) return;
        this.opener.sessionEnded?.(launch);
        if (!launch.connections) this.opener.endedQuietly?.(launch, programOf(s) ?? launch.label, exitCode);
      }),
    ];
  }

  /** The session's program exited with `exitCode` (the debugger's `exited` event, heard by DebugSync's tracker). */
  exited(sessionId: string, exitCode: number): void {
    this.exitCodes.set(sessionId, exitCode);
  }

  private started(session: vscode.DebugSession): void {
    if (!isPython(session)) return;
    const launch = this.owners.sessionStarted(session);
    if (!launch || session.parentSession) return;
    const program: unknown = session.configuration.program;
    this.open(launch, typeof program === 'string' ? program : undefined);
  }

  /** A program of a launch said hello for the first time. */
  programConnected(launch: Launch): void {
    if (launch.kind === 'debug') this.open(launch);
  }

  private open(launch: Launch, program?: string): void {
    if (this.shown.has(launch.secret)) return;
    this.shown.add(launch.secret);
    const reveal = vscode.workspace.getConfiguration('nurseryLens').get<boolean>('openOnDebug', true);
    this.opener.showLaunch(launch, reveal, program);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
