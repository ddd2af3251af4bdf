// What the VSIX ships is decided by .vscodeignore, whose negations are easy to
// get subtly wrong (a `**` negation also re-includes __pycache__). Ask vsce
// itself which files it would package, with a bytecode file planted in the
// runtime folder, and check nothing but the bundle, the runtime and the docs go.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const allowed = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^media\/[\w.-]+\.png$/,
  /^dist\/(extension|webview)\.js$/,
  /^dist\/webview\.css$/,
  /^runtime\/protocol\/PROTOCOL\.md$/,
  /^runtime\/python\/bootstrap\/sitecustomize\.py$/,
  /^runtime\/python\/src\/nursery_lens\/((\w+\/)?\w+\.py|py\.typed)$/,
];

describe('VSIX contents (vsce ls)', function () {
  this.timeout(60_000);
  const cache = join(root, 'runtime', 'python', 'src', 'nursery_lens', '__pycache__');
  const planted = join(cache, 'planted_by_vsix_test.cpython-311.pyc');
  let files: string[] = [];

  before(() => {
    const hadCache = existsSync(cache);
    mkdirSync(cache, { recursive: true });
    writeFileSync(planted, '');
    try {
      const out = execFileSync(join(root, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], {
        cwd: root,
        encoding: 'utf8',
      });
      files = out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    } finally {
      rmSync(hadCache ? planted : cache, { recursive: true, force: true });
    }
  });

  it('ships the Python runtime package and its bootstrap', () => {
    for (const f of [
      'runtime/python/bootstrap/sitecustomize.py',
      'runtime/python/src/nursery_lens/__init__.py',
      'runtime/python/src/nursery_lens/__main__.py',
      'runtime/python/src/nursery_lens/_core/emitter.py',
      'runtime/python/src/nursery_lens/_trio/instrument.py',
      'runtime/protocol/PROTOCOL.md',
      'README.md',
      'LICENSE',
    ]) {
      assert.ok(files.includes(f), `${f} is missing from the VSIX`);
    }
  });

  it('ships nothing else: no sources, tests, source maps or Python bytecode', () => {
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(stray, [], `files that should not be in the VSIX: ${stray.join(', ')}`);
  });
});
