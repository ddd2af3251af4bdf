// `npm start`: build and package the extension, then open VS Code on
// examples/ with that VSIX installed.
//   - Desktop VS Code (`code` on PATH): install the VSIX into it, open examples/.
//   - Otherwise: an isolated code-server on 127.0.0.1 (the same cached install
//     and start-up code as the end-to-end tests), printing the URL to open.
//     Ctrl-C stops it and removes its temporary profile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer } from '../test/e2e/codeServerInstall.mjs';
import { repoRoot, startCodeServer } from '../test/e2e/codeServer.mjs';
import { packageShim, packageVsix } from '../test/e2e/packaging.mjs';

const examples = join(repoRoot, 'examples');
const python = join(repoRoot, '.venv', 'bin', 'python');
const log = (s) => console.log(`[start] ${s}`);

function desktopCode() {
  if (process.env.NURSERY_LENS_START === 'code-server') return null;
  const r = spawnSync('code', ['--version'], { encoding: 'utf8' });
  // code-server's own remote CLI is also called `code` inside its terminals; it has no --install-extension for us.
  if (r.status !== 0 || process.env.VSCODE_IPC_HOOK_CLI) return null;
  return 'code';
}

const vsix = await packageVsix({ log });
log(`packaged ${vsix}`);

const code = desktopCode();
if (code) {
  const install = spawnSync(code, ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
  spawnSync(code, [examples], { stdio: 'inherit' });
  log(
    `opened ${examples} in VS Code. Press F5 on "Hettinger: the Trio way" (needs the Python Debugger extension) or run "Nursery Lens: Show Task Tree".`,
  );
  process.exit(0);
}

log('no desktop `code` on PATH: starting code-server (real VS Code in the browser)');
const cache = await ensureCodeServer({ log });
const tmp = mkdtempSync(join(tmpdir(), 'nursery-lens-start-'));
// The Python Debugger extension is not available offline: the demo carries the
// same test-only shim as the e2e tests, which registers the `debugpy` type with
// the real debugpy adapter from .venv.
const shim = await packageShim(join(tmp, 'shim'), { log });
let server;
const stop = async (code = 0) => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(sig, () => {
    console.log('');
    log('stopping');
    stop(0);
  });
try {
  server = await startCodeServer({
    cache,
    root: join(tmp, 'code-server'),
    vsixes: [vsix, shim],
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    settings: { 'nurseryLens.pythonPath': python, 'python.defaultInterpreterPath': python },
    env: { NURSERY_LENS_E2E_PYTHON: python },
  });
} catch (e) {
  console.error(String(e.message ?? e));
  await stop(1);
}
const url = `${server.url}?folder=${encodeURIComponent(examples)}`;
console.log(`
  Nursery Lens is installed in an isolated VS Code (code-server ${cache.codeServerVersion}), listening on loopback only.
  Open:   ${url}
  Then:   F5 runs "Hettinger: the Trio way" under the debugger; the task tree opens beside the editor.
          F1 → "Nursery Lens: Show Task Tree" / "Run Python File with Task Tree" / "Open Recording…".
  Ctrl-C stops code-server and everything it started.
`);
server.child.on('exit', (c) => {
  log(`code-server exited (${c})`);
  stop(c ?? 1);
});
