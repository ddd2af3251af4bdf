// The store's lints (issue #17): what each lint finds on a stream of wire
// events, the words it says, the marks it puts on rows, and what must not be
// a lint (a start() that starts in time, a task group under its threshold, a
// loose task its maker waited for).
import assert from 'node:assert/strict';
import type { LoopBlockedEvent, WarningEvent, WireEvent, WireWaits } from '../../contract/wire';
import { DEFAULT_LINT_SETTINGS, type Lint, type LintSettings } from '../../extension/store/runLints';
import type { RunState } from '../../extension/store/runState';
import { run, task, nursery } from './runRows';
import {
  asyncioPrologue,
  exited,
  flagged,
  moved,
  opened,
  prologue,
  runFinished,
  site,
  spawned,
  state,
} from './wireEvents';

const blocked = (
  block: number,
  ts: number,
  duration: number,
  extra: Partial<LoopBlockedEvent> = {},
): LoopBlockedEvent => ({
  type: 'loop.blocked',
  run: 1,
  ts,
  block,
  since: ts - duration,
  duration,
  ...extra,
});
const warning = (ts: number, extra: Partial<WarningEvent> = {}): WarningEvent => ({
  type: 'warning',
  run: 1,
  ts,
  category: 'RuntimeWarning',
  message: "coroutine 'fetch' was never awaited",
  kind: 'never_awaited',
  site: site(40),
  ...extra,
});

/** Lints of a finished stream (host time does not matter once the run is over). */
function lintsOf(events: WireEvent[], settings: Partial<LintSettings> = {}): { r: RunState; lints: Lint[] } {
  const r = run(events);
  return { r, lints: r.lints({ ...DEFAULT_LINT_SETTINGS, ...settings }, Date.now()).lints };
}

