// The Python half of `npm run check`: mypy (strict for the runtime package),
// ruff (lint, and format --check) and the rooms' sizes (scripts/room_sizes.py), both configured in
// runtime/python/pyproject.toml and run with .venv's tools from that folder
// (ruff resolves its per-file settings relative to it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cwd = join(root, 'runtime', 'python');
const bin = join(process.env.NURSERY_LENS_VENV ?? join(root, '.venv'), 'bin');
// Python files outside runtime/python that are checked with its settings
const extra = [
  '../../bench/overhead.py',
  '../../bench/overhead_workloads.py',
  '../../bench/attribute_names.py',
  '../../scripts/room_sizes.py',
];

let status = 0;
for (const [tool, args] of [
  ['mypy', []],
  // tests of what only Python 3.11+ has (TaskGroup, asyncio.timeout, except*): checked as 3.11
  [
    'mypy',
    [
      '--python-version',
      '3.11',
      'tests/test_asyncio_tree.py',
      'tests/test_asyncio_runs.py',
      'tests/test_asyncio_samples.py',
      'tests/test_asyncio_zero_code.py',
      'tests/test_anyio.py',
      '../../bench/overhead_workloads.py',
    ],
  ],
  ['ruff', ['check', '.', ...extra]],
  ['ruff', ['format', '--check', '.', ...extra]],
  // small rooms: files under 400 lines, functions under 80 (ESLint holds the TypeScript side to the same)
  ['python', ['../../scripts/room_sizes.py']],
]) {
  const exe = join(bin, tool);
  if (!existsSync(exe)) {
    console.error(`No ${tool} in ${bin}: run \`npm install\` (it installs runtime/python[dev]).`);
    process.exit(1);
  }
  const r = spawnSync(exe, args, { stdio: 'inherit', cwd });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
