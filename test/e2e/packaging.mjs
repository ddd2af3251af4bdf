// The VSIX under test is the one `npm run package` makes; the debugpy shim is
// packaged next to it (test-only, never shipped).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';

function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(text)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${text.split('\n').slice(-25).join('\n')}`)),
    );
  });
}

export function vsixPath() {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return join(repoRoot, `${name}-${version}.vsix`);
}

/** `npm run package` in the repository; returns the fresh VSIX path. */
export async function packageVsix({ log = () => {} } = {}) {
  const started = Date.now();
  const vsix = vsixPath();
  log('npm run package');
  await run('npm', ['run', '--silent', 'package'], repoRoot);
  if (!existsSync(vsix) || statSync(vsix).mtimeMs < started - 1000) {
    throw new Error(`npm run package succeeded but did not write ${vsix}`);
  }
  return vsix;
}

/** Package test/e2e/debugpy-shim into `dir`/debugpy-shim.vsix. */
export async function packageShim(dir, { log = () => {} } = {}) {
  const src = join(repoRoot, 'test', 'e2e', 'debugpy-shim');
  const work = join(dir, 'src');
  mkdirSync(work, { recursive: true });
  cpSync(src, work, { recursive: true });
  const out = join(dir, 'debugpy-shim.vsix');
  log('packaging the test-only debugpy shim');
  await run(
    join(repoRoot, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', out],
    work,
  );
  return out;
}