describe('RunState lints', () => {
  it('loop blocked: one lint per line that held the loop, with how often, the longest and the task; the task is marked', () => {
    const { r, lints } = lintsOf([
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'worker-1', 2),
      spawned(6, 4, 'worker-2', 3),
      blocked(1, 400, 300, { task: 5, at: site(12), ongoing: true }),
      blocked(1, 520, 420, { task: 5, at: site(12) }),
      blocked(2, 900, 150, { task: 6, at: site(12) }),
      blocked(3, 1200, 250, { at: site(77) }),
    ]);
    const at12 = lints.filter((l) => l.code === 'loop-blocked' && l.site?.line === 12);
    assert.equal(at12.length, 1);
    assert.equal(at12[0].severity, 'warning');
    assert.match(at12[0].message, /blocked here twice, longest 420 ms \(570 ms in all\), last by task 'worker-2'/);
    assert.deepEqual(at12[0].ids, [5, 6]);
    assert.equal(at12[0].ongoing, false);
    assert.deepEqual(
      at12[0].related.map((x) => x.site.line),
      [15, 16],
      "the tasks' spawn sites",
    );
    const outside = lints.find((l) => l.site?.line === 77);
    assert.match(outside!.message, /for 250 ms by code outside any task/);
    assert.deepEqual(
      task(r, 5).lints?.map((m) => m.badge),
      ['blocked the loop 420 ms'],
      'the longest block here',
    );
    assert.equal(task(r, 3).lints, undefined);
  });

  it('loop blocked: a block still holding the loop says so, and is over when the run ends', () => {
    const events = [
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'spin', 2),
      blocked(1, 350, 250, { task: 5, at: site(9), ongoing: true }),
    ];
    const live = lintsOf(events).lints.find((l) => l.code === 'loop-blocked')!;
    assert.equal(live.ongoing, true);
    assert.match(live.message, /blocked here now, for 250 ms so far, by task 'spin'/);
    const over = lintsOf([...events, runFinished(400)]).lints.find((l) => l.code === 'loop-blocked')!;
    assert.equal(over.ongoing, false);
    assert.match(over.message, /was blocked here for 250 ms/);
  });

  it('loop blocked: a report whose most-seen line changed moves the block to that line', () => {
    const { lints } = lintsOf([
      ...prologue(),
      blocked(1, 300, 200, { task: 3, at: site(5), ongoing: true }),
      blocked(1, 700, 600, { task: 3, at: site(6) }),
    ]);
    const blocks = lints.filter((l) => l.code === 'loop-blocked');
    assert.deepEqual(
      blocks.map((l) => l.site?.line),
      [6],
    );
    assert.match(blocks[0].message, /for 600 ms/);
  });

  it('never awaited: gathered by line, with the coroutine, the task, how often and where its function is', () => {
    const { r, lints } = lintsOf([
      ...prologue(),
      warning(5, { task: 3, func: site(2, '/abs/prog.py', 'fetch') }),
      warning(6, { task: 3 }),
      warning(7, { kind: undefined, category: 'UserWarning', message: 'something else', site: site(50) }),
    ]);
    const na = lints.filter((l) => l.code === 'never-awaited');
    assert.equal(na.length, 1, 'other warnings are not this lint');
    assert.match(na[0].message, /Coroutine 'fetch' was created here in task 'main' and never awaited \(twice\)/);
    assert.equal(na[0].site?.line, 40);
    assert.deepEqual(na[0].related, [{ site: site(2, '/abs/prog.py', 'fetch'), message: 'fetch is defined here' }]);
    assert.deepEqual(
      task(r, 3).lints?.map((m) => m.code),
      ['never-awaited'],
    );
  });

  it('start() not started: a task waiting in start() past the threshold, at the start() call, until it starts', () => {
    const events: WireEvent[] = [
      ...prologue(),
      opened(4, 3, 1),
      opened(5, 3, 1000, { start: true }),
      spawned(6, 5, 'serve', 1000, { site: site(33) }),
      state(6, 1100, 'waiting', site(60, '/abs/prog.py', 'serve')),
    ];
    const r = run(events);
    const settings = { ...DEFAULT_LINT_SETTINGS, startNotStartedMs: 2000 };
    // The run's clock: ts 1100 seen now; the host's clock moves on.
    const now = Date.now();
    assert.deepEqual(r.lints(settings, now).lints, [], 'within the threshold');
    const late = r.lints(settings, now + 2500).lints;
    assert.equal(late.length, 1);
    assert.equal(late[0].code, 'start-not-started');
    assert.equal(late[0].site?.line, 33, 'the start() call');
    assert.deepEqual(
      late[0].related.map((x) => x.site.line),
      [60],
      'where it waits',
    );
    assert.match(
      late[0].message,
      /task 'serve' was started with start\(\) 2\.6 s ago and has not called task_status\.started\(\)/i,
    );
    assert.equal(task(r, 6).lints?.[0].code, 'start-not-started');
    r.apply(moved(6, 4, 3700));
    const after = r.lints(settings, now + 2600);
    assert.deepEqual(after.lints, [], 'started: no lint');
    assert.equal(after.changed, true);
    assert.equal(task(r, 6).lints, undefined, 'and no mark');
  });

  it('runaway nursery: more live children than the threshold, with its peak kept once it shrinks', () => {
    const events: WireEvent[] = [...prologue(), opened(4, 3, 1, { site: site(8) })];
    for (let i = 0; i < 12; i++) events.push(spawned(10 + i, 4, `conn-${i}`, 2 + i, { site: site(9) }));
    const r = run(events);
    const s = { ...DEFAULT_LINT_SETTINGS, runawayChildren: 10 };
    const grown = r.lints(s, Date.now()).lints;
    assert.equal(grown.length, 1);
    assert.equal(grown[0].code, 'runaway-nursery');
    assert.equal(grown[0].site?.line, 8);
    assert.match(grown[0].message, /has 12 live children \(more than 10\)/);
    assert.deepEqual(grown[0].related, [{ site: site(9), message: '12 of its live children were started here' }]);
    assert.equal(nursery(r, 4).lints?.[0].badge, '12 live children');
    for (let i = 0; i < 6; i++) r.apply(exited(10 + i, 30 + i));
    const shrunk = r.lints(s, Date.now()).lints;
    assert.match(shrunk[0].message, /reached 12 live children/);
    assert.equal(lintsOf(events, { runawayChildren: 12 }).lints.length, 0, 'at the threshold: no lint');
  });

  it('outlived maker: a loose task still running after the task that made it; not when its maker waited for it', () => {
    const { r, lints } = lintsOf([
      ...asyncioPrologue(),
      spawned(2, null, 'load', 1, { parent: 1, site: site(5) }),
      spawned(3, null, 'warm_cache', 2, { parent: 2, site: site(6) }),
      spawned(4, null, 'gathered', 2, { parent: 2, site: site(7) }),
      exited(4, 3),
      exited(2, 4),
    ]);
    const out = lints.filter((l) => l.code === 'outlived-maker');
    assert.deepEqual(
      out.map((l) => l.ids),
      [[3]],
    );
    assert.match(out[0].message, /Loose task 'warm_cache' is still running after task 'load', which made it, finished/);
    assert.equal(out[0].related[0].site.line, 5, "its maker's spawn site");
    assert.equal(task(r, 3).lints?.[0].badge, 'outlived its maker');
    assert.equal(task(r, 4).lints, undefined);
  });

  /** examples/asyncio_taskgroup.py: main's TaskGroup (4) runs the loader (2), which makes the loose cache warmer (3) and returns. */
  const warmerMadeAndLeft = (): WireEvent[] => [
    ...asyncioPrologue(),
    opened(4, 1, 1, { kind: 'taskgroup' }),
    spawned(2, 4, 'load(customers)', 2),
    spawned(3, null, 'warm cache', 200, { parent: 2, site: site(66) }),
    exited(2, 200),
  ];
  const awaiting = (id: number, ts: number, waits: WireWaits): WireEvent => ({ ...state(id, ts, 'waiting'), waits });
  const awaitsTask = (id: number): WireWaits => ({
    kind: 'task',
    obj: 90 + id,
    label: 'task',
    holders: [id],
    detail: 'until warm cache finishes',
  });

  it('outlived maker: not when another task was seen awaiting the loose task (main awaits the cache warmer)', () => {
    const r = run(warmerMadeAndLeft());
    const before = r.lints(DEFAULT_LINT_SETTINGS, Date.now()).lints.filter((l) => l.code === 'outlived-maker');
    assert.equal(before.length, 1, 'nobody awaits it yet: the lint is true now');
    assert.equal(before[0].ongoing, true);
    r.apply(awaiting(1, 360, awaitsTask(3)));
    const during = r.lints(DEFAULT_LINT_SETTINGS, Date.now());
    assert.deepEqual(
      during.lints.filter((l) => l.code === 'outlived-maker'),
      [],
      'main waits for it now',
    );
    assert.equal(during.changed, true);
    assert.equal(task(r, 3).lints, undefined, 'its mark is gone');
    // It ends; main stops waiting and ends: having been awaited is remembered.
    for (const e of [exited(3, 801), state(1, 802, 'running'), exited(1, 810), runFinished(811, 'raised')]) r.apply(e);
    const after = r.lints(DEFAULT_LINT_SETTINGS, Date.now()).lints;
    assert.deepEqual(
      after.filter((l) => l.code === 'outlived-maker'),
      [],
      JSON.stringify(after),
    );
    assert.ok(!after.some((l) => /nothing waited|seen awaiting/.test(l.message)));
    assert.equal(task(r, 3).lints, undefined);
    // A recording of the same run (its events replayed into a new store) says the same.
    const replayed = run([
      ...warmerMadeAndLeft(),
      awaiting(1, 360, awaitsTask(3)),
      exited(3, 801),
      state(1, 802, 'running'),
      exited(1, 810),
      runFinished(811, 'raised'),
    ]);
    assert.deepEqual(
      replayed.lints(DEFAULT_LINT_SETTINGS, Date.now()).lints.filter((l) => l.code === 'outlived-maker'),
      [],
    );
  });

  it('outlived maker: a gather of the loose task awaits it too; a lock it holds is no await', () => {
    const gathered = lintsOf([
      ...warmerMadeAndLeft(),
      awaiting(1, 360, { kind: 'children', obj: 95, label: 'gather', holders: [3], detail: '1 of 1 still running' }),
      exited(3, 801),
      exited(1, 810),
    ]);
    assert.deepEqual(
      gathered.lints.filter((l) => l.code === 'outlived-maker'),
      [],
    );
    const locked = lintsOf([
      ...warmerMadeAndLeft(),
      awaiting(1, 360, { kind: 'lock', obj: 96, label: 'Lock cache_lock', holders: [3] }),
      exited(3, 801),
      exited(1, 810),
    ]);
    assert.deepEqual(
      locked.lints.filter((l) => l.code === 'outlived-maker').map((l) => l.ids),
      [[3]],
      'main waited for a lock the warmer held, not for the warmer',
    );
  });

  it('outlived maker: a fire-and-forget task nobody was seen awaiting is still a lint, in honest words', () => {
    const { r, lints } = lintsOf([...warmerMadeAndLeft(), exited(3, 801), exited(1, 810), runFinished(811)]);
    const out = lints.filter((l) => l.code === 'outlived-maker');
    assert.deepEqual(
      out.map((l) => [l.ids, l.ongoing, l.site?.line]),
      [[[3], false, 66]],
    );
    assert.equal(
      out[0].message,
      "Loose task 'warm cache' outlived task 'load(customers)', which made it, by 601 ms: no task group owned it and no task was seen awaiting it.",
    );
    assert.deepEqual(task(r, 3).lints, [
      {
        code: 'outlived-maker',
        badge: 'outlived its maker',
        sentence: 'Outlived load(customers), which made it: no task group owned it and no task was seen awaiting it.',
      },
    ]);
  });

  it('flags at loop close: pending and never retrieved are lints (the flags mark the rows already)', () => {
    const { r, lints } = lintsOf([
      ...asyncioPrologue(),
      spawned(2, null, 'forever', 1, { parent: 1, site: site(5) }),
      spawned(3, null, 'doomed', 1, { parent: 1, site: site(6) }),
      exited(3, 2, 'raised', { error: { type: 'ValueError', message: 'bad' } }),
      flagged(3, 'exception_never_retrieved', 9, { type: 'ValueError', message: 'bad' }),
      flagged(2, 'pending_at_close', 9),
      exited(1, 8),
      runFinished(10),
    ]);
    assert.deepEqual(lints.map((l) => [l.code, l.ids[0], l.severity]).sort(), [
      ['exception-never-retrieved', 3, 'warning'],
      ['pending-at-close', 2, 'information'],
    ]);
    assert.match(
      lints.find((l) => l.code === 'exception-never-retrieved')!.message,
      /raised ValueError: bad and nothing retrieved/,
    );
    assert.equal(task(r, 2).lints, undefined);
  });

  it('each lint is switched off by its setting, and switching off clears the marks', () => {
    const events: WireEvent[] = [
      ...prologue(),
      blocked(1, 300, 200, { task: 3, at: site(5) }),
      warning(5, { task: 3 }),
    ];
    const r = run(events);
    assert.equal(r.lints(DEFAULT_LINT_SETTINGS, Date.now()).lints.length, 2);
    assert.equal(task(r, 3).lints?.length, 2);
    const off = r.lints({ ...DEFAULT_LINT_SETTINGS, loopBlocked: false, neverAwaited: false }, Date.now());
    assert.deepEqual(off, { lints: [], changed: true });
    assert.equal(task(r, 3).lints, undefined);
  });

  it('an unchanged run is not scanned again and reports no change', () => {
    const r = run([...prologue(), blocked(1, 300, 200, { task: 3, at: site(5) })]);
    assert.equal(r.lints(DEFAULT_LINT_SETTINGS, Date.now()).changed, true);
    assert.equal(r.lints(DEFAULT_LINT_SETTINGS, Date.now()).changed, false);
    r.apply(blocked(2, 900, 150, { task: 3, at: site(5) }));
    assert.equal(r.lints(DEFAULT_LINT_SETTINGS, Date.now()).changed, true);
  });

  it('stays bounded: a program blocking at many lines keeps a bounded number of lints', () => {
    const events: WireEvent[] = [...prologue()];
    for (let i = 1; i <= 2000; i++) events.push(blocked(i, 200 + i, 150, { task: 3, at: site(i) }));
    const { lints } = lintsOf(events);
    assert.equal(lints.length, 500);
  });
});
