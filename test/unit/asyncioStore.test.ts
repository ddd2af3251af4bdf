// The store on protocol 1.2 streams (asyncio and AnyIO): which library a run
// uses, task groups by kind, loose tasks under the task that made them, scope
// kinds and sites, and what retention and cancel inference do with loose tasks.
import assert from 'node:assert/strict';
import type { RetiredRow, TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { Lifelines } from '../../extension/store/lifelines';
import { RunState } from '../../extension/store/runState';
import { KEPT_LOOSE_FAILURES } from '../../extension/store/retention';
import { byId, nursery, run, task } from './runRows';
import {
  asyncioPrologue,
  closed,
  exited,
  flagged,
  hello,
  opened,
  prologue,
  runFinished,
  runStarted,
  scope,
  site,
  spawned,
  state,
} from './wireEvents';

describe('RunState on asyncio and AnyIO runs (protocol 1.2)', () => {
  it('says which library runs the run, its version, and AnyIO when the run went through it', () => {
    const plain = run(asyncioPrologue()).info();
    assert.equal(plain.library, 'asyncio');
    assert.equal(plain.libraryVersion, '3.12.3');
    assert.equal(plain.anyio, undefined);
    const anyio = run([
      hello({ minor: 2 }),
      runStarted(1, { library: 'trio', library_version: '0.30.0', anyio: '4.9.0' }),
    ]).info();
    assert.equal(anyio.library, 'trio');
    assert.equal(anyio.libraryVersion, '0.30.0');
    assert.equal(anyio.anyio, '4.9.0');
    // A 1.1 runtime names no library: the run is Trio's, at the hello's version.
    const old = run([hello(), ...prologue()]).info();
    assert.equal(old.library, 'trio');
    assert.equal(old.libraryVersion, '0.27.0');
  });

  it('a TaskGroup is a nursery of its kind, owned by the task that opened it; its tasks belong to it', () => {
    const r = run([
      ...asyncioPrologue(),
      opened(2, 1, 1, { kind: 'taskgroup', site: site(12) }),
      spawned(3, 2, 'fetch(a)', 1.1),
      spawned(4, 2, 'fetch(b)', 1.2),
      opened(5, 1, 2, { kind: 'anyio' }),
      opened(6, 1, 3, { kind: 'nursery' }),
      opened(7, 1, 4),
    ]);
    assert.equal(task(r, 1).parent, null, 'the main task is a root');
    assert.equal(task(r, 1).loose, undefined, 'and not loose');
    assert.equal(nursery(r, 2).groupKind, 'taskgroup');
    assert.equal(nursery(r, 2).parent, 1);
    assert.deepEqual(nursery(r, 2).site, site(12));
    assert.equal(task(r, 3).parent, 2);
    assert.equal(task(r, 3).loose, undefined);
    assert.equal(nursery(r, 5).groupKind, 'anyio');
    assert.equal(nursery(r, 6).groupKind, undefined, 'a Trio nursery carries no kind');
    assert.equal(nursery(r, 7).groupKind, undefined, 'absent kind: a Trio nursery');
  });

  it('a loose task hangs under the task that made it; with its maker unknown it is a root', () => {
    const r = run([
      ...asyncioPrologue(),
      opened(2, 1, 1, { kind: 'taskgroup' }),
      spawned(3, 2, 'worker', 1.1),
      spawned(4, null, 'heartbeat', 1.2, { parent: 1, site: site(30) }),
      spawned(5, null, 'audit', 1.3, { parent: 3, site: site(40, '/abs/prog.py', 'worker') }),
      spawned(6, null, 'orphan', 1.4, { parent: 99 }),
      spawned(7, null, 'from_callback', 1.5),
      spawned(8, null, 'shutdown_default_executor', 9, { system: true }),
      spawned(9, null, 'self_made', 1.6, { parent: 9 }),
    ]);
    assert.equal(task(r, 4).parent, 1);
    assert.equal(task(r, 4).loose, true);
    assert.deepEqual(task(r, 4).site, site(30));
    assert.equal(task(r, 5).parent, 3, 'under the worker that made it, not its task group');
    assert.equal(task(r, 5).loose, true);
    assert.equal(task(r, 6).parent, null, 'an unknown maker: a root');
    assert.equal(task(r, 6).loose, true, 'still loose');
    assert.equal(task(r, 7).parent, null);
    assert.equal(task(r, 7).loose, true, 'made from a callback: no task group owns it');
    assert.equal(task(r, 8).loose, undefined, "asyncio's own task is system, not loose");
    assert.equal(task(r, 8).system, true);
    assert.equal(task(r, 9).parent, null, 'a task naming itself as maker is a root');
    assert.equal(r.info().liveTasks, 8);
  });

  it('a snapshot replay keeps a loose task under its maker', () => {
    const r = run([...asyncioPrologue(), spawned(2, null, 'bg', 1, { parent: 1 })]);
    r.markDisconnected('lost');
    for (const e of [
      runStarted(1, { ts: 5, resumed: true, library: 'asyncio' }),
      { type: 'snapshot.begin', run: 1, ts: 5 },
      spawned(1, null, 'main', 0.01, { main: true, site: null }),
      spawned(2, null, 'bg', 1, { parent: 1 }),
      { type: 'snapshot.end', run: 1, ts: 5 },
    ] satisfies WireEvent[])
      r.apply(e);
    assert.equal(task(r, 2).parent, 1);
    assert.equal(task(r, 2).loose, true);
    assert.equal(task(r, 2).state, 'scheduled');
    assert.equal(r.info().totalTasks, 2);
  });

  it('scopes keep their kind and site; a report without a site keeps the one before', () => {
    const r = run([
      ...asyncioPrologue(),
      scope(10, 1, 1, { deadline: 1300, kind: 'timeout', site: site(12) }),
      scope(11, 1, 1.1, { deadline: 2000, kind: 'wait_for', site: null }),
      scope(12, 1, 1.2, { shield: true, kind: 'shield' }),
      scope(13, 1, 1.3, { deadline: 900, kind: 'cancel_scope' }),
      scope(10, 1, 1.4, { deadline: 1300, cancel_called: true, kind: 'timeout' }),
    ]);
    const [timeout, waitFor, shield, plain] = task(r, 1).scopes;
    assert.equal(timeout.kind, 'timeout');
    assert.deepEqual(timeout.site, site(12), 'unchanged since its first report');
    assert.equal(timeout.cancelCalled, true);
    assert.equal(waitFor.kind, 'wait_for');
    assert.equal(waitFor.site, undefined, 'no user frame: no site');
    assert.equal(shield.kind, 'shield');
    assert.equal(shield.shield, true);
    assert.equal(plain.kind, undefined, "a Trio cancel scope's kind is left out");
  });

  it('a failing TaskGroup child names the siblings it cancelled, never a loose task made in the group', () => {
    const r = run([
      ...asyncioPrologue(),
      opened(2, 1, 1, { kind: 'taskgroup' }),
      spawned(3, 2, 'bad', 1.1),
      spawned(4, 2, 'sibling', 1.2),
      spawned(5, null, 'bg', 1.3, { parent: 4 }),
      opened(6, 5, 1.4, { kind: 'taskgroup' }),
      spawned(7, 6, 'bg_child', 1.5),
      exited(3, 2, 'raised', { error: { type: 'ValueError', message: 'bad row' } }),
      exited(4, 2.1, 'cancelled', { cancel: { source: 'nursery' } }),
      exited(7, 2.2, 'cancelled', { cancel: { source: 'unknown' } }),
      exited(5, 2.3, 'cancelled', { cancel: { source: 'unknown' } }),
    ]);
    assert.equal(task(r, 4).cancelledBy, 3);
    assert.equal(task(r, 5).cancelledBy, undefined, "a loose task is not cancelled by its maker's group");
    assert.equal(task(r, 7).cancelledBy, undefined, 'nor is what it owns');
  });

  it('keeps the shutdown cancel source, and flags on a task that never finished', () => {
    const r = run([
      ...asyncioPrologue(),
      spawned(2, null, 'bg', 1, { parent: 1 }),
      spawned(3, null, 'forgotten', 1.1, { parent: 1 }),
      spawned(4, null, 'failed', 1.2, { parent: 1 }),
      exited(1, 5),
      exited(2, 5.1, 'cancelled', { cancel: { source: 'shutdown' } }),
      exited(4, 1.5, 'raised', { error: { type: 'ValueError', message: 'nobody looked' } }),
      flagged(3, 'pending_at_close', 6),
      flagged(4, 'exception_never_retrieved', 6, { type: 'ValueError', message: 'nobody looked' }),
      runFinished(6.1),
    ]);
    assert.equal(task(r, 2).cancelSource, 'shutdown');
    assert.equal(task(r, 2).cancelledBy, undefined);
    assert.deepEqual(task(r, 3).flags, ['pending_at_close']);
    assert.equal(task(r, 3).state, 'scheduled', 'still not finished');
    assert.deepEqual(task(r, 4).unretrieved, { type: 'ValueError', message: 'nobody looked' });
    assert.equal(r.info().liveTasks, 0, 'a task pending when its loop closed can never run again: not live');
  });

  it("a task pending at its loop's close leaves the live count and the timeline's curve once, whatever follows", () => {
    const events = [
      ...asyncioPrologue(),
      spawned(2, null, 'forgotten', 1.1, { parent: 1 }),
      spawned(3, null, 'worker', 1.2, { parent: 1 }),
      exited(1, 5),
      flagged(2, 'pending_at_close', 6),
      flagged(3, 'pending_at_close', 6),
      flagged(2, 'pending_at_close', 6.05), // said twice: counted once
      exited(3, 6.1), // a malformed stream: an exit after the close is not counted again
      runFinished(6.2),
    ];
    const state = new RunState('k', 'asyncio run');
    const lines = new Lifelines();
    const live: number[] = [];
    for (const e of events) {
      state.apply(e);
      state.drainChanges((row) => lines.observe(row, state.now));
      live.push(state.info().liveTasks);
    }
    assert.deepEqual(live.slice(-6), [2, 1, 0, 0, 0, 0], 'main exits, then each pending task leaves at its flag');
    assert.deepEqual([lines.curveT.at(-1), lines.curveN.at(-1)], [6, 0], 'the curve is at 0 from the close on');
    assert.ok(lines.curveN.every((n) => n >= 0));
  });

  it("counts the library's own system tasks apart, so the panel can leave out the ones it hides", () => {
    const counts = (r: RunState) => {
      const i = r.info();
      return [i.liveTasks, i.totalTasks, i.systemLive, i.systemTotal];
    };
    const r = run([
      ...asyncioPrologue(),
      spawned(2, null, 'worker', 1.1, { parent: 1 }),
      spawned(8, null, 'shutdown_default_executor', 2, { system: true }),
      spawned(9, null, 'shutdown_asyncgens', 2.1, { system: true }),
    ]);
    assert.deepEqual(counts(r), [4, 4, 2, 2]);
    r.apply(exited(8, 2.2));
    r.apply(exited(2, 2.3));
    assert.deepEqual(counts(r), [2, 4, 1, 2], 'an ended system task leaves both live counts');
    r.apply(flagged(9, 'pending_at_close', 3));
    assert.deepEqual(counts(r), [1, 4, 0, 2], 'as does one pending when its loop closed');
  });

  it("the timeline's live-task curve counts the program's tasks, not the library's system tasks", () => {
    const state = new RunState('k', 'asyncio run');
    const lines = new Lifelines();
    for (const e of [
      ...asyncioPrologue(),
      spawned(2, null, 'worker', 1.1, { parent: 1 }),
      spawned(8, null, 'shutdown_default_executor', 2, { system: true }),
      exited(2, 2.1),
      exited(8, 2.2),
      flagged(1, 'pending_at_close', 3),
    ] satisfies WireEvent[]) {
      state.apply(e);
      state.drainChanges((row) => lines.observe(row, state.now));
    }
    assert.equal(Math.max(...lines.curveN), 2, 'main and the worker at most');
    assert.deepEqual([lines.curveT.at(-1), lines.curveN.at(-1)], [3, 0]);
  });

  it('retention folds finished loose tasks into a retired row under their maker', () => {
    const events: WireEvent[] = [...asyncioPrologue()];
    for (let id = 10; id < 40; id++) events.push(spawned(id, null, 'handler', id, { parent: 1 }), exited(id, id + 0.5));
    const r = run(events, { retainFinished: 10 });
    const rows = byId(r.rows());
    const retired = rows.get(-1) as RetiredRow;
    assert.equal(retired.parent, 1, 'under main, which made them');
    assert.equal(retired.count, 20);
    assert.equal(retired.byOutcome.returned, 20);
    assert.equal([...rows.values()].filter((x) => x.kind === 'task' && x.parent === 1).length, 10);
    assert.equal(r.info().retired, 20);
  });

  it('a loose task that raised stays past the bound, so its "never retrieved" flag, coming at the end, finds it', () => {
    const boom = { error: { type: 'RuntimeError', message: 'background sync lost its connection' } };
    const events: WireEvent[] = [...asyncioPrologue()];
    events.push(spawned(5, null, 'flaky_background', 1, { parent: 1 }), exited(5, 3, 'raised', boom));
    // thousands of fetches finish after it (in a TaskGroup of main's), far past the bound
    events.push(opened(2, 1, 1, { kind: 'taskgroup' }));
    for (let id = 10; id < 60; id++) events.push(spawned(id, 2, 'fetch', id), exited(id, id + 0.5));
    // a loose task that returned folds as before
    events.push(spawned(6, null, 'tick', 4, { parent: 1 }), exited(6, 4.5));
    for (let id = 60; id < 80; id++) events.push(spawned(id, 2, 'fetch', id), exited(id, id + 0.5));
    events.push(flagged(5, 'exception_never_retrieved', 90, boom.error));
    const r = run(events, { retainFinished: 10 });
    const rows = byId(r.rows());
    assert.equal(task(r, 5).state, 'raised', 'still a row of its own');
    assert.deepEqual(task(r, 5).flags, ['exception_never_retrieved']);
    assert.equal(task(r, 5).unretrieved?.message, 'background sync lost its connection');
    assert.equal(rows.get(6), undefined, 'the loose task that returned folded');
    assert.equal((rows.get(-1) as RetiredRow).byOutcome.returned, 1);
  });

  it("a loose task that raised stays when the short-lived task that made it folds (a handler's fire-and-forget)", () => {
    const boom = { error: { type: 'OSError', message: 'audit log unreachable' } };
    const events: WireEvent[] = [...asyncioPrologue(), opened(2, 1, 1, { kind: 'taskgroup' })];
    events.push(spawned(3, 2, 'handler', 1.1), spawned(5, null, 'audit', 1.2, { parent: 3 }), exited(3, 1.3));
    events.push(exited(5, 2, 'raised', boom));
    for (let id = 10; id < 50; id++) events.push(spawned(id, 2, 'fetch', id), exited(id, id + 0.5));
    events.push(flagged(5, 'exception_never_retrieved', 90, boom.error));
    const r = run(events, { retainFinished: 10 });
    assert.equal(byId(r.rows()).get(3), undefined, 'the handler folded');
    assert.equal(task(r, 5).state, 'raised', 'its failed loose task did not');
    assert.deepEqual(task(r, 5).flags, ['exception_never_retrieved']);
  });

  it('raised loose tasks beyond KEPT_LOOSE_FAILURES fold, the oldest first', () => {
    const events: WireEvent[] = [...asyncioPrologue()];
    const n = 10 + KEPT_LOOSE_FAILURES + 5; // the bound, the kept failures, and five more
    for (let id = 10; id < 10 + n; id++)
      events.push(
        spawned(id, null, 'handler', id, { parent: 1 }),
        exited(id, id + 0.5, 'raised', { error: { type: 'E', message: '' } }),
      );
    const r = run(events, { retainFinished: 10 });
    const rows = byId(r.rows());
    assert.equal((rows.get(-1) as RetiredRow).byOutcome.raised, 5);
    assert.equal(rows.get(10), undefined, 'the oldest folded');
    assert.equal(task(r, 9 + n).state, 'raised', 'the newest stay');
  });

  it('a loose task that outlives its maker stays when its maker folds, as a root, and folds later', () => {
    const r = run(
      [
        ...asyncioPrologue(),
        opened(2, 1, 1, { kind: 'taskgroup' }),
        spawned(3, 2, 'handler', 1.1),
        spawned(4, null, 'background', 1.2, { parent: 3 }),
        spawned(5, null, 'quick', 1.3, { parent: 3 }),
        exited(5, 1.4),
        state(4, 1.5, 'waiting', site(50)),
        exited(3, 2),
        spawned(6, 2, 'later', 3),
        exited(6, 3.1),
      ],
      { retainFinished: 1 },
    );
    let rows = byId(r.rows());
    assert.equal(rows.has(3), false, 'the handler folded');
    assert.equal(rows.has(5), false, 'with the loose task it made that was over');
    const bg = rows.get(4) as TaskRow;
    assert.equal(bg.state, 'waiting', 'the live one stays, not counted lost');
    assert.equal(bg.parent, null, 'as a root: its maker is no longer shown');
    assert.equal(bg.loose, true);
    assert.equal((rows.get(-2) as RetiredRow).count, 2, 'handler and quick');
    assert.equal((rows.get(-2) as RetiredRow).byOutcome.lost, 0);
    assert.equal(r.info().liveTasks, 2);
    r.apply(exited(4, 4));
    r.apply(spawned(7, 2, 'last', 5));
    r.apply(exited(7, 5.1));
    rows = byId(r.rows());
    assert.equal(rows.has(4), false, 'over at last, it folds too');
    assert.equal(r.info().liveTasks, 1);
    assert.equal(r.info().retired, 4);
  });

  it('a delta tells the panel when a live loose task loses its folded maker', () => {
    const r = run(
      [
        ...asyncioPrologue(),
        opened(2, 1, 1, { kind: 'taskgroup' }),
        spawned(3, 2, 'handler', 1.1),
        spawned(4, null, 'background', 1.2, { parent: 3 }),
      ],
      { retainFinished: 0 },
    );
    r.takeDelta();
    r.apply(exited(3, 2));
    const d = r.takeDelta()!;
    assert.deepEqual(d.remove, [3]);
    const bg = d.upsert.find((x) => x.id === 4) as TaskRow;
    assert.equal(bg.parent, null);
    r.apply(closed(2, 3));
    assert.equal(nursery(r, 2).closedAt, 3);
  });
});
