import assert from 'node:assert/strict';
import { findOnPath, interpreterFromPath } from '../../extension/commands/interpreterSearch';

describe('interpreter search on PATH', () => {
  it('POSIX: python3 first, then python, in PATH order', () => {
    const files = new Set(['/usr/bin/python3', '/opt/py/bin/python', '/usr/local/bin/python3']);
    const input = {
      platform: 'linux',
      pathEnv: '/usr/local/bin:/usr/bin:/opt/py/bin',
      isFile: (p: string) => files.has(p),
    };
    assert.deepEqual(interpreterFromPath(input), {
      command: '/usr/local/bin/python3',
      args: [],
      source: 'python3 on PATH',
    });
    files.delete('/usr/local/bin/python3');
    files.delete('/usr/bin/python3');
    assert.equal(interpreterFromPath(input)?.command, '/opt/py/bin/python');
    files.clear();
    assert.equal(interpreterFromPath(input), undefined);
  });

  it('Windows: the py launcher with -3, PATHEXT, `;` separators and quoted entries', () => {
    const files = new Set(['C:\\Windows\\py.exe', 'C:\\Python311\\python.exe']);
    const input = {
      platform: 'win32',
      pathEnv: '"C:\\Python311";C:\\Windows',
      pathExt: '.COM;.EXE;.BAT',
      isFile: (p: string) => files.has(p),
    };
    assert.deepEqual(interpreterFromPath(input), {
      command: 'C:\\Windows\\py.exe',
      args: ['-3'],
      source: 'py on PATH',
    });
    files.delete('C:\\Windows\\py.exe');
    assert.equal(findOnPath('python', input), 'C:\\Python311\\python.exe');
  });
});
