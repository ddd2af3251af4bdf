// What a run's tasks wait for, and the deadlock and hang verdicts the store
// draws from it (extension/store/verdicts.ts, waitGraph.ts): claimed only
// after the situation held still for a second of run time, told once, ended
// when things move.
import assert from 'node:assert/strict';
import type { WireWaits } from '../../contract/wire';
import { CONFIRM_MS } from '../../extension/store/verdicts';
import { RunStore } from '../../extension/store/runStore';
import { VerdictWatch, verdictSentence } from '../../extension/verdictWatch';
import { treeText } from '../../extension/export/treeText';
import { run, task } from './runRows';
import {
  asyncioPrologue,
  event,
  exited,
  opened,
  prologue,
  runFinished,
  scope,
  site,
  spawned,
  state,
} from './wireEvents';
import type { TaskStateEvent } from '../../contract/wire';

const waiting = (id: number, ts: number, waits: WireWaits | null): TaskStateEvent => ({
  ...state(id, ts, 'waiting'),
  waits,
});
const lock = (obj: number, holders: number[], extra: Partial<WireWaits> = {}): WireWaits => ({
  kind: 'lock',
  obj,
  label: `Lock l${obj}`,
  holders,
  ...extra,
});
const children = (nursery: number): WireWaits => ({ kind: 'children', obj: nursery, label: 'nursery' });
/** An event that changes nothing: later events make the store look again at their time. */
const tick = (ts: number) => state(1, ts, 'waiting');

/** init (1) and main (3) waiting for their nurseries' children; main's nursery 4 holds workers 5 and 6. */
function twoWorkers() {
  return [
    ...prologue(),
    opened(4, 3, 1),
    spawned(5, 4, 'w1', 2),
    spawned(6, 4, 'w2', 3),
    waiting(1, 100, children(2)),
    waiting(3, 100, children(4)),
  ];
}

