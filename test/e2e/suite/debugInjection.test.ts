// Debug configuration injection, observed where it matters: the `launch`
// request the debug adapter (real debugpy, through the test-only shim)
// receives from VS Code.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import * as vscode from 'vscode';
import { activeExtension } from './activation.test';

const python = process.env.NURSERY_LENS_E2E_PYTHON || 'python3';

type LaunchArgs = { env?: Record<string, string | null>; [k: string]: unknown };

/** Run one debug session to its end; return the arguments of its `launch` request. */
async function launchAndFinish(config: Partial<vscode.DebugConfiguration>): Promise<LaunchArgs> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-suite-'));
  const program = join(dir, 'hello.py');
  writeFileSync(program, 'print("hello from the suite")\n');
  const name = `suite ${Math.random().toString(16).slice(2, 8)}`;
  let launch: LaunchArgs | undefined;
  const tracker = vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
    createDebugAdapterTracker(session) {
      if (session.name !== name) return undefined;
      return {
        onWillReceiveMessage(m: { command?: string; arguments?: LaunchArgs }) {
          if (m.command === 'launch') launch = m.arguments;
        },
      };
    },
  });
  try {
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.name === name) {
          sub.dispose();
          resolve();
        }
      });
    });
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
      type: 'debugpy',
      request: 'launch',
      name,
      program,
      python,
      console: 'internalConsole',
      justMyCode: true,
      ...config,
    });
    assert.equal(started, true, 'vscode.debug.startDebugging refused the configuration');
    await Promise.race([
      ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error('debug session did not end within 45 s')), 45000)),
    ]);
  } finally {
    tracker.dispose();
  }
  assert.ok(launch, 'the debug adapter never received a launch request');
  return launch;
}

function nurseryLensEnv(args: LaunchArgs): {
  v: number;
  address: string;
  secret: string;
  options: Record<string, unknown>;
} {
  const raw = args.env?.NURSERY_LENS;
  assert.equal(typeof raw, 'string', 'launch request carries no NURSERY_LENS environment variable');
  return JSON.parse(raw as string);
}

describe('debug configuration injection (debugpy)', function () {
  this.timeout(120000);
  before(async () => {
    await activeExtension();
  });

  it('gives a Python debug session NURSERY_LENS (v1, loopback address, secret) and the bootstrap on PYTHONPATH', async () => {
    const args = await launchAndFinish({ env: { KEEP_ME: 'yes' } });
    const cfg = nurseryLensEnv(args);
    assert.equal(cfg.v, 1);
    assert.match(cfg.secret, /^[0-9a-f]{16,}$/);
    assert.ok(
      /^127\.0\.0\.1:\d+$/.test(cfg.address) || cfg.address.startsWith(sep),
      `unexpected address ${cfg.address}`,
    );
    const pythonPath = String(args.env?.PYTHONPATH ?? '');
    assert.ok(
      pythonPath.split(/[:;]/).some((p) => p.replace(/[\\/]+$/, '').endsWith(join('runtime', 'python', 'bootstrap'))),
      `PYTHONPATH does not hold the bootstrap folder: ${pythonPath}`,
    );
    assert.equal(args.env?.KEEP_ME, 'yes', "the user's own env entries must survive the injection");
  });

  it('gives every launch its own secret', async () => {
    const a = nurseryLensEnv(await launchAndFinish({}));
    const b = nurseryLensEnv(await launchAndFinish({}));
    assert.notEqual(a.secret, b.secret);
  });

  it('leaves debug sessions untouched when nurseryLens.instrumentDebugSessions is off', async () => {
    const settings = vscode.workspace.getConfiguration('nurseryLens');
    await settings.update('instrumentDebugSessions', false, vscode.ConfigurationTarget.Global);
    try {
      const args = await launchAndFinish({});
      assert.equal(args.env?.NURSERY_LENS, undefined);
    } finally {
      await settings.update('instrumentDebugSessions', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
