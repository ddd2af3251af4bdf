// Transpiles the extension-host suite (test/e2e/suite/*.ts) to CommonJS in
// out/e2e/suite/, file by file (no bundle: mocha and the tests stay separate
// modules, `vscode` stays a runtime require). Types are checked by
// `npm run check` (test/tsconfig.json covers these files).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from './codeServer.mjs';

export const suiteOut = join(repoRoot, 'out', 'e2e', 'suite');

export async function buildSuite() {
  const src = join(repoRoot, 'test', 'e2e', 'suite');
  const entryPoints = readdirSync(src)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(src, f));
  await esbuild.build({
    entryPoints,
    outdir: suiteOut,
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    bundle: false,
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(suiteOut, 'index.js');
}