describe('wait-for graph: deadlock and hang verdicts', () => {
  it('two tasks each waiting for a lock the other holds: a deadlock, claimed once it held for a second', () => {
    const r = run([
      ...twoWorkers(),
      waiting(5, 100, lock(10, [6])),
      waiting(6, 100, lock(11, [5])),
      tick(100 + CONFIRM_MS - 1),
    ]);
    assert.equal(r.info().verdict, undefined, 'not before it held still for CONFIRM_MS');
    r.apply(tick(100 + CONFIRM_MS + 5));
    const v = r.info().verdict!;
    assert.equal(v.kind, 'deadlock');
    assert.deepEqual(
      v.tasks.map((t) => [t.id, t.name, t.waits.label, t.on]),
      [
        [5, 'w1', 'Lock l10', [6]],
        [6, 'w2', 'Lock l11', [5]],
      ],
    );
    // main waits for its nursery's children, which will never finish; the init task is left out
    assert.deepEqual(
      v.behind.map((t) => t.id),
      [3],
    );
    assert.equal(v.since, 100);
    assert.equal(r.takeVerdictNews(), v, 'told once');
    assert.equal(r.takeVerdictNews(), undefined);
  });

  it('ends when things move: the verdict stays with endedAt, the run header says so', () => {
    const r = run([...twoWorkers(), waiting(5, 100, lock(10, [6])), waiting(6, 100, lock(11, [5])), tick(1500)]);
    assert.equal(r.info().verdict?.endedAt, undefined);
    r.apply(exited(6, 4000, 'cancelled', { cancel: { source: 'interrupt' } }));
    r.apply(exited(5, 4001, 'cancelled'));
    r.apply(runFinished(4100));
    assert.equal(r.info().verdict?.kind, 'deadlock');
    assert.equal(r.info().verdict?.endedAt, 4000, 'when the first of them moved');
    assert.equal(task(r, 5).waits, undefined, 'an exited task waits for nothing');
  });

  it('a recording that stays stuck until Ctrl-C has its verdict: the first event after it is claimed there', () => {
    const r = run([
      ...twoWorkers(),
      waiting(5, 100, lock(10, [6])),
      waiting(6, 100, lock(11, [5])),
      exited(6, 9000, 'cancelled'),
      runFinished(9100),
    ]);
    const v = r.info().verdict!;
    assert.equal(v.kind, 'deadlock');
    assert.equal(v.confirmedAt, 9000);
    assert.equal(v.endedAt, 9000);
  });

  it('no verdict without evidence: a deadline, a task about to run, a wait the runtime could not read', () => {
    // a deadline on the lock's holder wakes it: the other is not stuck either
    const deadline = run([
      ...twoWorkers(),
      waiting(5, 100, lock(10, [6])),
      waiting(6, 100, lock(11, [5], { until: 5000, wakes: true })),
      tick(2000),
    ]);
    assert.equal(deadline.info().verdict, undefined);
    // a task that is scheduled will run: no hang while it is
    const busy = run([...twoWorkers(), waiting(5, 100, event(10)), state(6, 100, 'scheduled'), tick(2000)]);
    assert.equal(busy.info().verdict, undefined);
    // waiting on something unknown (null): no claim
    const unknown = run([...twoWorkers(), waiting(5, 100, event(10)), waiting(6, 100, null), tick(2000)]);
    assert.equal(unknown.info().verdict, undefined);
    // one of two borrowers of a limiter is free: the waiter will get a token
    const limiter = run([
      ...twoWorkers(),
      waiting(5, 100, { kind: 'limiter', obj: 9, label: 'CapacityLimiter', holders: [6, 3] }),
      waiting(6, 100, lock(11, [5])),
      state(3, 100, 'running'),
      tick(2000),
    ]);
    assert.equal(limiter.info().verdict, undefined);
  });

  it('a sample caught mid-change is not claimed: the cycle must hold still for a second', () => {
    const r = run([
      ...twoWorkers(),
      waiting(5, 100, lock(10, [6])),
      waiting(6, 100, lock(11, [5])),
      // the next sample shows w2 got its lock after all
      state(6, 600, 'scheduled'),
      state(6, 700, 'waiting'),
      waiting(6, 700, event(12)),
      tick(1500),
    ]);
    assert.notEqual(r.info().verdict?.kind, 'deadlock');
  });

  it('waiters of one lock sampled at different moments name different holders: no deadlock from their stale edges', () => {
    // A pool queueing for one Lock, its workers sampled in turn: each names
    // the holder of its own sample, and three of them chain into a cycle
    // (5 -> 6 -> 7 -> 5) that no moment ever had: one Lock has one holder.
    const pool = [
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'worker-5', 2),
      spawned(6, 4, 'worker-6', 3),
      spawned(7, 4, 'worker-7', 4),
      spawned(8, 4, 'worker-8', 5),
      waiting(1, 100, children(2)),
      waiting(3, 100, children(4)),
      waiting(5, 100, lock(10, [6])),
      waiting(6, 150, lock(10, [7])),
      waiting(7, 200, lock(10, [5])),
    ];
    const r = run([...pool, tick(200 + 3 * CONFIRM_MS)]);
    assert.equal(r.info().verdict, undefined, 'no verdict while the waiters of lock 10 disagree');
    // Sampled again, they agree (the holder is worker-8, which runs): still none.
    for (const id of [5, 6, 7]) r.apply(waiting(id, 4000 + id, lock(10, [8])));
    r.apply(tick(4100 + CONFIRM_MS * 2));
    assert.equal(r.info().verdict, undefined);
    // A real cycle through two locks, its waiters agreeing, is still claimed.
    const d = run([
      ...pool.slice(0, -3),
      waiting(5, 100, lock(10, [6])),
      waiting(6, 100, lock(11, [5])),
      waiting(7, 100, lock(10, [6])),
      tick(100 + CONFIRM_MS + 5),
    ]);
    assert.equal(d.info().verdict?.kind, 'deadlock');
    assert.deepEqual(
      d.info().verdict!.tasks.map((t) => t.id),
      [5, 6],
    );
  });

  it('a parent holding a lock while it waits for its child, which waits for that lock: a cycle through the nursery', () => {
    const r = run([
      ...prologue(),
      waiting(1, 50, children(2)),
      opened(4, 3, 1),
      spawned(5, 4, 'child', 2),
      waiting(3, 100, children(4)),
      waiting(5, 100, lock(10, [3])),
      tick(1500),
    ]);
    const v = r.info().verdict!;
    assert.equal(v.kind, 'deadlock');
    assert.deepEqual(
      v.tasks.map((t) => [t.id, t.on]),
      [
        [3, [5]],
        [5, [3]],
      ],
    );
  });

  it('an asyncio gather is stuck while any child it still waits for is: main is behind a deadlock, though a ticker runs', () => {
    // main (1) gathers two transfers deadlocked on each other's lock (2, 3) and a ticker (4) that sleeps and wakes
    const gather = (holders: number[]): WireWaits => ({ kind: 'children', obj: 9, label: 'gather', holders });
    const r = run([
      ...asyncioPrologue(),
      spawned(2, null, 'a->b', 1, { parent: 1 }),
      spawned(3, null, 'b->a', 1, { parent: 1 }),
      spawned(4, null, 'ticker', 1, { parent: 1 }),
      waiting(1, 100, gather([2, 3, 4])),
      waiting(2, 100, lock(10, [3])),
      waiting(3, 100, lock(11, [2])),
      waiting(4, 100, { kind: 'sleep', label: 'asyncio.sleep', until: 600, wakes: true }),
      tick(1500),
    ]);
    const v = r.info().verdict!;
    assert.equal(v.kind, 'deadlock');
    assert.deepEqual(
      v.tasks.map((t) => t.id),
      [2, 3],
    );
    assert.deepEqual(
      v.behind.map((t) => [t.id, t.waits.label, t.on]),
      [[1, 'gather', [2, 3]]],
    );
  });

  it('every user task waiting on something only a task could end: a hang, naming each and what it waits for', () => {
    const r = run([
      ...twoWorkers(),
      spawned(7, null, 'run_sync_soon_task', 2, { system: true }),
      waiting(7, 100, { kind: 'io', label: 'socket', wakes: true }),
      waiting(5, 100, event(10)),
      waiting(6, 200, event(10)),
      tick(1150),
    ]);
    assert.equal(r.info().verdict, undefined, 'the last task began waiting at 200');
    r.apply(tick(1250));
    const v = r.info().verdict!;
    assert.equal(v.kind, 'hang');
    assert.deepEqual(
      v.tasks.map((t) => [t.id, t.waits.kind]),
      [
        [3, 'children'],
        [5, 'event'],
        [6, 'event'],
      ],
    );
    assert.equal(v.since, 200);
  });

  it('a verdict names at most 20 tasks and counts the rest', () => {
    const events = [...prologue(), waiting(1, 50, children(2)), opened(4, 3, 1), waiting(3, 60, children(4))];
    for (let i = 0; i < 30; i++) events.push(spawned(10 + i, 4, `w${i}`, 2), waiting(10 + i, 100, event(99)));
    const r = run([...events, tick(1500)]);
    const v = r.info().verdict!;
    assert.equal(v.tasks.length, 20);
    assert.equal(v.taskCount, 31);
  });

  it('judge() looks on the host clock while a quiet live run sends nothing', () => {
    const r = run([...twoWorkers(), waiting(5, 100, lock(10, [6])), waiting(6, 100, lock(11, [5]))]);
    assert.equal(r.judge(Date.now()), false, 'only just formed');
    assert.equal(r.judge(Date.now() + 5000), true);
    assert.equal(r.info().verdict?.kind, 'deadlock');
  });
});

