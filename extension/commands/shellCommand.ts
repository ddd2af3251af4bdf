// The command line "Run Python File with Task Tree" types into the user's
// shell, quoted for that shell. The program runs in a shell (as the Python
// extension's Run Python File does), not as the terminal's own process: a
// terminal whose process is the program closes when it ends, with its output.

export type ShellKind = 'posix' | 'pwsh' | 'cmd';

/** Which quoting `shell` (a path, as `vscode.env.shell` gives it; may be empty) takes. */
export function shellKind(shell: string, platform: string): ShellKind {
  const name =
    shell
      .split(/[\\/]/)
      .pop()
      ?.toLowerCase()
      .replace(/\.exe$/, '') ?? '';
  if (name === 'pwsh' || name === 'powershell') return 'pwsh';
  if (name === 'cmd') return 'cmd';
  if (!name) return platform === 'win32' ? 'cmd' : 'posix';
  return 'posix';
}

/** Arguments a POSIX shell, or cmd.exe, reads as they are (`%` expands in cmd, `\` escapes in sh). */
const PLAIN = /^[\w./:=@%+,-]+$/;
const PLAIN_CMD = /^[\w.\\/:=@+,-]+$/;

function quote(arg: string, kind: ShellKind): string {
  if (kind === 'cmd') return PLAIN_CMD.test(arg) ? arg : `"${arg}"`; // a Windows path cannot hold `"`
  if (kind === 'pwsh') return `'${arg.replace(/'/g, "''")}'`;
  return PLAIN.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `argv` as one command line for a shell of `kind`. */
export function commandLine(kind: ShellKind, argv: readonly string[]): string {
  const words = argv.map((a) => quote(a, kind));
  // PowerShell runs a quoted program path only through its call operator.
  return kind === 'pwsh' ? `& ${words.join(' ')}` : words.join(' ');
}
