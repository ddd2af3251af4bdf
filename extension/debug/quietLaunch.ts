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
 * Run File's terminals: whether a program of the terminal's launch connected
 * while its command ran. Counted from the terminal's previous command's end
 * (or its opening), not from the start event, which can come after a quick
 * program has connected (a program killed while hung read as one that never
 * started its loop). Only the end event is needed, and it names its command.
 */
export class QuietCommands<Terminal extends object> {
  private readonly terminals = new WeakMap<Terminal, { launch: Launch; file: string; connections: number }>();

  /** Run File opened `terminal` to run `file` for `launch`. */
  opened(terminal: Terminal, launch: Launch, file: string): void {
    this.terminals.set(terminal, { launch, file, connections: launch.connections });
  }

  /**
   * A command of `terminal` ended: the file it ran when it was the launch's
   * program (its command line names the file) and nothing of the launch
   * connected meanwhile; else undefined.
   */
  endedQuietly(terminal: Terminal, commandLine: string): string | undefined {
    const t = this.terminals.get(terminal);
    if (!t) return undefined;
    const quiet = t.launch.connections === t.connections;
    t.connections = t.launch.connections;
    return quiet && commandLine.includes(baseName(t.file)) ? t.file : undefined;
  }
}

const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file;
