// Debugger → task tree, without VS Code: a real store fed wire events, the
// panel bridge posting to a list, and a PauseTracker whose debugger is a
// function answering `stackTrace` the way debugpy does.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../contract/messages';
import type { TaskRow } from '../../contract/rows';
import type { WireEvent, WireSite } from '../../contract/wire';
import { PauseTracker, candidatesOf, type ListedFrame } from '../../extension/debug/pauseTracker';
import { DELTA_INTERVAL_MS } from '../../extension/panel/panelBridge';
import { TaskFocus } from '../../extension/panel/taskFocus';
import { bridgeOnStore } from './panelHarness';
import { hello, opened, prologue, spawned, state } from './wireEvents';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROG = '/abs/workers.py';
const at = (line: number, fn = 'worker'): WireSite => ({ file: PROG, line, function: fn });
const TRIO_SLEEP: WireSite = { file: '/venv/lib/python3.11/site-packages/trio/_timer.py', line: 80, function: 'sleep' };
/** The breakpoint: `await trio.sleep(0)` on line 12 of worker(), called from line 30 of the module. */
const BP = 12;

function setup(opts: { graceMs?: number } = {}) {
  const focus = new TaskFocus();
  const { store, posted, bridge } = bridgeOnStore({ focus });
  const stream = store.openStream({ launchKey: 'secret-1', launchLabel: 'workers', instance: 'i1' });
  const feed = (...events: WireEvent[]) => {
    for (const e of events) stream.run(1)!.apply(e);
    store.changed();
  };
  feed(hello(), ...prologue(), opened(4, 3, 0.5));
  // Fifty workers, ids 10..59, all waiting in trio.sleep at the breakpoint's line.
  for (let i = 0; i < 50; i++) {
    feed(spawned(10 + i, 4, `worker-${i}`, 1), { ...state(10 + i, 2, 'waiting', at(BP)), chain: [at(BP), TRIO_SLEEP] });
  }
  let frames: ListedFrame[] = [
    { id: 100, frame: { file: PROG, line: BP } },
    { id: 101, frame: { file: PROG, line: 30 } },
  ];
  const stacks: number[] = [];
  const tracker = new PauseTracker({
    stack: async (_session, threadId) => {
      stacks.push(threadId);
      return frames;
    },
    candidates: () =>
      candidatesOf(
        store.all().filter((e) => e.launchKey === 'secret-1'),
        4242,
      ),
    focus,
    graceMs: opts.graceMs ?? 200,
  });
  store.onDidChange(() => tracker.storeChanged());
  const setFrames = (f: ListedFrame[]) => {
    frames = f;
  };
  return { store, focus, posted, bridge, feed, tracker, stacks, setFrames };
}

const typed = <T extends HostMessage['type']>(posted: HostMessage[], type: T) =>
  posted.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type);

