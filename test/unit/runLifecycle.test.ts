// The RunState reducer over a run's life: how it ends, drops lines, is
// disabled, disconnects and reconnects (snapshots), and the deltas it hands on.
import assert from 'node:assert/strict';
import type { TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { nursery, run, task } from './runRows';
import { closed, exited, opened, prologue, runFinished, site, spawned, state } from './wireEvents';

describe('RunState reducer: ends, drops and reconnects', () => {
  it('nursery.closed, dropped, runtime.disabled and run.finished', () => {
    const r = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1),
      exited(5, 2),
      closed(4, 2.5),
      { type: 'dropped', run: 1, ts: 3, count: 7, total: 7 },
      { type: 'dropped', run: 1, ts: 4, count: 3, total: 10 },
      { type: 'runtime.disabled', reason: 'internal error: boom' },
      exited(3, 5, 'raised', { error: { type: 'KeyError', message: "'x'" } }),
      runFinished(6, 'raised', { error: { type: 'KeyError', message: "'x'" } }),
    ]);
    assert.equal(nursery(r, 4).closedAt, 2.5);
    const info = r.info();
    assert.equal(info.dropped, 10);
    assert.equal(info.status, 'finished');
    assert.equal(info.outcome, 'raised');
    assert.deepEqual(info.error, { type: 'KeyError', message: "'x'" });
    assert.ok(info.problems.some((p) => p.includes('internal error: boom')));
    assert.equal(info.clock.ts, 6);
  });

  it('a runtime.disabled naming the run (1.2): that run says so and its run.finished closes what it still shows live', () => {
    const r = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1),
      {
        type: 'runtime.disabled',
        run: 1,
        ts: 2,
        reason: 'run 1 is not observed from here on: NotImplementedError() at /abs/clock.py:9 in current_time',
      },
      runFinished(6),
    ]);
    const info = r.info();
    assert.ok(info.problems.some((p) => p.includes('/abs/clock.py:9')));
    assert.equal(info.status, 'finished');
    assert.equal(task(r, 5).state, 'lost', 'not seen to finish: the runtime stopped looking');
    assert.equal(nursery(r, 4).closedAt, 6);
  });

  it('disconnection keeps live tasks as they were and says so', () => {
    const r = run([...prologue(), state(3, 1, 'waiting', site(40))]);
    r.markDisconnected('The program disconnected before its run finished.');
    const info = r.info();
    assert.equal(info.status, 'disconnected');
    assert.ok(info.problems[0].includes('disconnected'));
    assert.equal(task(r, 3).state, 'waiting');
    assert.equal(info.liveTasks, 2);
  });

  it('a program stopped after 20 s of quiet ends when its connection did, not at its last event (and so does its history)', () => {
    // A hung program sends nothing: stopped 20 s later, its waits lasted 20 s, not the 190 ms to its last event.
    const r = run([...prologue(), state(3, 190, 'waiting', site(40))]);
    const before = r.info().clock.ts;
    assert.equal(before, 190);
    r.markDisconnected('the program stopped', Date.now() + 20_000);
    const info = r.info();
    assert.equal(info.status, 'disconnected');
    assert.ok(Math.abs(info.clock.ts - 20_190) < 50, `the run's end ${info.clock.ts}`);
    const h = r.history!;
    assert.ok(Math.abs(h.timeOf(h.length) - 20_190) < 50, 'the timeline ends there too');
    const replayed = h.stateAt(h.length)!.state;
    assert.equal(replayed.info().clock.ts, info.clock.ts, 'a replay of the history ends at the same moment');
    assert.equal(replayed.info().status, 'disconnected');
  });

  it('snapshot after a reconnect: replayed things are upserts, missing live tasks become lost', () => {
    const r = run([...prologue(), opened(4, 3, 1), spawned(5, 4, 'a', 1), spawned(6, 4, 'b', 1), opened(7, 6, 1.2)]);
    r.markDisconnected('lost connection');
    for (const e of [
      { type: 'run.started', run: 1, ts: 10, wall: 1, resumed: true },
      { type: 'snapshot.begin', run: 1, ts: 10 },
      spawned(1, null, '<init>', 0.01, { system: true }),
      opened(2, 1, 0.02, { system: true, site: null }),
      spawned(3, 2, 'main', 0.03, { main: true }),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1),
      state(5, 10, 'waiting', site(50)),
      { type: 'snapshot.end', run: 1, ts: 10 },
    ] satisfies WireEvent[])
      r.apply(e);
    const info = r.info();
    assert.equal(info.status, 'live');
    assert.equal(info.totalTasks, 4, 'replayed tasks are not counted twice');
    assert.equal(info.wall, 1_700_000_000_000, 'a resumed run keeps its start time');
    assert.equal(task(r, 6).state, 'lost');
    assert.equal(task(r, 5).state, 'waiting');
    assert.equal(nursery(r, 7).closedAt, 10, 'a nursery not replayed was closed meanwhile');
    assert.equal(info.liveTasks, 3);
  });

  it('protocol 1.1: a snapshot right after `dropped` on the same connection heals the tree', () => {
    const r = run([...prologue(), opened(4, 3, 1), spawned(5, 4, 'a', 1), spawned(6, 4, 'b', 1)]);
    // Lost lines: the exit of 5 and the spawn of 7 never arrived.
    for (const e of [
      { type: 'dropped', run: 1, ts: 20, count: 2, total: 2 },
      { type: 'snapshot.begin', run: 1, ts: 20 },
      spawned(1, null, '<init>', 0.01, { system: true }),
      opened(2, 1, 0.02, { system: true, site: null }),
      spawned(3, 2, 'main', 0.03, { main: true }),
      opened(4, 3, 1),
      spawned(6, 4, 'b', 1),
      spawned(7, 4, 'c', 15),
      { type: 'snapshot.end', run: 1, ts: 20 },
    ] satisfies WireEvent[])
      r.apply(e);
    const info = r.info();
    assert.equal(info.status, 'live');
    assert.equal(info.dropped, 2);
    assert.equal(task(r, 5).state, 'lost', 'its exit was among the dropped lines');
    assert.equal(task(r, 7).parent, 4, 'a task spawned while lines were lost appears');
    assert.equal(info.totalTasks, 5);
    assert.equal(info.liveTasks, 4);
  });

  it('deltas carry changed rows once, and copies that do not change later', () => {
    const r = run(prologue());
    const first = r.takeDelta()!;
    assert.deepEqual(first.upsert.map((x) => x.id).sort(), [1, 2, 3]);
    assert.deepEqual(first.remove, []);
    assert.equal(r.takeDelta(), null);
    r.apply(state(3, 1, 'running'));
    r.apply(state(3, 2, 'waiting'));
    const d = r.takeDelta()!;
    assert.equal(d.upsert.length, 1);
    assert.equal((d.upsert[0] as TaskRow).state, 'waiting');
    r.apply(state(3, 3, 'running'));
    assert.equal((d.upsert[0] as TaskRow).state, 'waiting', 'a delta row is a copy');
    const snap = r.rows();
    r.apply(exited(3, 4));
    assert.equal((snap.find((x) => x.id === 3) as TaskRow).state, 'running', 'a snapshot row is a copy');
  });
});
