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
import type { RunState } from '../../extension/store/runState';

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

  /** Runs `program` as a debug launch would, until `check` is done with the run; then Ctrl-C. */
  async function watching(program: string, check: (state: RunState) => Promise<void>): Promise<void> {
    const { env } = await instrumentLaunch(
      { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
      { label: 'asyncio deadlock', kind: 'debug', sampleHz: 10 },
    );
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
    const child = spawn(python, [program], { env: full, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const state = (await waitFor('the run', () => h.store.all()[0], 10_000)).state;
      await check(state);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
    assert.equal(stderr.includes('internal error'), false, stderr);
    assert.equal(stderr.includes('RecursionError'), false, stderr);
  }

  it('asyncio_deadlock.py (test program): two tasks waiting for each other are a deadlock, main is stuck behind them', async () => {
    await watching(join(__dirname, 'programs', 'asyncio_deadlock.py'), async (state) => {
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
        [['__main__.main', 'gather']], // asyncio.run's main task (asyncio calls it Task-1)
      );
      await waitFor('the log line', () => told.length === 1);
      assert.match(told[0], /deadlock: settle ledger waits for asyncio\.wait held by settle audit; /);
    });
  });

  it('examples/asyncio_deadlock.py: two transfers, two asyncio Locks, each held by the other: a deadlock; the auditor runs on', async () => {
    await watching(join(root, 'examples', 'asyncio_deadlock.py'), async (state) => {
      const v = await waitFor('a verdict', () => state.info().verdict, 15_000);
      assert.equal(v.kind, 'deadlock');
      assert.deepEqual(
        v.tasks.map((t) => [t.name, t.waits.kind, t.waits.label]),
        [
          ['transfer alice->bob', 'lock', 'Lock dst.lock'],
          ['transfer bob->alice', 'lock', 'Lock dst.lock'],
        ],
      );
      // each holds the lock the other waits for
      assert.deepEqual(v.tasks[0].waits.holders, [v.tasks[1].id]);
      assert.deepEqual(v.tasks[1].waits.holders, [v.tasks[0].id]);
      assert.notEqual(v.tasks[0].waits.obj, v.tasks[1].waits.obj);
      // main waits at the end of its TaskGroup for children two of which never finish
      assert.deepEqual(
        v.behind.map((t) => [t.name, t.waits.kind, t.waits.label]),
        [['__main__.main', 'children', 'TaskGroup']],
      );
      const auditor = state.rows().find((r) => r.kind === 'task' && r.name === 'auditor');
      assert.ok(auditor && auditor.kind === 'task' && auditor.exitedAt === undefined, 'the auditor is alive');
      await waitFor('the log line', () => told.length === 1);
      assert.match(told[0], /deadlock: transfer alice->bob waits for Lock dst\.lock held by transfer bob->alice; /);
    });
  });
});
