// Who keeps a launch's secret alive: the debug session whose configuration
// carries it, or the terminal whose process runs the program. When that ends,
// the secret is retired, so that a copy of it (in an old recording, a shell
// history, another process's environment) lets nobody in afterwards. While it
// lives, the program's own reconnects and its subprocesses (same secret, each
// its own instance) get in as before. No vscode import: debugSessions.ts and
// the terminal wiring pass the events on.
import { secretInEnvValue, type Launch, type LaunchRegistry } from '../collector/launches';

/** What this module needs of a vscode.DebugSession. */
export interface SessionInfo {
  id: string;
  parentSession?: unknown;
  configuration: { readonly [key: string]: unknown };
}

/** Retired launches kept for a restart of their session (VS Code restarts a session with the same id and configuration). */
const MAX_ENDED = 100;

export class LaunchOwners {
  private readonly ended = new Map<string, Launch>();
  private readonly terminals = new Map<object, Launch>();

  constructor(private readonly launches: LaunchRegistry) {}

  /** A debug session started: the launch its configuration names (now owned by it), or undefined. */
  sessionStarted(session: SessionInfo): Launch | undefined {
    const env = session.configuration.env as Record<string, unknown> | undefined;
    const value = env?.NURSERY_LENS;
    let launch = this.launches.fromEnvValue(value);
    const back = this.ended.get(session.id);
    if (!launch && back && back.secret === secretInEnvValue(value)) {
      // Restart without re-resolving: the program starts again with the same env.
      this.launches.restore(back);
      launch = back;
    }
    this.ended.delete(session.id);
    if (!launch) return undefined;
    launch.debugSessionId ??= session.id;
    this.launches.own(launch);
    return launch;
  }

  /** A debug session ended: the launch it took is retired (child sessions end without that); that launch, if any. */
  sessionEnded(session: { id: string }): Launch | undefined {
    const launch = this.launches.bySession(session.id);
    if (!launch) return undefined;
    this.launches.retire(launch);
    this.ended.set(session.id, launch);
    while (this.ended.size > MAX_ENDED) this.ended.delete(this.ended.keys().next().value as string);
    return launch;
  }

  /** A terminal runs the launch's program. */
  terminalStarted(launch: Launch, terminal: object): void {
    this.launches.own(launch);
    this.terminals.set(terminal, launch);
  }

  /** A terminal closed (its process ended, or the user closed it): its launch is retired for good. */
  terminalEnded(terminal: object): void {
    const launch = this.terminals.get(terminal);
    if (!launch) return;
    this.terminals.delete(terminal);
    this.launches.retire(launch);
  }
}
