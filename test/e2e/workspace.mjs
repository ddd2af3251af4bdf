// The end-to-end workspace: a copy of the repository's examples/ in a temp
// folder, its launch configurations pointed at an explicit interpreter (the
// extension host's PATH is the login shell's, not the test's).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** JSON with comments and trailing commas (launch.json, settings.json) → value. */
export function parseJsonc(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
      if (i === 0) break;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/**
 * Copy `examplesDir` to `dest` and rewrite .vscode/launch.json: every
 * debugpy/python configuration gets `python` = `python` and the extra `env`.
 * Returns { dir, launch } (the rewritten launch.json object).
 */
export function prepareWorkspace(examplesDir, dest, { python, env = {}, settings = {} }) {
  mkdirSync(dest, { recursive: true });
  cpSync(examplesDir, dest, {
    recursive: true,
    filter: (src) =>
      !/(^|[\\/])(__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.venv[^\\/]*|[^\\/]*\.ndjson)$/.test(src),
  });
  const launchPath = join(dest, '.vscode', 'launch.json');
  let launch = { version: '0.2.0', configurations: [] };
  if (existsSync(launchPath)) launch = parseJsonc(readFileSync(launchPath, 'utf8'));
  for (const c of launch.configurations ?? []) {
    if (c.type !== 'debugpy' && c.type !== 'python') continue;
    c.python = python;
    c.env = { ...(c.env ?? {}), ...env };
  }
  mkdirSync(join(dest, '.vscode'), { recursive: true });
  writeFileSync(launchPath, JSON.stringify(launch, null, 2));
  const settingsPath = join(dest, '.vscode', 'settings.json');
  const current = existsSync(settingsPath) ? parseJsonc(readFileSync(settingsPath, 'utf8')) : {};
  writeFileSync(settingsPath, JSON.stringify({ ...current, ...settings }, null, 2));
  return { dir: dest, launch };
}