describe('debugger → task (PauseTracker, TaskFocus, PanelBridge)', () => {
  it('marks and selects the one worker of fifty sampled running at the breakpoint, and tells the panel', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    t.feed({ ...state(27, 3, 'running', at(BP)), chain: [at(BP)] });
    await t.tracker.stopped('s1', 1, 'breakpoint');
    assert.deepEqual(t.focus.marks, { run: 'c1.r1', paused: 27, focus: null, reason: 'breakpoint' });
    assert.deepEqual(t.focus.selected, { run: 'c1.r1', id: 27 });
    assert.deepEqual(typed(t.posted, 'debugMarks').at(-1), {
      type: 'debugMarks',
      run: 'c1.r1',
      paused: 27,
      focus: null,
      reason: 'breakpoint',
    });
    assert.deepEqual(typed(t.posted, 'select').at(-1), { type: 'select', run: 'c1.r1', id: 27 });
    t.tracker.resumed('s1');
    assert.deepEqual(typed(t.posted, 'debugMarks').at(-1), {
      type: 'debugMarks',
      run: null,
      paused: null,
      focus: null,
      reason: null,
    });
    t.bridge.dispose();
    t.tracker.dispose();
  });

  it('waits for the sample that says which of the waiting workers runs, instead of guessing', async () => {
    const t = setup({ graceMs: 5000 });
    await t.tracker.stopped('s1', 1, 'breakpoint');
    assert.equal(t.focus.marks.paused, null, 'fifty workers wait at that line: none is marked yet');
    // The runtime's watching thread samples the paused program a moment later.
    t.feed({ ...state(42, 3, 'running', at(BP)), chain: [at(BP)] });
    await sleep(250);
    assert.equal(t.focus.marks.paused, 42);
    assert.deepEqual(t.focus.selected, { run: 'c1.r1', id: 42 });
    t.tracker.dispose();
    t.bridge.dispose();
  });

  it('takes the only task waiting where the thread stopped once no running sample came in time', async () => {
    const t = setup({ graceMs: 100 });
    t.setFrames([
      { id: 100, frame: { file: PROG, line: 77 } },
      { id: 101, frame: { file: PROG, line: 30 } },
    ]);
    t.feed({ ...state(33, 3, 'waiting', at(77)), chain: [at(77)] });
    await t.tracker.stopped('s1', 1, 'step');
    assert.equal(t.focus.marks.paused, null, 'within the grace period: not yet');
    await sleep(200);
    assert.equal(t.focus.marks.paused, 33);
    t.tracker.dispose();
    t.bridge.dispose();
  });

  it('a stop in no task (the loop in its selector) marks the run paused, its clock held at the stop, until it runs again', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    t.setFrames([
      { id: 100, frame: { file: '/usr/lib/python3.11/selectors.py', line: 468 } },
      { id: 101, frame: { file: '/venv/lib/python3.11/site-packages/trio/_core/_run.py', line: 2400 } },
      { id: 102, frame: { file: PROG, line: 30 } },
    ]);
    await t.tracker.stopped('s1', 1, 'pause');
    assert.deepEqual(t.focus.marks, { run: 'c1.r1', paused: null, focus: null, reason: 'pause' });
    assert.equal(t.focus.selected, null, 'nothing to select');
    await sleep(DELTA_INTERVAL_MS + 50);
    const cursor = typed(t.posted, 'cursor').at(-1);
    assert.equal(cursor?.run, 'c1.r1');
    assert.equal(typeof cursor?.paused, 'number', 'the time cursor holds at the pause');
    t.tracker.resumed('s1');
    assert.deepEqual(t.focus.marks, { run: null, paused: null, focus: null, reason: null });
    assert.equal(typed(t.posted, 'cursor').at(-1)?.paused, null);
    t.tracker.dispose();
    t.bridge.dispose();
  });

  it('while it waits for the sample naming the task, the run is already paused; then the task is marked', async () => {
    const t = setup({ graceMs: 5000 });
    await t.tracker.stopped('s1', 1, 'breakpoint');
    assert.deepEqual(t.focus.marks, { run: 'c1.r1', paused: null, focus: null, reason: 'breakpoint' });
    t.feed({ ...state(42, 3, 'running', at(BP)), chain: [at(BP)] });
    await sleep(250);
    assert.deepEqual(t.focus.marks, { run: 'c1.r1', paused: 42, focus: null, reason: 'breakpoint' });
    t.tracker.dispose();
    t.bridge.dispose();
  });

  it('a frame picked in the Call Stack marks the task owning it; the module below the task marks none', async () => {
    const t = setup();
    t.feed({ ...state(27, 3, 'running', at(BP)), chain: [at(BP)] });
    await t.tracker.stopped('s1', 1, 'breakpoint');
    t.setFrames([
      { id: 100, frame: { file: PROG, line: 5 } },
      { id: 101, frame: { file: PROG, line: BP } },
      { id: 102, frame: { file: PROG, line: 30 } },
    ]);
    // Worker 27 went into helper() (a step): its chain is worker:12 → helper:5.
    t.feed({ ...state(27, 4, 'running', at(5, 'helper')), chain: [at(BP), at(5, 'helper')] });
    await t.tracker.stackItem({ session: 's1', threadId: 1, frameId: 101 });
    assert.equal(t.focus.marks.focus, 27);
    await t.tracker.stackItem({ session: 's1', threadId: 1, frameId: 102 });
    assert.equal(t.focus.marks.focus, null, "the module calling trio.run is no task's");
    await t.tracker.stackItem({ session: 'other', threadId: 1, frameId: 100 });
    assert.equal(t.focus.marks.focus, null);
    t.tracker.dispose();
    t.bridge.dispose();
  });

  it('an answer for a stop the program already left is dropped', async () => {
    const t = setup();
    t.feed({ ...state(27, 3, 'running', at(BP)), chain: [at(BP)] });
    const stop = t.tracker.stopped('s1', 1, 'breakpoint');
    t.tracker.resumed('s1');
    await stop;
    assert.equal(t.focus.marks.paused, null);
    assert.equal(t.focus.selected, null);
    t.tracker.dispose();
    t.bridge.dispose();
  });

  it('the bridge: a selection in the panel goes to the focus without an echo; one from the Tasks view reaches the panel, after a reload too', async () => {
    const t = setup();
    const heard: string[] = [];
    t.focus.onDidSelect(({ ref, origin }) => heard.push(`${origin}:${ref.id}`));
    await t.bridge.handle({ type: 'ready' });
    t.posted.length = 0;
    await t.bridge.handle({ type: 'selected', run: 'c1.r1', id: 15 });
    assert.deepEqual(heard, ['panel:15']);
    assert.equal(typed(t.posted, 'select').length, 0, 'the panel is not told what it just said');
    // Wrong run, not a number: ignored.
    await t.bridge.handle({ type: 'selected', run: 'c9.r9', id: 16 });
    await t.bridge.handle({ type: 'selected', run: 'c1.r1', id: '17' });
    assert.deepEqual(heard, ['panel:15']);
    t.focus.select({ run: 'c1.r1', id: 20 }, 'view');
    assert.deepEqual(typed(t.posted, 'select'), [{ type: 'select', run: 'c1.r1', id: 20 }]);
    // The page reloads (hidden, then shown): the view's choice comes again after the snapshot.
    t.bridge.detach();
    t.posted.length = 0;
    await t.bridge.handle({ type: 'ready' });
    assert.deepEqual(
      t.posted.map((m) => m.type),
      ['config', 'runs', 'snapshot', 'debugMarks', 'select'],
    );
    await sleep(DELTA_INTERVAL_MS * 2);
    t.bridge.dispose();
  });

  it('keeps the await chain in the rows, outermost first; a sample without one leaves it as it was', () => {
    const t = setup();
    const row = () =>
      t.store
        .get('c1.r1')!
        .state.rows()
        .find((r) => r.id === 10) as TaskRow;
    assert.deepEqual(row().chain, [at(BP), TRIO_SLEEP]);
    t.feed(state(10, 5, 'scheduled'));
    assert.deepEqual(row().chain, [at(BP), TRIO_SLEEP], 'absent on the wire = unchanged');
    t.feed({ ...state(10, 6, 'waiting'), chain: [at(BP), at(3, 'inner')] });
    assert.deepEqual(
      row().chain?.map((s) => s.line),
      [BP, 3],
    );
    // Its files may be opened from the panel: the run named them.
    assert.ok(t.store.get('c1.r1')!.state.reportedFiles.has(TRIO_SLEEP.file));
    t.bridge.dispose();
  });
});