describe('task waits and cancel causes in rows', () => {
  it('a task keeps what it waits for, with since, until it stops waiting', () => {
    const r = run([...twoWorkers(), waiting(5, 100, lock(10, [6])), waiting(5, 300, lock(10, [3]))]);
    assert.deepEqual(task(r, 5).waits, { kind: 'lock', obj: 10, label: 'Lock l10', holders: [3] });
    assert.equal(task(r, 5).since, 100, 'another holder: the same wait');
    r.apply(waiting(5, 400, event(11)));
    assert.equal(task(r, 5).since, 400, 'another object: waits anew');
    r.apply(state(5, 500, 'scheduled'));
    assert.equal(task(r, 5).waits, undefined, 'not waiting, waits for nothing (an older runtime sends no null)');
    r.apply(waiting(5, 600, lock(10, [6])));
    r.apply(waiting(5, 700, null));
    assert.equal(task(r, 5).waits, undefined);
  });

  it('a holder that ends is no longer named, though the waiter was sampled before it ended', () => {
    const sem = (holders: number[]): WireWaits => ({ kind: 'semaphore', obj: 12, label: 'Semaphore limit', holders });
    const r = run([...twoWorkers(), spawned(7, 4, 'w3', 4), waiting(7, 100, sem([5, 6]))]);
    r.apply(exited(6, 150));
    assert.deepEqual(task(r, 7).waits?.holders, [5], 'w2 gave it back and returned: w1 alone still holds it');
    assert.match(treeText(r.rows(), r.info()), /w3 · waiting · on Semaphore limit taken by w1 · spawned/);
    r.apply(waiting(7, 200, sem([5, 6])));
    assert.deepEqual(
      task(r, 7).waits?.holders,
      [5],
      'a sample naming a task that has ended (an older runtime) names it not',
    );
    r.apply(exited(5, 250));
    assert.deepEqual(task(r, 7).waits?.holders, [], 'no holder left');
    assert.match(treeText(r.rows(), r.info()), /w3 · waiting · on Semaphore limit · spawned/);
  });

  it('a cancelled task keeps the scope, site and exception that cancelled it; a scope its call and cause', () => {
    const r = run([
      ...twoWorkers(),
      scope(8, 3, 50, { deadline: 900, call: 'move_on_after', site: site(12) }),
      scope(8, 3, 950, { deadline: 900, cancel_called: true, cause: { source: 'deadline' } }),
      exited(5, 960, 'cancelled', {
        cancel: { source: 'nursery', by: 6, scope: 4, error: { type: 'ValueError', message: 'bad url' } },
      }),
      exited(6, 970, 'cancelled', { cancel: { source: 'explicit', by: 3, site: site(30), reason: 'shutting down' } }),
    ]);
    assert.deepEqual(task(r, 3).scopes[0], {
      id: 8,
      deadline: 900,
      shield: false,
      cancelCalled: true,
      site: site(12),
      call: 'move_on_after',
      cause: { source: 'deadline' },
    });
    const five = task(r, 5);
    assert.deepEqual(
      [five.cancelSource, five.cancelledBy, five.cancelScope, five.cancelError],
      ['nursery', 6, 4, { type: 'ValueError', message: 'bad url' }],
    );
    const six = task(r, 6);
    assert.deepEqual(
      [six.cancelSource, six.cancelledBy, six.cancelSite, six.cancelReason],
      ['explicit', 3, site(30), 'shutting down'],
    );
  });
});

