// Entry point of the extension-host test suite (`extensionTestsPath`). Runs
// inside VS Code: code-server here (through the smoke-test driver, see
// test/e2e/extensionHostSuite.mjs), @vscode/test-electron elsewhere
// (test/e2e/electron.mjs). Mocha's console output does not reach the
// launching terminal in code-server, so results also go to a JSON file.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Outcome = { title: string; state: 'passed' | 'failed'; ms: number; error?: string };

const FILES = ['./activation.test.js', './debugInjection.test.js', './panel.test.js'];

export async function run(): Promise<void> {
  const resultsFile = process.env.NURSERY_LENS_SUITE_RESULTS ?? join(tmpdir(), 'nursery-lens-suite-results.json');
  // mocha 12 is an ES module; the suite itself is CommonJS (VS Code's loader
  // resolves `vscode` for require only), so mocha comes in through import().
  const { default: Mocha } = (await import('mocha')) as unknown as { default: typeof import('mocha') };
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
  for (const file of FILES) {
    // What mocha.loadFiles does for CommonJS: expose describe/it, then require.
    const path = require.resolve(file);
    mocha.suite.emit('pre-require', globalThis, path, mocha);
    require(path);
    mocha.suite.emit('post-require', globalThis, path, mocha);
  }
  const outcomes: Outcome[] = [];
  const write = (done: boolean) => writeFileSync(resultsFile, JSON.stringify({ done, outcomes }, null, 2));
  write(false);
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    runner.on('pass', (t) => {
      outcomes.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 });
      write(false);
    });
    runner.on('fail', (t, err: Error) => {
      outcomes.push({ title: t.fullTitle(), state: 'failed', ms: t.duration ?? 0, error: String(err?.stack ?? err) });
      write(false);
    });
  });
  write(true);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
