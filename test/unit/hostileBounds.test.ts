// Hostile input, what stays bounded (issue #12 items 5 and 6): the runs the
// store holds, the state and time per event a stream can cost, the program
// text a row keeps, and sites. Each test failed before its fix; the cycles
// and protocol promises are in hostileInput.test.ts.
import assert from 'node:assert/strict';
import { RunState } from '../../extension/store/runState';
import { StreamReader } from '../../extension/collector/streamReader';
import { MAX_RUNS, MAX_RUNS_PER_PROGRAM, RunStore } from '../../extension/store/runStore';
import { validateEvent } from '../../extension/collector/protocol';
import type { WireEvent } from '../../contract/wire';
import { MAX_SCOPES_PER_TASK } from '../../extension/store/scopeEvents';
import { MAX_REPORTED_FILES } from '../../extension/store/reportedFiles';
import { MAX_INTERNED } from '../../extension/store/internTable';
import { treeProblems } from './treeInvariants';
import { task } from './runRows';
import { exited, hello, prologue, scope, site, spawned, state } from './wireEvents';

describe('hostile input: runs held are bounded store-wide, not per connection (#12 item 6)', () => {
  const runStarted = (run: number) => JSON.stringify({ type: 'run.started', run, ts: 0, wall: 1 });
  /** One program connection: its own reader, as Connection makes one. */
  const connection = (store: RunStore, instance: string, runs: number[]) => {
    const stream = store.openStream({ launchKey: 'k', instance });
    const warnings: string[] = [];
    const reader = new StreamReader(stream, { warn: (m) => warnings.push(m) }, instance);
    reader.setHello(hello({ instance }));
    reader.lines(runs.map(runStarted));
    return { stream, warnings };
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('ten connections (new programs and reconnects of one) of 300 runs each hold at most MAX_RUNS runs', () => {
    const store = new RunStore();
    const conns = [];
    for (let c = 0; c < 10; c++) conns.push(connection(store, c % 2 ? 'same' : `p${c}`, range(1, 300)));
    assert.equal(store.all().length, MAX_RUNS);
    assert.ok(conns.every((c) => c.stream.runs.size <= MAX_RUNS_PER_PROGRAM));
    assert.ok(conns.slice(1).every((c) => c.warnings.some((w) => /no room for more runs/.test(w))));
  });

  it('a new run pushes out the oldest run that is over; when all held runs are live, it is refused', () => {
    const store = new RunStore();
    const a = connection(store, 'a', range(1, 150));
    a.stream.disconnected('gone');
    const b = connection(store, 'b', range(1, 150));
    assert.equal(store.all().length, MAX_RUNS);
    assert.equal(store.all().filter((e) => e.state.currentStatus === 'live').length, 150);
    assert.equal(b.stream.runs.size, 150);
    const c = connection(store, 'c', range(1, 100));
    assert.equal(store.all().filter((e) => e.state.currentStatus === 'live').length, MAX_RUNS);
    assert.equal(c.stream.runs.size, 50);
    assert.ok(c.warnings.some((w) => /no room for more runs/.test(w)));
  });

  it('a run the store let go stays gone when its program reconnects (its events are not applied unseen)', () => {
    const store = new RunStore();
    const a = connection(store, 'a', [1, 2]);
    a.stream.disconnected('gone');
    connection(store, 'b', range(1, MAX_RUNS - 1)); // room for one more: the oldest run over (a's first) goes
    assert.deepEqual(
      store
        .all()
        .filter((e) => e.stream === a.stream)
        .map((e) => e.state.key),
      [a.stream.runs.get(2)!.key],
    );
    const again = connection(store, 'a', [1, 2]);
    assert.equal(again.stream, a.stream);
    assert.equal(a.stream.run(1), null);
    assert.ok(again.warnings.some((w) => /run 1 is not followed/.test(w)));
  });
});

describe('hostile input: state stays bounded, time per event too (#12 item 5)', () => {
  it('40,000 scope.changed of distinct scopes on one task: bounded scopes, linear time', () => {
    const r = new RunState('c1.r1', 'x');
    for (const e of prologue()) r.apply(e);
    const t0 = performance.now();
    let refused = 0;
    for (let i = 0; i < 40_000; i++) {
      if (r.apply(scope(100 + i, 3, 1 + i / 1000, { deadline: 5000 }))) refused++;
      if (i % 1000 === 0) r.takeDelta(); // an open panel takes a delta now and then: each copies the row's scopes
    }
    const ms = performance.now() - t0;
    const row = task(r, 3);
    assert.equal(row.scopes.length, MAX_SCOPES_PER_TASK);
    assert.deepEqual(
      row.scopes.map((x) => x.id),
      Array.from({ length: MAX_SCOPES_PER_TASK }, (_, i) => 40_100 - MAX_SCOPES_PER_TASK + i),
      'the newest kept, outer first',
    );
    assert.equal(refused, 40_000 - MAX_SCOPES_PER_TASK, 'each cut is said');
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms (about 15 s before the bound: quadratic)`);
    r.apply(exited(3, 50));
    r.apply(scope(100, 1, 51));
    assert.deepEqual(
      task(r, 1).scopes.map((x) => x.id),
      [100],
      'a scope let go belongs to no task any more',
    );
  });

  it('the files a run may open stay bounded whatever the stream names; recent ones stay openable', () => {
    const r = new RunState('c1.r1', 'x');
    for (const e of prologue()) r.apply(e);
    for (let i = 0; i < 50_000; i++) r.apply(state(3, 1 + i / 1000, 'waiting', site(7, `/src/module_${i}.py`)));
    r.apply(state(3, 60, 'waiting', site(7, '/abs/prog.py')));
    assert.ok(r.reportedFiles.size <= 2 * MAX_REPORTED_FILES, `${r.reportedFiles.size} files`);
    assert.ok(r.reportedFiles.has('/abs/prog.py'));
    assert.ok(r.reportedFiles.has('/src/module_49999.py'));
    assert.ok(!r.reportedFiles.has('/src/module_0.py'));
  });

  it("past the intern table's size a site is still copied: a parsed site's junk never reaches a snapshot", () => {
    const r = new RunState('c1.r1', 'x');
    for (const e of prologue()) r.apply(e);
    for (let i = 0; i < MAX_INTERNED + 100; i++) r.apply(state(3, 1, 'waiting', site(i)));
    const junk = JSON.parse(`{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`) as Record<string, unknown>;
    r.apply(state(3, 2, 'running', { ...site(1, '/abs/other.py'), ...junk }));
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.deepEqual(task(r, 3).awaitSite, site(1, '/abs/other.py'));
  });

  it('tasks of nurseries the store never saw opened fold without leaving a row per nursery behind', () => {
    const r = new RunState('c1.r1', 'x', { retainFinished: 10 });
    for (const e of prologue()) r.apply(e);
    for (let i = 0; i < 10_000; i++) {
      r.apply(spawned(100 + 2 * i, 101 + 2 * i, 'orphan', 1, { site: null }));
      r.apply(exited(100 + 2 * i, 2, 'raised', { error: { type: 'E', message: 'm' } }));
    }
    assert.ok(r.rows().length <= 10 + 3, `${r.rows().length} rows`);
    assert.equal(r.info().retired, 10_000 - 10);
  });

  it('a snapshot left open does not collect every id a stream names', () => {
    const r = new RunState('c1.r1', 'x');
    for (const e of [...prologue(), { type: 'snapshot.begin', run: 1, ts: 1 } as WireEvent]) r.apply(e);
    for (let i = 0; i < 100_000; i++) r.apply(state(1000 + i, 2, 'waiting'));
    // The store's own bookkeeping (no row shows it): the ids seen in the open snapshot.
    const seen = (r as unknown as { tree: { snapshotSeen: Set<number> | null } }).tree.snapshotSeen;
    assert.ok(seen && seen.size < 10, `${seen?.size} ids held`);
  });

  it('program text kept in rows and the run header is cut: one line cannot make every panel message huge', () => {
    const huge = 'x'.repeat(500_000);
    const r = new RunState('c1.r1', 'x');
    r.apply(hello({ argv: [huge, ...Array.from({ length: 10_000 }, () => 'a')], cwd: huge }));
    for (const e of prologue()) r.apply(e);
    r.apply(spawned(4, 2, huge, 1));
    r.apply(
      exited(4, 2, 'raised', {
        error: {
          type: huge,
          message: 'm',
          exceptions: Array.from({ length: 20 }, () => ({
            type: 'E',
            message: 'm',
            exceptions: Array.from({ length: 20 }, () => ({ type: 'E', message: 'm' })),
          })),
        },
      }),
    );
    r.apply({ type: 'runtime.disabled', reason: huge });
    const size = JSON.stringify({ rows: r.rows(), info: r.info() }).length;
    assert.ok(size < 50_000, `${size} characters`);
  });
});

describe('hostile input: sites (#12 item 5)', () => {
  it('a site with nested junk, or a non-string file or function, is refused with its event', () => {
    const base = { file: '/abs/p.py', line: 3, function: 'f' };
    const junk = JSON.parse(`{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`) as Record<string, unknown>;
    assert.equal(validateEvent(state(3, 1, 'running', { ...base, ...junk } as never)).ok, false);
    assert.equal(validateEvent(state(3, 1, 'running', { ...base, file: ['/a'] } as never)).ok, false);
    assert.equal(validateEvent(state(3, 1, 'running', { ...base, function: { toString: 'f' } } as never)).ok, false);
    assert.equal(validateEvent(state(3, 1, 'running', { ...base, file: `/${'x'.repeat(5000)}` })).ok, false);
    assert.equal(
      validateEvent(state(3, 1, 'running', { ...base, column: 4 } as never)).ok,
      true,
      'a scalar a later minor adds is fine',
    );
  });
});
