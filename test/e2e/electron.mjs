// `npm run test:vscode`: the extension-host suite (test/e2e/suite/) under
// @vscode/test-electron, i.e. desktop VS Code downloaded by the test runner.
// Machines that cannot reach update.code.visualstudio.com (like the one
// this project is built on) fail here with a clear message; there the same
// suite runs inside code-server as part of `npm run test:e2e`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { buildSuite } from './buildSuite.mjs';
import { cacheDir } from './codeServerInstall.mjs';
import { QUIET_SETTINGS, repoRoot } from './codeServer.mjs';
import { prepareWorkspace } from './workspace.mjs';

const python = process.env.NURSERY_LENS_E2E_PYTHON ?? join(repoRoot, '.venv', 'bin', 'python');
const version = process.env.NURSERY_LENS_VSCODE_VERSION ?? 'stable';

function summary(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: join(cacheDir(), 'vscode-test') });
} catch (e) {
  console.error(
    `\nCould not download VS Code (${version}) for @vscode/test-electron: ${e.message ?? e}\n` +
      `This runner needs network access to update.code.visualstudio.com (or a VS Code already downloaded into ${join(cacheDir(), 'vscode-test')}).\n` +
      'Without it, run the same suite inside code-server instead: npm run test:e2e\n',
  );
  summary(0, 1);
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('npm run build failed');
  summary(0, 1);
}
const suiteIndex = await buildSuite();

const tmp = mkdtempSync(join(tmpdir(), 'nursery-lens-electron-'));
const userData = join(tmp, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));
const ws = prepareWorkspace(join(repoRoot, 'examples'), join(tmp, 'workspace'), { python });
const resultsFile = join(tmp, 'suite-results.json');
let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath,
    // The product from the repository plus the test-only debugpy shim (the
    // Python Debugger extension is not installed in the test profile).
    extensionDevelopmentPath: [repoRoot, join(repoRoot, 'test', 'e2e', 'debugpy-shim')],
    extensionTestsPath: suiteIndex,
    extensionTestsEnv: { NURSERY_LENS_E2E_PYTHON: python, NURSERY_LENS_SUITE_RESULTS: resultsFile },
    launchArgs: [
      ws.dir,
      '--user-data-dir',
      userData,
      '--extensions-dir',
      join(tmp, 'extensions'),
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
} catch (e) {
  console.error(`VS Code test run failed: ${e.message ?? e}`);
}
let outcomes = [];
if (existsSync(resultsFile)) outcomes = JSON.parse(readFileSync(resultsFile, 'utf8')).outcomes;
for (const o of outcomes)
  console.log(`${o.state === 'passed' ? 'PASS' : 'FAIL'}  ${o.title}${o.error ? `  — ${o.error.split('\n')[0]}` : ''}`);
rmSync(tmp, { recursive: true, force: true });
const passed = outcomes.filter((o) => o.state === 'passed').length;
let failed = outcomes.length - passed;
if (code !== 0 && failed === 0) failed = 1;
summary(passed, failed);
