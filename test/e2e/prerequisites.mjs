// What the end-to-end layer needs from the machine, checked up front so a
// missing system package stops the run at once with the exact thing to
// install (used by test/e2e/run.mjs and scripts/test-all.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installedCache } from './codeServerInstall.mjs';
import { repoRoot } from './codeServer.mjs';

/** Debian's Chromium, driven by playwright-core (never a downloaded browser). */
export const CHROMIUM = process.env.NURSERY_LENS_CHROMIUM ?? '/usr/bin/chromium';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * Human-readable list of what is missing (empty: ready). `basics: false` skips
 * Chromium and the Python environment, which scripts/test-all.mjs checks itself.
 */
export function missingForE2e({ python = join(repoRoot, '.venv', 'bin', 'python'), basics = true } = {}) {
  const out = [];
  if (basics && !existsSync(CHROMIUM)) {
    out.push(
      `Chromium at ${CHROMIUM} (Debian/Ubuntu: sudo apt-get install chromium; or set NURSERY_LENS_CHROMIUM to a Chromium binary)`,
    );
  }
  if (!existsSync(python)) {
    if (basics) out.push(`the Python environment ${python} (run: npm install; it needs python3 and python3-venv)`);
  } else if (spawnSync(python, ['-c', 'import debugpy, trio'], { stdio: 'ignore' }).status !== 0) {
    out.push(`debugpy and trio in ${python} (run: npm install, which runs scripts/setup-python.mjs)`);
  }
  if (!installedCache()) {
    // Only the first run builds code-server's native modules.
    const build = [];
    if (!has('python3')) build.push('python3');
    if (!has('make') || !(has('g++') || has('c++'))) build.push('build-essential');
    if (!has('pkg-config')) build.push('pkg-config');
    if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) build.push('libkrb5-dev');
    if (build.length) {
      out.push(
        `build tools for code-server's native modules (first run only; Debian/Ubuntu: sudo apt-get install ${build.join(' ')})`,
      );
    }
  }
  return out;
}
