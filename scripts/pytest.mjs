// Runs the Python suites with the repository's .venv (newest Trio), then again
// with .venv-oldest-trio (the oldest supported Trio) and .venv-newest-python
// (the newest CPython here, for asyncio) when those exist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = ['runtime/python/tests', 'examples/tests'].filter((p) => existsSync(join(root, p)));
let status = 0;
for (const venv of ['.venv', '.venv-oldest-trio', '.venv-newest-python']) {
  const py = join(root, venv, 'bin', 'python');
  if (!existsSync(py)) {
    if (venv === '.venv') {
      console.error('No .venv: run `npm install` first.');
      process.exit(1);
    }
    if (venv === '.venv-newest-python')
      console.log(
        "\n── no CPython newer than .venv's was found (pyenv or python3.12+ on PATH): the asyncio suites ran on one" +
          ' version only; set NURSERY_LENS_NEWEST_PYTHON to an interpreter and run `npm install` again ──',
      );
    continue;
  }
  const versions = spawnSync(py, ['-c', 'import sys, trio; print(sys.version.split()[0], trio.__version__)'], {
    encoding: 'utf8',
  })
    .stdout.trim()
    .split(' ');
  console.log(`\n── pytest with ${venv} (Python ${versions[0]}, trio ${versions[1]}) ──`);
  const r = spawnSync(py, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...suites, ...process.argv.slice(2)], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
