import assert from 'node:assert/strict';
import { isUnder, programRoots, refusedPath } from '../../extension/panel/sitePolicy';

describe('sitePolicy: which files a site may name', () => {
  it("a program's own folders: cwd, its script's folder (relative ones from cwd), .py arguments, sys.path; never / itself", () => {
    const roots = programRoots(
      {
        cwd: '/home/u/proj',
        argv: ['tools/run.py', '--config', '/etc/app.conf', 'other/job.py'],
        sysPath: ['/home/u/proj/tools', '/usr/lib/python3.11', '', '/', '/proc/self'],
      },
      'linux',
    );
    assert.deepEqual(roots, ['/home/u/proj', '/home/u/proj/tools', '/home/u/proj/other', '/usr/lib/python3.11']);
    assert.deepEqual(
      programRoots({ cwd: '/', argv: ['-c'] }, 'linux'),
      [],
      'a program run from / names no folder of its own',
    );
    assert.deepEqual(programRoots({ cwd: '/srv/app', argv: ['-m', 'pkg'] }, 'linux'), ['/srv/app']);
    const many = programRoots(
      { cwd: '/a', argv: ['x.py'], sysPath: Array.from({ length: 5000 }, (_, i) => `/lib/${i}`) },
      'linux',
    );
    assert.equal(many.length, 200, 'a program cannot make every click compare against thousands of folders');
  });

  it('Windows: UNC, \\\\?\\ and \\\\.\\ paths (either slash) are refused before anything touches them; drive paths compare case-insensitively', () => {
    for (const p of [
      '\\\\server\\share\\x.py',
      '//server/share/x.py',
      '\\\\?\\C:\\x.py',
      '\\\\.\\pipe\\x',
      '\\/server\\x.py',
      '\\\\?\\UNC\\server\\share\\x.py',
    ]) {
      assert.match(refusedPath(p, 'win32') ?? '', /network \(UNC\) or device path/, p);
    }
    assert.equal(refusedPath('C:\\work\\app.py', 'win32'), undefined);
    assert.equal(refusedPath('C:work\\app.py', 'win32'), 'not an absolute path');
    assert.equal(refusedPath('\\work\\app.py', 'win32'), 'not an absolute path');
    assert.equal(isUnder('c:\\Work\\App\\x.py', 'C:\\work\\app', 'win32'), true);
    assert.equal(isUnder('C:\\work\\application\\x.py', 'C:\\work\\app', 'win32'), false);
    assert.deepEqual(
      programRoots({ cwd: 'C:\\proj', argv: ['main.py'], sysPath: ['\\\\server\\share\\lib', 'D:\\'] }, 'win32'),
      ['C:\\proj'],
    );
  });

  it('POSIX: pseudo-files and devices are refused by name, and ".." cannot climb out of a root', () => {
    for (const p of ['/proc/self/environ', '/proc', '/sys/kernel/x', '/dev/zero', '/dev/../dev/zero'])
      assert.ok(refusedPath(p, 'linux'), p);
    assert.equal(refusedPath('/procfs/x.py', 'linux'), undefined);
    assert.equal(refusedPath('relative.py', 'linux'), 'not an absolute path');
    assert.equal(isUnder('/home/u/proj/../../../etc/passwd', '/home/u/proj', 'linux'), false);
    assert.equal(isUnder('/home/u/project2/x.py', '/home/u/proj', 'linux'), false);
    assert.equal(isUnder('/home/u/proj/x.py', '/home/u/proj', 'linux'), true);
  });
});