describe('VerdictWatch: a quiet live run is looked at on a timer, each verdict told once', () => {
  it('logs the deadlock once, in words, and tells the panel', () => {
    const store = new RunStore();
    const stream = store.openStream({ launchKey: 'k', instance: 'i', argv: ['/abs/dl.py'] });
    const r = stream.run(1)!;
    for (const e of [...twoWorkers(), waiting(5, 100, lock(10, [6])), waiting(6, 100, lock(11, [5]))]) r.apply(e);
    const logged: string[] = [];
    let told = 0;
    store.onDidChange((e) => {
      if (e.kind === 'changed') told++;
    });
    const watch = new VerdictWatch(store, { warn: (m) => logged.push(m) }, 60_000);
    try {
      watch.tick(Date.now());
      assert.deepEqual(logged, []);
      watch.tick(Date.now() + 5000);
      watch.tick(Date.now() + 6000);
      assert.deepEqual(logged, [
        'dl.py: deadlock: w1 waits for Lock l10 held by w2; w2 waits for Lock l11 held by w1 (nothing moved since 100 ms into the run). Stuck behind it: main.',
      ]);
      assert.equal(told, 1);
    } finally {
      watch.dispose();
    }
  });

  it('an awaited task labelled by its own name is named once ("boss waits for task clerk"); by a variable, it follows', () => {
    const verdict = (label: string) =>
      verdictSentence({
        kind: 'deadlock',
        tasks: [
          { id: 5, name: 'boss', waits: { kind: 'task', label, holders: [6] }, on: [6] },
          { id: 6, name: 'clerk', waits: { kind: 'lock', label: 'Lock ledger', holders: [5] }, on: [5] },
        ],
        behind: [],
        taskCount: 2,
        behindCount: 0,
        since: 100,
        confirmedAt: 1100,
      });
    assert.equal(
      verdict('task clerk'),
      'deadlock: boss waits for task clerk; clerk waits for Lock ledger held by boss (nothing moved since 100 ms into the run).',
    );
    assert.match(verdict('task helper'), /^deadlock: boss waits for task helper: clerk;/); // (a variable's name: the panel's words)
  });
});
