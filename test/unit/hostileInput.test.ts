// Hostile input, one finding of issue #12 ("Hardening") per test: what a
// process on the same machine, or a malformed recording a colleague shares,
// could do to the store and what the panel would get. Each test failed before
// its fix. The random and mutated streams are in fuzz.test.ts.
import assert from 'node:assert/strict';
import { RunState } from '../../extension/store/runState';
import { StreamReader } from '../../extension/collector/streamReader';
import { MAX_RUNS, MAX_RUNS_PER_PROGRAM, RunStore } from '../../extension/store/runStore';
import { validateEvent } from '../../extension/collector/protocol';
import type { TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { MAX_SCOPES_PER_TASK } from '../../extension/store/scopeEvents';
import { MAX_REPORTED_FILES } from '../../extension/store/reportedFiles';
import { MAX_INTERNED } from '../../extension/store/internTable';
import { treeProblems } from './treeInvariants';
import {
  closed,
  exited,
  hello,
  moved,
  opened,
  prologue,
  runFinished,
  scope,
  site,
  spawned,
  state,
  type Ev,
} from './wireEvents';

function run(events: (WireEvent | Ev)[]): { r: RunState; refused: string[] } {
  const r = new RunState('c1.r1', 'prog.py');
  const refused: string[] = [];
  for (const e of events) {
    const why = r.apply(e as WireEvent);
    if (why) refused.push(why);
  }
  return { r, refused };
}
const taskRow = (r: RunState, id: number) => r.rows().find((x) => x.id === id) as TaskRow | undefined;

describe('hostile input: the store never hands the panel a cycle (#12 item 2)', () => {
  it('three events that would close a loop of system rows: the last is refused, and said', () => {
    // Task 10 in nursery 20 (not opened yet), nursery 21 of task 10, then nursery 20 owned by task 10's child.
    const { r, refused } = run([
      ...prologue(),
      spawned(10, 20, 'a', 1, { system: true }),
      opened(21, 10, 1, { system: true }),
      spawned(11, 21, 'b', 1, { system: true }),
      opened(20, 11, 1, { system: true }),
    ]);
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.equal(refused.length, 1);
    assert.match(refused[0], /cycle/);
    assert.ok(
      r.info().problems.some((p) => /cycle/.test(p)),
      r.info().problems.join('; '),
    );
  });

  it('task.moved into its own subtree is refused; the task stays where it was', () => {
    const { r, refused } = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'child', 1),
      opened(6, 5, 1),
      spawned(7, 6, 'grandchild', 1),
      moved(3, 6, 2),
      moved(5, 6, 2),
    ]);
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.equal(refused.length, 2);
    assert.equal(taskRow(r, 3)!.parent, 2);
    assert.equal(taskRow(r, 5)!.parent, 4);
  });

  it('a task spawned (again, as a snapshot does) into a nursery its descendant owns is refused', () => {
    const { r, refused } = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'child', 1),
      opened(6, 5, 1),
      { type: 'snapshot.begin', run: 1, ts: 2 },
      spawned(3, 6, 'main', 2),
      { type: 'snapshot.end', run: 1, ts: 2 },
    ]);
    assert.deepEqual(
      refused.map((x) => /cycle/.test(x)),
      [true],
    );
    assert.deepEqual(treeProblems(r.rows()), []);
  });

  it('a task or nursery that names itself, or a task where a nursery belongs, is refused', () => {
    const { r, refused } = run([
      ...prologue(),
      spawned(8, 8, 'self', 1),
      spawned(9, 3, 'under a task', 1),
      opened(10, 10, 1),
      opened(11, 2, 1),
    ]);
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.equal(refused.length, 4);
    assert.equal(r.info().totalTasks, 2);
  });

  it('a loose task hangs under its maker, but a replay that would hang the maker under it is refused', () => {
    const { r, refused } = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(10, 4, 'maker', 1),
      spawned(11, null, 'loose', 1, { parent: 10 }),
      { type: 'snapshot.begin', run: 1, ts: 2 },
      spawned(10, null, 'maker', 2, { parent: 11 }),
      { type: 'snapshot.end', run: 1, ts: 2 },
    ]);
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.equal(taskRow(r, 11)!.parent, 10);
    assert.deepEqual(
      refused.map((x) => /cycle/.test(x)),
      [true],
    );
  });

  it('cancel.by that would make two tasks cancel each other keeps the exit and drops the link', () => {
    const { r, refused } = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1),
      spawned(6, 4, 'b', 1),
      spawned(7, 4, 'c', 1),
      exited(5, 2, 'cancelled', { cancel: { source: 'explicit', by: 6 } }),
      exited(7, 2, 'cancelled', { cancel: { source: 'explicit', by: 7 } }),
      exited(6, 3, 'cancelled', { cancel: { source: 'explicit', by: 5 } }),
    ]);
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.equal(refused.length, 2);
    assert.equal(taskRow(r, 5)!.cancelledBy, 6);
    assert.equal(taskRow(r, 6)!.state, 'cancelled');
    assert.equal(taskRow(r, 6)!.cancelledBy, undefined);
    assert.equal(taskRow(r, 7)!.cancelledBy, undefined);
  });

  it('one id for a task and a nursery is refused', () => {
    const { r, refused } = run([...prologue(), opened(3, 1, 1), spawned(2, null, 'x', 1)]);
    assert.deepEqual(treeProblems(r.rows()), []);
    assert.equal(refused.length, 2);
  });

  it('the reader logs what the store refused, once per kind', () => {
    const warnings: string[] = [];
    const state = new RunState('c1.r1', 'x');
    const reader = new StreamReader({ run: () => state }, { warn: (m) => warnings.push(m) }, 'conn');
    reader.setHello(hello());
    reader.lines([...prologue(), moved(3, 3, 1), moved(1, 2, 1)].map((e) => JSON.stringify(e)));
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0], /task\.moved event refused: .*task where a nursery belongs/);
    assert.match(warnings[1], /task\.moved event refused: .*cycle/);
  });
});

