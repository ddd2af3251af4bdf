// `npm test`: every test layer that can run on this machine, in order, with
// one summary line at the end (`N passed, N failed`). Stops early, with the
// exact install command, when a system dependency is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingForE2e } from '../test/e2e/prerequisites.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function missing(withE2e) {
  const out = [];
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (!has('python3')) out.push('Python 3 (Debian/Ubuntu: sudo apt-get install python3 python3-venv)');
  if (!existsSync(join(root, '.venv', 'bin', 'python'))) out.push('the Python environment .venv/ (run: npm install)');
  if (!existsSync(join(root, 'node_modules'))) out.push('npm packages (run: npm install)');
  const chromium = process.env.NURSERY_LENS_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) out.push(`Chromium at ${chromium} (Debian/Ubuntu: sudo apt-get install chromium)`);
  // End to end: debugpy/trio in .venv, and (first run only) build tools for code-server's native modules.
  if (withE2e) out.push(...missingForE2e({ basics: false }));
  return out;
}

// Each layer: an npm script and how to read its counts from the output.
const mochaCounts = (text) => ({
  passed: Number(/(\d+) passing/.exec(text)?.[1] ?? 0),
  failed: Number(/(\d+) failing/.exec(text)?.[1] ?? 0),
});
const pytestCounts = (text) => {
  let passed = 0,
    failed = 0;
  for (const m of text.matchAll(/^(?:=+ )?((?:\d+ \w+(?:, )?)+) in [\d.]+s/gm)) {
    passed += Number(/(\d+) passed/.exec(m[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(m[1])?.[1] ?? 0) + Number(/(\d+) errors?/.exec(m[1])?.[1] ?? 0);
  }
  return { passed, failed };
};
const plainCounts = (text) => {
  const all = [...text.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)];
  const last = all.at(-1);
  return { passed: Number(last?.[1] ?? 0), failed: Number(last?.[2] ?? 0) };
};

const layers = [
  { name: 'python', script: 'test:python', counts: pytestCounts },
  { name: 'unit', script: 'test:unit', counts: mochaCounts },
  { name: 'integration', script: 'test:integration', counts: mochaCounts },
  { name: 'webview', script: 'test:webview', counts: mochaCounts },
  { name: 'e2e', script: 'test:e2e', counts: plainCounts },
];

function runLayer(layer) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '--silent', layer.script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const tee = (stream, sink) =>
      stream.on('data', (d) => {
        text += d;
        sink.write(d);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code) => {
      const c = layer.counts(text);
      // A layer that failed without reporting failures (crash, setup error) counts as one failure.
      if (code !== 0 && c.failed === 0) c.failed = 1;
      resolve({ ...layer, ...c, code, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const only = process.argv.slice(2);
const problems = missing(!only.length || only.includes('e2e'));
if (problems.length) {
  console.error('npm test cannot run; missing:\n' + problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(2);
}

const results = [];
for (const layer of layers) {
  if (only.length && !only.includes(layer.name)) continue;
  console.log(`\n━━━ ${layer.name} (npm run ${layer.script}) ━━━`);
  results.push(await runLayer(layer));
}
console.log('\n━━━ summary ━━━');
for (const r of results) {
  console.log(
    `${r.name.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(0).padStart(4)} s  exit ${r.code}`,
  );
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.some((r) => r.code !== 0) ? 1 : 0);
