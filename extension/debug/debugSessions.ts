// Opens the panel once per instrumented launch: when its debug session
// starts, or when its first program connects (whichever comes first), and
// never for child sessions (debugpy subprocesses attach as children).
import * as vscode from 'vscode';
import type { Launch, LaunchRegistry } from '../collector/launches';
import { PYTHON_DEBUG_TYPES } from './debugProvider';

export interface PanelOpener {
  /** Shows the panel beside the editor without taking focus, and selects the launch's run. */
  showLaunch(launch: Launch, reveal: boolean): void;
}

export class DebugSessionWatcher implements vscode.Disposable {
  private readonly shown = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly launches: LaunchRegistry, private readonly opener: PanelOpener) {
    this.subscription = vscode.debug.onDidStartDebugSession((s) => this.started(s));
  }

  private started(session: vscode.DebugSession): void {
    if (!(PYTHON_DEBUG_TYPES as readonly string[]).includes(session.type)) return;
    const env = session.configuration.env as Record<string, unknown> | undefined;
    const launch = this.launches.fromEnvValue(env?.NURSERY_LENS);
    if (!launch) return;
    launch.debugSessionId ??= session.id;
    if (session.parentSession) return;
    this.open(launch);
  }

  /** A program of a launch said hello for the first time. */
  programConnected(launch: Launch): void {
    if (launch.kind === 'debug') this.open(launch);
  }

  private open(launch: Launch): void {
    if (this.shown.has(launch.secret)) return;
    this.shown.add(launch.secret);
    const reveal = vscode.workspace.getConfiguration('nurseryLens').get<boolean>('openOnDebug', true);
    this.opener.showLaunch(launch, reveal);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
