// Run File's terminal for each file: running the file again types its command
// into the same terminal (its earlier output stays above, as the Python
// extension's Run Python File does) instead of opening one more "Task Tree:"
// terminal per run. Only when that is safe: the shell is idle (its shell
// integration says no command runs: typing into a running program would feed
// its input), and the terminal's launch was made with the settings the run
// would get now (its environment cannot change). Else a new terminal, as
// before. No vscode import.
import type { Launch } from '../collector/launches';

interface FileTerminal<Terminal> {
  terminal: Terminal;
  launch: Launch;
  /** The launch settings its environment holds (sampling, lints), as one string. */
  settings: string;
}

export class FileTerminals<Terminal extends object> {
  private readonly byFile = new Map<string, FileTerminal<Terminal>>();
  private readonly busy = new WeakSet<Terminal>();

  /** Run File opened `terminal` for `file`, with `launch` made with `settings`. */
  opened(file: string, terminal: Terminal, launch: Launch, settings: string): void {
    this.byFile.set(file, { terminal, launch, settings });
  }

  /**
   * The terminal and launch to run `file` in again, if its shell is idle and
   * its settings are `settings`; `integrated(t)`: t's shell integration is
   * active (without it, whether a command runs cannot be known).
   */
  again(file: string, settings: string, integrated: (t: Terminal) => boolean): FileTerminal<Terminal> | undefined {
    const known = this.byFile.get(file);
    if (!known || known.settings !== settings || this.busy.has(known.terminal) || !integrated(known.terminal))
      return undefined;
    return known;
  }

  /** A command started in `terminal` (or Run File typed one: its start event may come late). */
  started(terminal: Terminal): void {
    this.busy.add(terminal);
  }

  /** A command of `terminal` ended. */
  ended(terminal: Terminal): void {
    this.busy.delete(terminal);
  }

  /** `terminal` closed: no file runs there again. */
  closed(terminal: Terminal): void {
    for (const [file, known] of this.byFile) if (known.terminal === terminal) this.byFile.delete(file);
  }
}
