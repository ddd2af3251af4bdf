// An asyncio deadlock (issue #15), end to end below the panel: a real asyncio
// program whose two tasks each wait for the other runs under the real runtime
// (as a debug launch would), talks to the real collector, and the extension's
// verdict watch says deadlock, naming both tasks and main stuck behind them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';
import { VerdictWatch } from '../../extension/verdictWatch';
import { startCollector, waitFor, type Harness } from '../unit/collectorHarness';

const root = join(__dirname, '..', '..');
const python = join(root, '.venv', 'bin', 'python');
const bootstrapDir = join(root, 'runtime', 'python', 'bootstrap');

describe('integration: an asyncio deadlock is told (real Python + asyncio → collector → store)', function () {
  this.timeout(60_000);
  let h: Harness;
  let watch: VerdictWatch;
  const told: string[] = [];
  before(function () {
    if (!existsSync(python)) throw new Error('.venv/bin/python is missing: run npm install');
  });
  beforeEach(async () => {
    told.length = 0;
    h = await startCollector();
    watch = new VerdictWatch(h.store, { warn: (m) => told.push(m) }, 100);
  });
  afterEach(async () => {
    watch.dispose();
    await h.close();
  });

  it('asyncio_deadlock.py: two tasks waiting for each other are a deadlock, main is stuck behind them', async () => {
    const { env } = await instrumentLaunch(
      { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
      { label: 'asyncio deadlock', kind: 'debug', sampleHz: 10 },
    );
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
    const child = spawn(python, [join(__dirname, 'programs', 'asyncio_deadlock.py')], {
      env: full,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const state = (await waitFor('the run', () => h.store.all()[0], 10_000)).state;
      const v = await waitFor('a verdict', () => state.info().verdict, 15_000);
      assert.equal(v.kind, 'deadlock');
      assert.deepEqual(
        v.tasks.map((t) => [t.name, t.waits.kind, t.waits.label]),
        [
          ['settle ledger', 'future', 'asyncio.wait'],
          ['settle audit', 'future', 'asyncio.wait'],
        ],
      );
      assert.deepEqual(v.tasks[0].on, [v.tasks[1].id]);
      assert.deepEqual(v.tasks[1].on, [v.tasks[0].id]);
      assert.ok(v.confirmedAt - v.since >= 1000, 'claimed only after a second of nothing moving');
      assert.deepEqual(
        v.behind.map((t) => [t.name, t.waits.label]),
        [['Task-1', 'gather']], // asyncio.run's main task,
      );
      await waitFor('the log line', () => told.length === 1);
      assert.match(told[0], /deadlock: settle ledger waits for asyncio\.wait held by settle audit; /);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
    assert.equal(stderr.includes('internal error'), false, stderr);
    assert.equal(stderr.includes('RecursionError'), false, stderr);
  });
});
