// The real thing end to end: the repo's .venv Python runs real Trio programs
// with the real runtime (bootstrap + NURSERY_LENS exactly as the debug
// provider builds them, or `python -m nursery_lens --connect`), which talk to
// the real collector over a real socket into the store.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';
import type { NurseryRow, Row, TaskRow } from '../../contract/rows';
import type { RunState } from '../../extension/store/runState';
import { startCollector, waitFor, type Harness } from '../unit/collectorHarness';

const root = join(__dirname, '..', '..');
const python = join(root, '.venv', 'bin', 'python');
const bootstrapDir = join(root, 'runtime', 'python', 'bootstrap');
const program = (name: string) => join(__dirname, 'programs', name);

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

/** Children still running when a test ends (it failed half-way): killed, or mocha would wait for them. */
const running = new Set<ChildProcess>();

function run(args: string[], env: Record<string, string | null>, stdin = false): Proc {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
  const child = spawn(python, args, { env: full, cwd: root, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) =>
      child.on('exit', (code) => {
        running.delete(child);
        resolve(code);
      }),
    ),
  };
  running.add(child);
  child.stdout!.on('data', (d) => {
    p.stdout += d;
  });
  child.stderr!.on('data', (d) => {
    p.stderr += d;
  });
  return p;
}

async function launchEnv(h: Harness, label: string) {
  return instrumentLaunch(
    { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
    { label, kind: 'debug', sampleHz: 10 },
  );
}

const tasksByName = (rows: Row[]) =>
  new Map(rows.filter((r): r is TaskRow => r.kind === 'task').map((t) => [t.name, t]));

function assertTreeProgram(state: RunState): void {
  const rows = state.rows();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const t = tasksByName(rows);
  const main = [...t.values()].find((x) => x.main)!;
  assert.ok(main, 'a main task');
  assert.equal(main.state, 'returned');
  const outer = byId.get(t.get('alpha')!.parent!) as NurseryRow;
  assert.equal(outer.kind, 'nursery');
  assert.equal(outer.parent, main.id, 'the outer nursery belongs to main');
  assert.equal(t.get('beta')!.parent, outer.id);
  assert.equal(t.get('srv')!.parent, outer.id, 'the start()ed task moved into the target nursery');
  assert.equal(t.get('srv')!.starting, undefined);
  assert.equal(t.get('alpha')!.state, 'returned');
  const failer = t.get('failer')!;
  const sleeper = t.get('sleeper')!;
  assert.equal(failer.state, 'raised');
  assert.equal(failer.error?.type, 'ValueError');
  assert.equal(failer.error?.message, 'boom');
  assert.equal(sleeper.state, 'cancelled');
  assert.equal(sleeper.cancelledBy, failer.id, 'the sibling failure cancelled it');
  assert.equal(failer.parent, sleeper.parent);
  assert.notEqual(failer.parent, outer.id);
  assert.ok(failer.site?.file.endsWith('tree.py'));
  const info = state.info();
  assert.equal(info.status, 'finished');
  assert.equal(info.outcome, 'returned');
  assert.equal(info.liveTasks, 0);
  assert.equal(info.runtime, 'trio');
}

describe('integration: real Python + Trio → real collector → store', function () {
  this.timeout(60_000);
  let h: Harness;
  before(function () {
    if (!existsSync(python)) throw new Error('.venv/bin/python is missing: run npm install');
  });
  afterEach(async () => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
    await h?.close();
  });

  it("a debug-style launch (bootstrap on PYTHONPATH + NURSERY_LENS) gives the program's tree", async () => {
    h = await startCollector();
    const { env } = await launchEnv(h, 'Python: tree');
    const p = run([program('tree.py')], env);
    assert.equal(await p.exit, 0, p.stderr);
    const entry = await waitFor(
      'the run to finish',
      () => h.store.all().find((e) => e.state.info().status === 'finished'),
      10_000,
    );
    assert.equal(entry.state.info().label, 'Python: tree');
    assertTreeProgram(entry.state);
    assert.deepEqual(
      h.log.lines.filter((l) => l.startsWith('warn') || l.startsWith('error')),
      [],
      'no protocol problems',
    );
  });

  it('`python -m nursery_lens --connect ADDRESS prog.py` works too', async () => {
    h = await startCollector();
    const launch = h.launches.create('cli', 'terminal');
    const p = run(['-m', 'nursery_lens', '--connect', h.address, program('tree.py')], {
      NURSERY_LENS: JSON.stringify({ v: 1, secret: launch.secret }),
    });
    assert.equal(await p.exit, 0, p.stderr);
    const entry = await waitFor(
      'the run to finish',
      () => h.store.all().find((e) => e.state.info().status === 'finished'),
      10_000,
    );
    assertTreeProgram(entry.state);
  });

  it('two programs at once stay apart', async () => {
    h = await startCollector();
    const a = await launchEnv(h, 'A');
    const b = await launchEnv(h, 'B');
    const pa = run([program('tree.py')], a.env);
    const pb = run([program('many.py'), '2000'], b.env);
    assert.equal(await pa.exit, 0, pa.stderr);
    assert.equal(await pb.exit, 0, pb.stderr);
    await waitFor(
      'both finished',
      () => h.store.all().length === 2 && h.store.all().every((e) => e.state.info().status === 'finished'),
      10_000,
    );
    const byLabel = new Map(h.store.all().map((e) => [e.state.info().label, e.state]));
    assertTreeProgram(byLabel.get('A')!);
    const many = byLabel.get('B')!.info();
    assert.equal(many.totalTasks, 2000 + 3, '2000 ticks + init, run_sync_soon task, main');
    assert.ok(!tasksByName(byLabel.get('B')!.rows()).has('failer'));
  });

  it('refuses a wrong secret (the program still runs to the end)', async () => {
    h = await startCollector();
    const { env } = await launchEnv(h, 'x');
    const wrong = JSON.parse(env.NURSERY_LENS!);
    wrong.secret = '00'.repeat(32);
    const p = run([program('tree.py')], { ...env, NURSERY_LENS: JSON.stringify(wrong) });
    assert.equal(await p.exit, 0, p.stderr);
    await waitFor('the refusal in the log', () => h.log.count(/wrong secret/) === 1);
    assert.equal(h.store.all().length, 0);
  });

  for (const [name, kase, expect] of [
    ['a wrong protocol version', 'wrong-version', /speaks protocol 2, this extension knows 1/],
    ['a line over 1 MiB', 'long-line', /longer than 1048576 bytes/],
    ['random bytes', 'random-bytes', /first line is not JSON|longer than 1048576 bytes/],
  ] as const) {
    it(`survives ${name}: logged once, connection closed, the collector keeps serving`, async () => {
      h = await startCollector();
      const launch = h.launches.create('bad', 'terminal');
      const bad = run([program('raw_client.py'), h.address, kase, launch.secret], {});
      assert.equal(await bad.exit, 0, bad.stderr);
      assert.match(bad.stdout, /DONE/);
      assert.equal(h.log.count(expect), 1, h.log.lines.join('\n'));
      const { env } = await launchEnv(h, 'good');
      const good = run([program('tree.py')], env);
      assert.equal(await good.exit, 0, good.stderr);
      const entry = await waitFor(
        'the good run',
        () => h.store.all().find((e) => e.state.info().label === 'good' && e.state.info().status === 'finished'),
        10_000,
      );
      assertTreeProgram(entry.state);
      if (kase === 'long-line') {
        const badRun = h.store.all().find((e) => e.state.info().label === 'bad')!;
        assert.equal(badRun.state.info().status, 'disconnected');
        assert.equal(badRun.state.info().totalTasks, 2, 'what came before the long line is kept');
      }
    });
  }

  it('100 connections at once, while a real program runs', async () => {
    h = await startCollector();
    const launch = h.launches.create('crowd', 'terminal');
    const crowd = run([program('raw_client.py'), h.address, 'many', launch.secret], {}, true);
    const { env } = await launchEnv(h, 'real');
    const real = run([program('tree.py')], env);
    await waitFor(
      '100 runs',
      () =>
        h.store.all().filter((e) => e.state.info().label.startsWith('crowd')).length === 100 &&
        h.store.all().every((e) => e.state.info().totalTasks >= 2),
      20_000,
    );
    assert.equal(await real.exit, 0, real.stderr);
    const entry = await waitFor(
      'the real run',
      () => h.store.all().find((e) => e.state.info().label === 'real' && e.state.info().status === 'finished'),
      10_000,
    );
    assertTreeProgram(entry.state);
    const names = new Set(
      h.store
        .all()
        .flatMap((e) => [...tasksByName(e.state.rows()).keys()])
        .filter((n) => n.startsWith('main-')),
    );
    assert.equal(names.size, 100, 'each connection kept its own run');
    assert.equal(h.log.count(/program pid 1\d{5} \(crowd/), 100, 'each connection is in the log');
    crowd.child.stdin!.end('\n');
    assert.equal(await crowd.exit, 0, crowd.stderr);
    await waitFor(
      'all disconnected',
      () => h.store.all().filter((e) => e.state.info().status === 'disconnected').length === 100,
    );
  });

  it('a program killed mid-run: its run is marked disconnected and keeps every task it reported', async () => {
    h = await startCollector();
    const { env } = await launchEnv(h, 'doomed');
    const p = run([program('forever.py')], env);
    await waitFor('READY', () => p.stdout.includes('READY'), 15_000);
    const entry = await waitFor('five waiters', () => {
      const e = h.store.all()[0];
      return e && [...tasksByName(e.state.rows()).keys()].filter((n) => n.startsWith('waiter-')).length === 5
        ? e
        : undefined;
    });
    const before = entry.state.info().totalTasks;
    p.child.kill('SIGKILL');
    await p.exit;
    await waitFor('disconnected', () => entry.state.info().status === 'disconnected');
    const info = entry.state.info();
    assert.equal(info.totalTasks, before);
    assert.ok(info.problems.some((m) => /disconnected/.test(m)));
    const waiters = [...tasksByName(entry.state.rows()).values()].filter((t) => t.name.startsWith('waiter-'));
    assert.equal(waiters.length, 5);
    for (const w of waiters)
      assert.ok(['waiting', 'scheduled', 'running'].includes(w.state), `${w.name} stays as it was (${w.state})`);
    assert.equal(h.log.count(/disconnected with its run still live/), 1, h.log.lines.join('\n'));
  });
});
