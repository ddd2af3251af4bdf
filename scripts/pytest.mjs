// Runs the Python suites with the repository's .venv (newest Trio), and with
// .venv-oldest-trio (the oldest supported Trio) and .venv-newest-python (the
// newest CPython here, for asyncio) when those exist; with .venv-python312,
// the asyncio and AnyIO tests only (asyncio's 3.12 differs from 3.11 and 3.13).
// The environments run side by side: most of a suite's time is its programs'
// sleeps and subprocesses (~30% of one core each), so three at once take
// about as long as one. Each environment's output is printed whole when it
// ends (and on Ctrl-C, what it printed until then). One after another, with
// live output: NURSERY_LENS_PYTEST_SERIAL=1, a single core, a single
// environment, or arguments for pytest (`npm run test:python -- -k x --pdb`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = ['runtime/python/tests', 'examples/tests'].filter((p) => existsSync(join(root, p)));
const extra = process.argv.slice(2);
const args = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...suites, ...extra];
/** What an environment runs of `args`: the tests whose module or name says asyncio or AnyIO (unless pytest's arguments were given). */
const only = { '.venv-python312': ['-k', 'asyncio or anyio'] };

const envs = [];
let notice = '';
for (const venv of ['.venv', '.venv-oldest-trio', '.venv-newest-python', '.venv-python312']) {
  const py = join(root, venv, 'bin', 'python');
  if (existsSync(py)) envs.push({ venv, py });
  else if (venv === '.venv') {
    console.error('No .venv: run `npm install` first.');
    process.exit(1);
  } else if (venv === '.venv-newest-python')
    notice =
      "\n── no CPython newer than .venv's was found (pyenv or python3.12+ on PATH): the asyncio suites ran on one" +
      ' version only; set NURSERY_LENS_NEWEST_PYTHON to an interpreter and run `npm install` again ──';
}

function title({ venv, py }) {
  const r = spawnSync(py, ['-c', 'import sys, trio; print(sys.version.split()[0], trio.__version__)'], {
    encoding: 'utf8',
  });
  const [python, trio] = (r.stdout ?? '').trim().split(' ');
  const what = only[venv] && !extra.length ? `, ${only[venv].slice(1).join(' ')}` : '';
  return `pytest with ${venv} (Python ${python || '?'}, trio ${trio || '?'}${what})`;
}

const children = new Set();

/** One environment's run: live output when alone, else its whole output when it ends. Resolves to its exit code. */
function run(env, live) {
  return new Promise((resolve) => {
    const head = title(env);
    const started = Date.now();
    if (live) console.log(`\n── ${head} ──`);
    const child = spawn(env.py, [...args, ...((!extra.length && only[env.venv]) || [])], {
      cwd: root,
      stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let text = '';
    if (!live)
      for (const s of [child.stdout, child.stderr]) {
        s.setEncoding('utf8'); // a character split across two chunks stays whole
        s.on('data', (d) => (text += d));
      }
    const done = (code, how) => {
      if (!children.delete(child)) return;
      if (!live) {
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        process.stdout.write(`\n── ${head}: ${seconds} s, ${how} ──\n${text}`);
      }
      resolve(code);
    };
    child.on('error', (err) => done(1, `could not start: ${err.message}`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `ended by ${signal}` : `exit ${code}`));
  });
}

// Ctrl-C reaches the children too (same process group); wait for them, so their reports and the output so far are printed.
let stopped = false;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    stopped = true;
    for (const c of children) if (sig === 'SIGTERM') c.kill(sig);
  });

const serial =
  process.env.NURSERY_LENS_PYTEST_SERIAL === '1' || availableParallelism() < 2 || envs.length < 2 || extra.length > 0;
let codes;
if (serial) {
  codes = [];
  for (const env of envs) if (!stopped) codes.push(await run(env, true));
} else {
  console.log(`\n── pytest in ${envs.map((e) => e.venv).join(', ')}, side by side (each printed when it ends) ──`);
  codes = await Promise.all(envs.map((env) => run(env, false)));
}
if (notice) console.log(notice);
process.exitCode = stopped ? 130 : (codes.find((c) => c !== 0) ?? 0);
