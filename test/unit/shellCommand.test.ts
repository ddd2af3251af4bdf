import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { commandLine, shellKind } from '../../extension/commands/shellCommand';

/** Arguments a user's paths may hold: spaces, quotes, `$`, globs, backticks, a leading dash. */
const AWKWARD = ["it's a file.py", '/home/a b/$HOME/*.py', 'say "hi"', '`id`', '-x', 'ünïcode', 'a;b&c|d'];

describe('Run Python File: the command line typed into the shell', () => {
  it('picks the quoting from the shell VS Code runs (a path, .exe or not; none: the platform default)', () => {
    assert.equal(shellKind('/bin/bash', 'linux'), 'posix');
    assert.equal(shellKind('/usr/bin/fish', 'darwin'), 'posix');
    assert.equal(shellKind('C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'win32'), 'pwsh');
    assert.equal(shellKind('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'win32'), 'pwsh');
    assert.equal(shellKind('C:\\Windows\\System32\\cmd.exe', 'win32'), 'cmd');
    assert.equal(shellKind('C:\\Program Files\\Git\\bin\\bash.exe', 'win32'), 'posix');
    assert.equal(shellKind('', 'win32'), 'cmd');
    assert.equal(shellKind('', 'linux'), 'posix');
  });

  for (const shell of ['/bin/sh', '/bin/bash', '/usr/bin/zsh', '/usr/bin/fish'].filter((s) => existsSync(s))) {
    it(`${shell} runs exactly the program and arguments given, whatever they hold`, () => {
      const argv = [process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...AWKWARD];
      const r = spawnSync(shell, ['-c', commandLine(shellKind(shell, 'linux'), argv)], {
        encoding: 'utf8',
        env: { ...process.env, HOME: '/nowhere' },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), AWKWARD);
    });
  }

  it('plain paths are typed as they are; PowerShell calls the program with &, quotes doubled', () => {
    assert.equal(commandLine('posix', ['/usr/bin/python3', '/w/app.py']), '/usr/bin/python3 /w/app.py');
    assert.equal(
      commandLine('pwsh', ['C:\\Py 3\\python.exe', "C:\\w\\it's.py"]),
      "& 'C:\\Py 3\\python.exe' 'C:\\w\\it''s.py'",
    );
    assert.equal(
      commandLine('cmd', ['C:\\Py 3\\python.exe', '-X', 'C:\\w\\app.py']),
      '"C:\\Py 3\\python.exe" -X C:\\w\\app.py',
    );
  });
});
