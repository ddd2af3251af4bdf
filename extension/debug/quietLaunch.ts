// A program run with the task tree that never starts an event loop the
// runtime knows (Trio, asyncio, AnyIO) never connects: the panel stays as it
// was and says nothing. When its debug session, or its command in the Run
// File terminal, ends with no connection from its launch, the user is told
// why there is no tree. No vscode import.
import type { Launch } from '../collector/launches';

/** `threads.py ended before starting a Trio, asyncio or AnyIO event loop: …`; with a failing exit code, that. */
export function quietMessage(program: string, exitCode?: number): string {
  const ended = exitCode === undefined || exitCode === 0 ? 'ended' : `exited with code ${exitCode}`;
  return `${program} ${ended} before starting a Trio, asyncio or AnyIO event loop: there is no task tree to show.`;
}

/**
 * Commands of Run File terminals: whether a program of the launch connected
 * while each ran. Keyed by terminal (one command runs in it at a time): the
 * end event's execution object need not be the start event's.
 */
export class QuietCommands<Terminal extends object> {
  private readonly running = new WeakMap<Terminal, { launch: Launch; connections: number }>();

  /** The launch's program's command started in its terminal. */
  started(terminal: Terminal, launch: Launch): void {
    this.running.set(terminal, { launch, connections: launch.connections });
  }

  /** The terminal's command ended: true when it was the launch's and no program of it connected meanwhile. */
  endedQuietly(terminal: Terminal): boolean {
    const run = this.running.get(terminal);
    if (!run) return false;
    this.running.delete(terminal);
    return run.launch.connections === run.connections;
  }
}
