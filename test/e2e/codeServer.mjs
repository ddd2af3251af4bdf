// Starts one isolated code-server (real VS Code in the browser) on loopback:
// its own user-data, extensions, config and XDG folders under one temp
// folder, so nothing reads or writes the user's home. Shared by the
// end-to-end suite (test/e2e/run.mjs) and `npm start` (scripts/start.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';

/** Settings that keep the workbench quiet and deterministic. */
export const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'debug.openDebug': 'neverOpen',
  'debug.internalConsoleOptions': 'neverOpen',
  'terminal.integrated.enablePersistentSessions': false,
  'workbench.enableExperiments': false,
  'npm.fetchOnlinePackageInfo': false,
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Folders of one isolated instance under `root`, and the env that points XDG at them. */
export function isolation(root) {
  const dirs = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    config: join(root, 'config.yaml'),
    xdg: {
      XDG_CONFIG_HOME: join(root, 'xdg', 'config'),
      XDG_DATA_HOME: join(root, 'xdg', 'data'),
      XDG_CACHE_HOME: join(root, 'xdg', 'cache'),
      XDG_STATE_HOME: join(root, 'xdg', 'state'),
      XDG_RUNTIME_DIR: join(root, 'xdg', 'runtime'),
    },
  };
  return dirs;
}

function prepare(dirs, settings) {
  for (const d of [dirs.userData, dirs.extensions, ...Object.values(dirs.xdg)])
    mkdirSync(d, { recursive: true, mode: 0o700 });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2),
  );
  // An explicit config file: code-server otherwise creates ~/.config/code-server/config.yaml with a password.
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
}

function baseEnv(cache, dirs, extraEnv) {
  const env = { ...process.env, ...dirs.xdg, ...extraEnv };
  env.PATH = join(cache.nodePkg, 'bin') + delimiter + (extraEnv?.PATH ?? process.env.PATH);
  // Never let the instance inherit a password or a parent's VS Code IPC hooks.
  for (const k of ['PASSWORD', 'HASHED_PASSWORD', 'VSCODE_IPC_HOOK_CLI', 'VSCODE_PROXY_URI', 'ELECTRON_RUN_AS_NODE'])
    delete env[k];
  return env;
}

function commonArgs(dirs) {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Install VSIX files (paths) into the instance, before it starts. */
export function installExtensions(cache, dirs, vsixes, extraEnv) {
  if (!vsixes.length) return;
  const args = [cache.codeServerEntry, ...commonArgs(dirs)];
  for (const v of vsixes) args.push('--install-extension', v);
  args.push('--force');
  const r = spawnSync(cache.nodeBin, args, { env: baseEnv(cache, dirs, extraEnv), encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) {
    throw new Error(`code-server --install-extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

async function waitHealthy(url, child, timeoutMs, output) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited (${child.exitCode}) before it was ready:\n${output()}`);
    try {
      const r = await fetch(url + 'healthz');
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s:\n${output()}`);
}

/**
 * Start code-server. Returns { url, port, dirs, stop(), output() }.
 * options: cache (from ensureCodeServer), root (temp folder), settings,
 * vsixes, smokeTestDriver (lets a test window report an exit code), env.
 */
export async function startCodeServer({
  cache,
  root,
  settings = {},
  vsixes = [],
  smokeTestDriver = false,
  env: extraEnv = {},
  port,
}) {
  const dirs = isolation(root);
  prepare(dirs, settings);
  installExtensions(cache, dirs, vsixes, extraEnv);
  port ??= await freePort();
  const args = [
    cache.codeServerEntry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    ...commonArgs(dirs),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // A closed test window's extension host exits soon instead of waiting hours for a reconnect.
    '--reconnection-grace-time',
    '20',
  ];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  let text = '';
  // Own process group: stop() kills code-server together with its extension
  // hosts, terminals, debug adapters and debuggees.
  const child = spawn(cache.nodeBin, args, {
    env: baseEnv(cache, dirs, extraEnv),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d) => {
    text += d;
    if (text.length > 200000) text = text.slice(-100000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}/`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killNow);
    await killGroup(child, 5000);
  };
  const killNow = () => {
    for (const pid of [...descendants(child.pid), child.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.on('exit', killNow);
  try {
    await waitHealthy(url, child, 60000, () => text.slice(-4000));
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, dirs, child, stop, output: () => text };
}

/** Every descendant pid of `pid` (terminals and debuggees run in their own sessions, outside its process group). */
export function descendants(pid) {
  const r = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  const children = new Map();
  for (const line of r.stdout.split('\n')) {
    const [c, p] = line.trim().split(/\s+/).map(Number);
    if (!c) continue;
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(c);
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/**
 * Stop `child`, its process group, and every descendant (pty shells and the
 * programs they run are in sessions of their own): SIGTERM first, SIGKILL
 * whatever is left after `graceMs`.
 */
export async function killGroup(child, graceMs = 3000) {
  if (!child?.pid) return;
  const tree = [child.pid, ...descendants(child.pid)];
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* group gone */
    }
    for (const pid of tree) {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  const alive = () =>
    tree.some((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) signal('SIGKILL');
}

export const repoRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');