describe('hostile input: protocol promises kept (#12 item 6)', () => {
  it('dropped, then run.finished: what is still live is lost, open nurseries close (PROTOCOL.md, snapshots)', () => {
    const { r } = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'w', 1),
      state(5, 1.5, 'waiting'),
      { type: 'dropped', run: 1, ts: 2, count: 40, total: 40 },
      runFinished(9),
    ]);
    const rows = r.rows();
    assert.deepEqual(
      rows.filter((x) => x.kind === 'task' && x.exitedAt === undefined).map((x) => x.id),
      [],
    );
    assert.deepEqual(
      rows.filter((x) => x.kind === 'nursery' && x.closedAt === undefined).map((x) => x.id),
      [],
    );
    assert.equal(taskRow(r, 5)!.state, 'lost');
    assert.equal(r.info().liveTasks, 0);
  });

  it('without lost lines, run.finished leaves a task that never exited as it was (pending at close)', () => {
    const { r } = run([...prologue(), opened(4, 3, 1), spawned(5, 4, 'w', 1), runFinished(9)]);
    assert.equal(taskRow(r, 5)!.state, 'scheduled');
  });

  it('a snapshot after the drop heals it: run.finished then closes nothing', () => {
    const { r } = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'w', 1),
      { type: 'dropped', run: 1, ts: 2, count: 1, total: 1 },
      { type: 'snapshot.begin', run: 1, ts: 3 },
      spawned(1, null, '<init>', 3, { system: true }),
      opened(2, 1, 3),
      spawned(3, 2, 'main', 3),
      opened(4, 3, 3),
      spawned(5, 4, 'w', 3),
      { type: 'snapshot.end', run: 1, ts: 3 },
      runFinished(9),
    ]);
    assert.equal(taskRow(r, 5)!.state, 'scheduled');
  });

  it('events after run.finished do not revive the run', () => {
    const { r, refused } = run([
      ...prologue(),
      exited(3, 5),
      runFinished(6),
      { type: 'run.started', run: 1, ts: 7, wall: 1 },
      spawned(20, 2, 'zombie', 8),
      state(1, 9, 'running'),
      closed(2, 9),
    ]);
    assert.equal(r.info().status, 'finished');
    assert.equal(refused.length, 4);
    assert.equal(taskRow(r, 20), undefined);
    assert.equal(r.info().totalTasks, 2);
    assert.equal(taskRow(r, 1)!.state, 'scheduled');
  });

  it('a negative nursery id, or an id past 2^53 - 1, is not a valid event (they made duplicate row ids)', () => {
    assert.equal(validateEvent(spawned(5, -3, 'neg', 1)).ok, false);
    assert.equal(validateEvent(spawned(2 ** 53, 2, 'big', 1)).ok, false);
    assert.equal(
      validateEvent(JSON.parse('{"type":"task.exited","run":1,"ts":1,"id":9007199254740993,"outcome":"returned"}')).ok,
      false,
    );
    assert.equal(validateEvent(spawned(2 ** 53 - 1, 2 ** 53 - 2, 'largest', 1, { site: null })).ok, true);
    // Through the reader, as a connection feeds it (no retention, so a finished task folds into its nursery's row, id -nursery).
    const state = new RunState('c1.r1', 'x', { retainFinished: 0 });
    const reader = new StreamReader({ run: () => state }, { warn: () => undefined }, 'conn');
    reader.lines([
      ...[...prologue(), spawned(4, -3, 'a', 1), exited(4, 2)].map((e) => JSON.stringify(e)),
      '{"type":"nursery.opened","run":1,"ts":3,"id":9007199254740992,"task":3,"site":null}',
      '{"type":"task.spawned","run":1,"ts":3,"id":9007199254740993,"name":"b","nursery":2,"system":false,"site":null}',
    ]);
    assert.deepEqual(treeProblems(state.rows()), []);
  });
});

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
    const row = taskRow(r, 3)!;
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
      taskRow(r, 1)!.scopes.map((x) => x.id),
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
    assert.deepEqual(taskRow(r, 3)!.awaitSite, site(1, '/abs/other.py'));
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
