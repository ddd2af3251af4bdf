// Runs a script with the repository's .venv Python, passing arguments through.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const py = join(process.env.NURSERY_LENS_VENV ?? join(root, '.venv'), 'bin', 'python');
if (!existsSync(py)) {
  console.error(`No Python environment at ${py}: run \`npm install\` first.`);
  process.exit(1);
}
const r = spawnSync(py, process.argv.slice(2), { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
