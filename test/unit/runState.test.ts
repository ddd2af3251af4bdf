// The RunState reducer: the tree it builds from wire events, task states,
// outcomes, start() and moves, flags, and who cancelled whom.
import assert from 'node:assert/strict';
import type { NurseryRow, TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { byId, nursery, run, task } from './runRows';
import { closed, exited, hello, moved, opened, prologue, scope, site, spawned, state } from './wireEvents';

describe('RunState reducer', () => {
  it('builds init → system nursery → main, and a user nursery with children', () => {
    const r = run([
      hello(),
      ...prologue(),
      opened(4, 3, 1, { site: site(7) }),
      spawned(5, 4, 'fetch', 1.1),
      spawned(6, 4, 'fetch', 1.2),
    ]);
    const rows = byId(r.rows());
    assert.equal((rows.get(1) as TaskRow).parent, null);
    assert.equal((rows.get(1) as TaskRow).system, true);
    assert.equal((rows.get(2) as NurseryRow).parent, 1);
    assert.equal((rows.get(3) as TaskRow).main, true);
    assert.equal((rows.get(4) as NurseryRow).parent, 3);
    assert.deepEqual((rows.get(4) as NurseryRow).site, site(7));
    assert.equal((rows.get(5) as TaskRow).parent, 4);
    assert.equal((rows.get(6) as TaskRow).state, 'scheduled');
    const info = r.info();
    assert.equal(info.status, 'live');
    assert.equal(info.liveTasks, 4);
    assert.equal(info.totalTasks, 4);
    assert.equal(info.pid, 4242);
    assert.equal(info.runtimeVersion, '0.27.0');
    assert.deepEqual(info.argv, ['/abs/prog.py']);
    assert.equal(info.wall, 1_700_000_000_000);
  });

  it('task.state sets state, since and await site; absent `at` keeps it, null clears it', () => {
    const r = run([...prologue(), state(3, 5, 'waiting', site(30)), state(3, 6, 'waiting')]);
    assert.equal(task(r, 3).state, 'waiting');
    assert.equal(task(r, 3).since, 5, 'since only moves when the state changes');
    assert.deepEqual(task(r, 3).awaitSite, site(30));
    r.apply(state(3, 7, 'running', null));
    assert.equal(task(r, 3).since, 7);
    assert.equal(task(r, 3).awaitSite, null);
    assert.ok(r.reportedFiles.has('/abs/prog.py'));
  });

  it('records outcomes and errors, and ignores samples after an exit', () => {
    const err = { type: 'ValueError', message: 'bad url' };
    const r = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'ok', 1),
      spawned(6, 4, 'boom', 1),
      exited(5, 2),
      exited(6, 3, 'raised', { error: err }),
      state(6, 4, 'running'),
    ]);
    assert.equal(task(r, 5).state, 'returned');
    assert.equal(task(r, 5).exitedAt, 2);
    assert.equal(task(r, 6).state, 'raised');
    assert.equal(task(r, 6).since, 3);
    assert.deepEqual(task(r, 6).error, err);
    assert.equal(r.info().liveTasks, 2);
  });

  it('start(): a task in the temporary nursery is `starting`, then task.moved reparents it', () => {
    const r = run([...prologue(), opened(4, 3, 1), opened(5, 3, 2, { start: true }), spawned(6, 5, 'server', 2.1)]);
    assert.equal(task(r, 6).starting, true);
    assert.equal(task(r, 6).parent, 5);
    assert.equal(nursery(r, 5).start, true);
    r.apply(moved(6, 4, 3));
    assert.equal(task(r, 6).parent, 4);
    assert.equal(task(r, 6).starting, undefined);
    r.apply(closed(5, 3.1));
    assert.equal(byId(r.rows()).has(5), false, 'an emptied start nursery is removed once closed');
    const d = r.takeDelta()!;
    assert.ok(d.remove.includes(5));
  });

  it('a task.moved into the nursery the task is already in changes nothing (its nursery keeps it as a child)', () => {
    const r = run([
      ...prologue(),
      opened(5, 3, 2, { start: true }),
      spawned(6, 5, 'server', 2.1),
      moved(6, 5, 3),
      closed(5, 3.1),
    ]);
    assert.equal(task(r, 6).parent, 5);
    assert.ok(byId(r.rows()).has(5), 'the nursery of a live task stays');
  });

  it('protocol 1.2: task.flagged marks the task once, with the exception nobody retrieved', () => {
    const flag = (id: number, f: 'pending_at_close' | 'exception_never_retrieved', ts: number): WireEvent => ({
      type: 'task.flagged',
      run: 1,
      ts,
      id,
      flag: f,
      ...(f === 'exception_never_retrieved' ? { error: { type: 'ValueError', message: 'lost' } } : {}),
    });
    const r = run([
      hello(),
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'loose', 1.1),
      spawned(6, 4, 'pending', 1.2),
      exited(5, 2, 'raised', { error: { type: 'ValueError', message: 'lost' } }),
      flag(5, 'exception_never_retrieved', 3),
      flag(5, 'exception_never_retrieved', 3.5),
      flag(6, 'pending_at_close', 4),
      flag(99, 'pending_at_close', 4),
    ]);
    assert.deepEqual(task(r, 5).flags, ['exception_never_retrieved'], 'a repeated flag is kept once');
    assert.deepEqual(task(r, 5).unretrieved, { type: 'ValueError', message: 'lost' });
    assert.deepEqual(task(r, 6).flags, ['pending_at_close']);
    assert.equal(task(r, 6).state, 'scheduled', 'a pending task is not made finished by its flag');
    assert.equal(byId(r.rows()).get(99), undefined, 'a flag for an unknown task creates nothing');
  });

  it('protocol 1.2: task.spawned.func reaches the row (the kind of task the panel folds by); absent, the row has none', () => {
    const func = { file: '/abs/prog.py', line: 40, function: 'worker' };
    const r = run([
      hello(),
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'worker-0', 1.1, { func }),
      spawned(6, 4, 'worker-1', 1.2),
    ]);
    assert.deepEqual(task(r, 5).func, func);
    assert.equal('func' in task(r, 6), false, 'a row copy holds only the optional fields that are set');
    // A snapshot replay that now knows the function upserts it.
    r.apply(spawned(6, 4, 'worker-1', 1.2, { func }));
    assert.deepEqual(task(r, 6).func, func);
  });

  it('cancelledBy comes from the wire `cancel.by` first', () => {
    const r = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1),
      spawned(6, 4, 'b', 1),
      exited(5, 2, 'cancelled', { cancel: { source: 'explicit', by: 3, reason: 'cancel() called' } }),
    ]);
    const t = task(r, 5);
    assert.equal(t.cancelledBy, 3);
    assert.equal(t.cancelSource, 'explicit');
    assert.equal(t.cancelReason, 'cancel() called');
  });

  it('infers cancelledBy: a sibling raised earlier, also for tasks deeper below', () => {
    const r = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'fails', 1),
      spawned(6, 4, 'sibling', 1),
      spawned(7, 4, 'parent', 1),
      opened(8, 7, 1.5),
      spawned(9, 8, 'grandchild', 1.6),
      exited(5, 2, 'raised', { error: { type: 'OSError', message: 'x' } }),
      exited(6, 2.1, 'cancelled'),
      exited(9, 2.2, 'cancelled', { cancel: { source: 'nursery' } }),
    ]);
    assert.equal(task(r, 6).cancelledBy, 5);
    assert.equal(task(r, 9).cancelledBy, 5);
    assert.equal(task(r, 5).cancelledBy, undefined);
  });

  it('does not infer a canceller for deadline cancels or when nothing raised before', () => {
    const r = run([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1),
      spawned(6, 4, 'b', 1),
      spawned(7, 4, 'c', 1),
      exited(5, 2, 'cancelled'),
      exited(6, 3, 'raised', { error: { type: 'E', message: '' } }),
      exited(7, 4, 'cancelled', { cancel: { source: 'deadline' } }),
    ]);
    assert.equal(task(r, 5).cancelledBy, undefined, 'nothing had raised yet');
    assert.equal(task(r, 7).cancelledBy, undefined, 'a deadline is not a sibling failure');
  });

  it('tracks cancel scopes per task, outer first, and drops them on close and exit', () => {
    const r = run([...prologue(), scope(11, 3, 1, { deadline: 500 }), scope(10, 3, 1, { shield: true })]);
    assert.deepEqual(
      task(r, 3).scopes.map((s) => s.id),
      [10, 11],
    );
    assert.equal(task(r, 3).scopes[1].deadline, 500);
    r.apply(scope(11, 3, 2, { deadline: 500, cancel_called: true, reason: 'deadline exceeded' }));
    assert.deepEqual(task(r, 3).scopes[1], {
      id: 11,
      deadline: 500,
      shield: false,
      cancelCalled: true,
      reason: 'deadline exceeded',
    });
    r.apply({ type: 'scope.closed', run: 1, ts: 3, id: 10 });
    assert.deepEqual(
      task(r, 3).scopes.map((s) => s.id),
      [11],
    );
    r.apply(exited(3, 4, 'cancelled'));
    assert.deepEqual(task(r, 3).scopes, []);
  });
});
