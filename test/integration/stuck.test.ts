// Why is it stuck (issue #15), end to end below the panel: the deadlock and
// hang examples (Trio and asyncio) and an asyncio deadlock run as real programs under the
// real runtime (as a debug launch would), talk to the real collector, and the
// extension's verdict watch says so while they are stuck, once, in the log;
// the run header carries the verdict until the program is stopped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';
import { VerdictWatch } from '../../extension/verdictWatch';
import { startCollector, waitFor, type Harness } from '../unit/collectorHarness';
import type { Verdict } from '../../contract/rows';
import type { RunState } from '../../extension/store/runState';

const root = join(__dirname, '..', '..');
const python = join(root, '.venv', 'bin', 'python');
const bootstrapDir = join(root, 'runtime', 'python', 'bootstrap');
const example = (name: string) => join(root, 'examples', name);

describe('integration: a stuck program is told stuck (real Python + Trio or asyncio → collector → store → verdict watch)', function () {
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

  /**
   * Runs the program at `path` (in its folder) as a debug launch would, until
   * the store judges it stuck; `check` reads the verdict and the run. Ctrl-C
   * stops the program whatever `check` found; then its stderr must show no
   * internal error of the runtime. Returns that stderr and the run.
   */
  async function launchStuck(
    path: string,
    label: string,
    check: (v: Verdict, state: RunState) => Promise<void>,
  ): Promise<{ stderr: string; state: RunState }> {
    const { env } = await instrumentLaunch(
      { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
      { label, kind: 'debug', sampleHz: 10 },
    );
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
    const child = spawn(python, [path], {
      env: full,
      cwd: dirname(path),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let state: RunState;
    try {
      state = (await waitFor('the run', () => h.store.all()[0], 10_000)).state;
      await check(await waitFor('a verdict', () => state.info().verdict, 15_000), state);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
    assert.equal(stderr.includes('internal error'), false, stderr);
    return { stderr, state };
  }

  it('deadlock.py: the deadlock is claimed while it runs, named in the log once, and ends when Ctrl-C stops it', async () => {
    const { state } = await launchStuck(example('deadlock.py'), 'Deadlock', async (v, state) => {
      assert.equal(v.kind, 'deadlock');
      assert.deepEqual(
        v.tasks.map((t) => [t.name, t.waits.label]),
        [
          ['transfer alice->bob', 'Lock bob.lock'],
          ['transfer bob->alice', 'Lock alice.lock'],
        ],
      );
      assert.deepEqual(v.tasks[0].on, [v.tasks[1].id]);
      assert.ok(v.confirmedAt - v.since >= 1000, 'claimed only after a second of nothing moving');
      assert.equal(state.info().status, 'live');
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(
        told,
        [
          'Deadlock: deadlock: transfer alice->bob waits for Lock bob.lock held by transfer bob->alice; ' +
            `transfer bob->alice waits for Lock alice.lock held by transfer alice->bob (nothing moved since ${v.since < 1000 ? `${Math.round(v.since)} ms` : `${(v.since / 1000).toFixed(1)} s`} into the run). Stuck behind it: __main__.main.`,
        ],
        'told once',
      );
    });
    await waitFor('the run to end', () => state.info().status !== 'live', 10_000);
    const after = state.info().verdict!;
    assert.equal(after.kind, 'deadlock');
    assert.ok(after.endedAt !== undefined, 'the tasks moved when Ctrl-C cancelled them');
    const transfer = state.rows().find((r) => r.kind === 'task' && r.name === 'transfer alice->bob');
    assert.equal(transfer?.kind === 'task' && transfer.cancelSource, 'interrupt');
  });

  it('hang.py: every task waits on an Event nobody sets: a hang, not a deadlock', async () => {
    await launchStuck(example('hang.py'), 'Hang', async (v) => {
      assert.equal(v.kind, 'hang');
      assert.deepEqual(v.tasks.map((t) => `${t.name}: ${t.waits.label}`).sort(), [
        '__main__.main: nursery',
        'worker-0: Event state.ready',
        'worker-1: Event state.ready',
        'worker-2: Event state.ready',
      ]);
      await waitFor('the log line', () => told.length === 1);
      assert.match(told[0], /^Hang: hung: every task waits and nothing can wake them: /);
    });
  });

  it('asyncio_deadlock.py: two asyncio tasks waiting for each other are a deadlock, main is stuck behind them', async () => {
    const { stderr } = await launchStuck(
      join(__dirname, 'programs', 'asyncio_deadlock.py'),
      'asyncio deadlock',
      async (v) => {
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
        assert.match(
          told[0],
          /deadlock: settle ledger waits for asyncio\.wait done by settle audit; /,
          "joined as the panel joins a future's holder",
        );
      },
    );
    assert.equal(stderr.includes('RecursionError'), false, stderr);
  });

  it('asyncio_deadlock.py (example): two transfers, two asyncio Locks, each held by the other: a deadlock; the auditor runs on', async () => {
    await launchStuck(example('asyncio_deadlock.py'), 'asyncio deadlock example', async (v, state) => {
      assert.equal(v.kind, 'deadlock');
      assert.deepEqual(
        v.tasks.map((t) => [t.name, t.waits.kind, t.waits.label]),
        [
          ['transfer alice->bob', 'lock', 'Lock bob.lock'],
          ['transfer bob->alice', 'lock', 'Lock alice.lock'],
        ],
      );
      // each holds the lock the other waits for (asyncio records no owner: the runtime does)
      assert.deepEqual(v.tasks[0].waits.holders, [v.tasks[1].id]);
      assert.deepEqual(v.tasks[1].waits.holders, [v.tasks[0].id]);
      assert.notEqual(v.tasks[0].waits.obj, v.tasks[1].waits.obj);
      // main waits at the end of its TaskGroup for children two of which never finish
      assert.deepEqual(
        v.behind.map((t) => [t.name, t.waits.kind, t.waits.label]),
        [['__main__.main', 'children', 'TaskGroup']],
      );
      const auditor = state.rows().find((r) => r.kind === 'task' && r.name === 'auditor');
      assert.ok(auditor?.kind === 'task' && auditor.exitedAt === undefined, 'the auditor is alive');
      await waitFor('the log line', () => told.length === 1);
      assert.match(told[0], /deadlock: transfer alice->bob waits for Lock bob\.lock held by transfer bob->alice; /);
    });
  });
});
