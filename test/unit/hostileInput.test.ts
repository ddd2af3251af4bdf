// Hostile input, one finding of issue #12 ("Hardening") per test: what a
// process on the same machine, or a malformed recording a colleague shares,
// could do to the tree and what the panel would get: cycles refused, protocol
// promises kept. Each test failed before its fix. What stays bounded is in
// hostileBounds.test.ts; the random and mutated streams are in fuzz.test.ts.
import assert from 'node:assert/strict';
import { RunState } from '../../extension/store/runState';
import { StreamReader } from '../../extension/collector/streamReader';
import { validateEvent } from '../../extension/collector/protocol';
import type { TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { treeProblems } from './treeInvariants';
import { closed, exited, hello, moved, opened, prologue, runFinished, spawned, state, type Ev } from './wireEvents';

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
