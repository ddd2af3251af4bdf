// Finding a Python for "Run Python File with Task Tree" when the Python
// extension cannot tell us: the user's setting, else python3/python (POSIX)
// or the `py` launcher/python (Windows) on PATH. Pure, so it is unit-tested.
import * as path from 'node:path';

export interface Interpreter {
  command: string;
  args: string[];
  /** Where it came from, for the log. */
  source: string;
}

export interface SearchInput {
  platform: string;
  pathEnv: string | undefined;
  /** Windows executable extensions (PATHEXT). */
  pathExt?: string | undefined;
  isFile(p: string): boolean;
}

export function findOnPath(name: string, input: SearchInput): string | undefined {
  const win = input.platform === 'win32';
  const dirs = (input.pathEnv ?? '').split(win ? ';' : ':').filter(Boolean);
  const exts = win ? (input.pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  const join = win ? path.win32.join : path.posix.join;
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir.replace(/^"|"$/g, ''), name + ext.toLowerCase());
      if (input.isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The interpreter from PATH: `python3`/`python` on POSIX, `py -3`/`python` on Windows. */
export function interpreterFromPath(input: SearchInput): Interpreter | undefined {
  const order: [string, string[]][] =
    input.platform === 'win32'
      ? [
          ['py', ['-3']],
          ['python', []],
        ]
      : [
          ['python3', []],
          ['python', []],
        ];
  for (const [name, args] of order) {
    const found = findOnPath(name, input);
    if (found) return { command: found, args, source: `${name} on PATH` };
  }
  return undefined;
}
