// Creates the repository's Python environment (.venv/) from PyPI: the runtime
// installed editable with its test tools and checkers (mypy, ruff: `npm run
// check`), plus debugpy for the end-to-end suite.
// Runs as npm's postinstall so `npm install` is the only setup step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = process.env.NURSERY_LENS_VENV ?? join(root, '.venv');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.error || r.status !== 0) {
    console.error(`\nnursery-lens setup: \`${cmd} ${args.join(' ')}\` failed.`);
    return false;
  }
  return true;
}

function findPython() {
  for (const cand of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const r = spawnSync(cand, ['-c', 'import sys, venv; assert sys.version_info >= (3, 9)'], { stdio: 'ignore' });
    if (r.status === 0) return cand;
  }
  return null;
}

/** `major.minor` of an interpreter, e.g. [3, 11]; null when it does not run. */
function versionOf(python) {
  const r = spawnSync(python, ['-c', 'import sys; print(*sys.version_info[:2])'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(' ').map(Number) : null;
}

/** The CPython 3.12+ releases here: pyenv's versions first, then `python3.N` on PATH; newest first. */
function pythonsHere() {
  const found = [];
  const versions = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  if (existsSync(versions))
    for (const name of readdirSync(versions)) {
      const m = /^3\.(\d+)\.(\d+)$/.exec(name); // plain CPython releases, not dev builds or other implementations
      const bin = join(versions, name, 'bin', 'python');
      if (m && existsSync(bin)) found.push({ minor: Number(m[1]), patch: Number(m[2]), bin });
    }
  for (const minor of [14, 13, 12]) {
    const v = versionOf(`python3.${minor}`);
    if (v && v[1] === minor) found.push({ minor, patch: -1, bin: `python3.${minor}` });
  }
  found.sort((a, b) => b.minor - a.minor || b.patch - a.patch);
  return found;
}

const pathOf = (f) =>
  !f ? null : f.bin.includes('/') ? f.bin : spawnSync('which', [f.bin], { encoding: 'utf8' }).stdout.trim() || null;

/**
 * Interpreters besides the main environment's: the newest CPython 3.12+ newer
 * than it (every suite runs there too), and a 3.12 when that is neither
 * (asyncio's suites: 3.12 began eager tasks, and its early releases crash on
 * some of their calls, gh-122332). The oldest 3.12 here, as more users are on those.
 */
function otherPythons() {
  const mine = versionOf(join(venv, 'bin', 'python')) ?? [3, 0];
  const found = pythonsHere();
  const newest = found.find((f) => f.minor >= 12 && f.minor > mine[1]);
  const twelves = found.filter((f) => f.minor === 12);
  const twelve = mine[1] !== 12 && newest?.minor !== 12 ? twelves[twelves.length - 1] : undefined;
  return { newest: pathOf(newest), python312: pathOf(twelve) };
}

if (process.env.NURSERY_LENS_SKIP_PYTHON === '1') process.exit(0);
function ensureVenv(dir, interpreter) {
  if (existsSync(join(dir, 'bin', 'python'))) return true;
  const base = interpreter ?? findPython();
  if (!base) {
    console.error(
      'nursery-lens setup: Python 3.9 or newer with the venv module is needed.\n' +
        '  Debian/Ubuntu: sudo apt-get install python3 python3-venv',
    );
    process.exit(1);
  }
  return run(base, ['-m', 'venv', dir]);
}
const pip = (dir, ...pkgs) =>
  run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...pkgs]);

// The main environment: newest Trio, the runtime editable, test tools, checkers, debugpy.
if (!ensureVenv(venv) || !pip(venv, '-e', 'runtime/python[test,dev]', 'debugpy')) process.exit(1);
// The oldest Trio we support, so `npm test` proves both ends of the range.
const oldest = join(root, '.venv-oldest-trio');
if (process.env.NURSERY_LENS_OLDEST_TRIO !== '0') {
  if (!ensureVenv(oldest) || !pip(oldest, '-e', 'runtime/python[test]', 'trio==0.22.2')) process.exit(1);
}
// The newest CPython pyenv has here: asyncio differs by version (eager tasks in 3.12, ...),
// so the Python suites run on it too when it is there (NURSERY_LENS_NEWEST_PYTHON: another interpreter, or 0).
const others = otherPythons();
const newestPython = process.env.NURSERY_LENS_NEWEST_PYTHON ?? others.newest;
const newest = join(root, '.venv-newest-python');
if (newestPython && newestPython !== '0' && existsSync(newestPython)) {
  // debugpy too: a Pause under Python 3.12+'s sys.monitoring (test_debugger_pause)
  if (!ensureVenv(newest, newestPython) || !pip(newest, '-e', 'runtime/python[test]', 'debugpy')) process.exit(1);
}
// A 3.12 for the asyncio suites (NURSERY_LENS_PYTHON312: another interpreter, or 0 to skip).
const python312 = process.env.NURSERY_LENS_PYTHON312 ?? others.python312;
const py312 = join(root, '.venv-python312');
if (python312 && python312 !== '0' && existsSync(python312)) {
  if (!ensureVenv(py312, python312) || !pip(py312, '-e', 'runtime/python[test]', 'debugpy')) process.exit(1);
}
for (const dir of [venv, oldest, newest, py312])
  if (existsSync(join(dir, 'bin', 'python')) && !pip(dir, '-r', 'examples/requirements.txt')) process.exit(1); // the examples' AnyIO, each env's Trio kept
