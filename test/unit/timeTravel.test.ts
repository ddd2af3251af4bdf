// The host side of the time cursor and the timeline (extension/panel/
// timeTravel.ts through the PanelBridge): a panel that applies the `past`
// answers holds exactly the run as it was at each moment asked for, the
// latest seek alone is answered, a recording opens at its first task, the
// debugger's pause (TaskFocus's marks) holds the cursor, and a timeline window lists the tasks
// in the tree's order with their lanes, ends, bands, curve and marks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_MARKS, TaskFocus } from '../../extension/panel/taskFocus';
import { replayNdjson } from '../../extension/collector/replay';
import { TimeTravel } from '../../extension/panel/timeTravel';
import { pastTreeText } from '../../extension/export/treeText';
import { RunStore } from '../../extension/store/runStore';
import { RunState } from '../../extension/store/runState';
import type { HostMessage } from '../../contract/messages';
import type { Row } from '../../contract/rows';
import type { TimelineData, TimelineRequest } from '../../contract/timeline';
import type { WireEvent } from '../../contract/wire';
import { hettingerOwnWork } from './hettingerOwnWork';
import { bridgeOnStore } from './panelHarness';
import { exited, hello, opened, prologue, scope, spawned, state } from './wireEvents';

const turn = () => new Promise((r) => setImmediate(r));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
type Past = Extract<HostMessage, { type: 'past' }>;

function setup(recordingsOpenAt: 'start' | 'end' = 'start') {
  return bridgeOnStore({ recordingsOpenAt: () => recordingsOpenAt });
}

function openFixture(t: ReturnType<typeof setup>, name: string) {
  const text = readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
  const read = replayNdjson(text);
  const [entry] = t.store.addRecording(read.runs, { bytes: [Buffer.from(text)], truncated: false });
  t.bridge.select(entry.state.key);
  return entry.state;
}

/** What a webview holds after applying `past` answers, as mirror.ts applies snapshots and deltas. */
class PastMirror {
  rows = new Map<number, Row>();
  apply(m: Past): void {
    if (m.reset) this.rows = new Map();
    for (const id of m.remove) this.rows.delete(id);
    for (const r of m.rows) this.rows.set(r.id, r);
  }
}

function pasts(posted: HostMessage[]): Past[] {
  return posted.filter((m): m is Past => m.type === 'past');
}

async function timeline(
  t: ReturnType<typeof setup>,
  req: Partial<TimelineRequest> & { run: string },
): Promise<TimelineData> {
  const request: TimelineRequest = {
    seq: 1,
    from: -Infinity,
    to: Infinity,
    width: 800,
    lanes: [],
    hideSystem: false,
    ...req,
  };
  await t.bridge.handle({ type: 'timeline', request });
  for (let i = 0; i < 2000; i++) {
    await turn();
    const last = t.posted.filter((m) => m.type === 'timeline').at(-1);
    if (last && last.type === 'timeline' && !last.data.partial && last.data.seq === request.seq) return last.data;
  }
  throw new Error('no timeline');
}

/** A panel bridge over a fresh store, told of the debugger's marks through `focus`; what it posts is in `posted`. */
function bridgeWithFocus(now?: () => number) {
  const focus = new TaskFocus();
  return { focus, ...bridgeOnStore({ focus, ...(now ? { now } : {}) }) };
}

describe('time travel, host side (panel bridge)', () => {
  it('a panel applying the answers to seeks back and forth holds the run as it was at each moment', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const run = openFixture(t, 'failing_child.ndjson');
    await turn();
    const h = run.history!;
    const mirror = new PastMirror();
    let seq = 0;
    for (const at of [0.3, 200, 302.3, 0.44, 303.2, 50, 302.4, 0.01]) {
      await t.bridge.handle({ type: 'seek', run: run.key, seq: ++seq, at });
      await turn();
      const answer = pasts(t.posted).at(-1)!;
      assert.equal(answer.seq, seq);
      mirror.apply(answer);
      const want = h.stateAt(h.positionAt(at))!.state.rows();
      assert.deepEqual(
        new Map([...mirror.rows].sort((a, b) => a[0] - b[0])),
        new Map(want.map((r) => [r.id, r])),
        `at ${at}`,
      );
      assert.equal(answer.run.at, Math.min(at, 303.145));
    }
    // Before the failure, the siblings it cancelled are alive; after, they are cancelled.
    await t.bridge.handle({ type: 'seek', run: run.key, seq: ++seq, at: 300 });
    await turn();
    mirror.apply(pasts(t.posted).at(-1)!);
    const byName = (n: string) =>
      [...mirror.rows.values()].find((r) => r.kind === 'task' && r.name === n) as Extract<Row, { kind: 'task' }>;
    assert.equal(byName('download').state, 'waiting');
    assert.equal(byName('parse feed').state, 'waiting');
    assert.equal(pasts(t.posted).at(-1)!.run.liveTasks, 8);
    t.bridge.dispose();
  });

  it('answers only the latest of many seeks in one turn; steps move one event and say which', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const run = openFixture(t, 'failing_child.ndjson');
    await turn();
    t.posted.length = 0;
    for (let i = 1; i <= 50; i++) await t.bridge.handle({ type: 'seek', run: run.key, seq: i, at: i * 6 });
    await turn();
    assert.deepEqual(
      pasts(t.posted).map((m) => m.seq),
      [50],
    );
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 51, at: 302.3 });
    await turn();
    const before = pasts(t.posted).at(-1)!;
    assert.deepEqual(
      before.event,
      { type: 'task.exited', id: 10, outcome: 'raised' },
      'the last event at 302.3: parse feed raised',
    );
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 52, step: 1 });
    await turn();
    const next = pasts(t.posted).at(-1)!;
    assert.equal(next.pos, before.pos + 1);
    assert.deepEqual(next.event, { type: 'task.exited', id: 14, outcome: 'cancelled' });
    assert.deepEqual(
      next.rows.map((r) => r.id),
      [14],
      'only the row that changed',
    );
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 53, step: -2 });
    await turn();
    const back = pasts(t.posted).at(-1)!;
    assert.equal(back.pos, before.pos - 1);
    assert.deepEqual(back.rows.map((r) => [r.id, (r as { state: string }).state]).sort(), [
      [10, 'waiting'],
      [14, 'waiting'],
    ]);
    t.bridge.dispose();
  });

  it("with Hide system, steps go over the library's own work (Trio's init, open_tcp_stream's attempts); its events say so", async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const text = hettingerOwnWork();
    const [entry] = t.store.addRecording(replayNdjson(text).runs, { bytes: [Buffer.from(text)], truncated: false });
    const run = entry.state;
    t.bridge.select(run.key);
    await turn();
    let seq = 0;
    const step = async (step: number, hideSystem?: boolean) => {
      await t.bridge.handle({ type: 'seek', run: run.key, seq: ++seq, step, ...(hideSystem ? { hideSystem } : {}) });
      await turn();
      return pasts(t.posted).at(-1)!;
    };
    // Trio's init task, its three nurseries and the run_sync_soon task; open_tcp_stream's nurseries and attempts.
    const system = new Set([1, 2, 3, 4, 6, ...range(22, 49)]);
    const own: Past[] = [];
    await t.bridge.handle({ type: 'seek', run: run.key, seq: ++seq, at: 0 });
    await turn();
    for (let k = 0; k < 200; k++) {
      const p = await step(1, true);
      if (p.pos === own.at(-1)?.pos) break; // no further step: the run's end
      own.push(p);
    }
    const about = (p: Past) => (p.event!.type === 'scope.changed' ? p.event!.task : p.event!.id);
    assert.deepEqual(
      own.filter((p) => p.event!.system || system.has(about(p)!)).map((p) => p.event),
      [],
      'no step lands on an event about a system row',
    );
    assert.deepEqual(own[0].event, { type: 'task.spawned', id: 5, nursery: 4 }, 'the first step: crawl, not <init>');
    assert.deepEqual(own[1].event, { type: 'nursery.opened', id: 7, task: 5 }, "then crawl's nursery");
    assert.deepEqual(own.at(-1)!.event, { type: 'run.finished', outcome: 'returned' });
    const program = text
      .split('\n')
      .map((l) => JSON.parse(l) as WireEvent)
      .filter((e) => 'ts' in e && e.ts! > 0 && !system.has((e as { id?: number }).id!));
    assert.equal(own.length, program.length, "a step for each of the program's own events (54 of 123)");
    assert.equal(program.length, 54);

    // Without Hide system every event is a step; the library's are marked.
    await t.bridge.handle({ type: 'seek', run: run.key, seq: ++seq, at: 0 });
    await turn();
    const first = await step(1);
    assert.deepEqual(first.event, { type: 'task.spawned', id: 1, nursery: null, system: true }, '<init>');
    await t.bridge.handle({ type: 'seek', run: run.key, seq: ++seq, at: 4.0 });
    await turn();
    assert.deepEqual(
      pasts(t.posted).at(-1)!.event,
      { type: 'task.exited', id: 41, outcome: 'returned', system: true },
      "a moment whose last event is an attempt's end, picked on the strip: Trio's",
    );
    t.bridge.dispose();
  });

  it('a step onto a closed cancel scope says whose it was and its deadline (the rows hold it no more)', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const run = openFixture(t, 'deadlines.ndjson');
    await turn();
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 1, at: 301.6 });
    await turn();
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 2, step: 1 });
    await turn();
    assert.deepEqual(pasts(t.posted).at(-1)!.event, {
      type: 'scope.closed',
      id: 12,
      task: 8,
      deadline: 300.523,
      cancelCalled: false,
    });
    t.bridge.dispose();
  });

  it('a recording opens at its first task of its own (or at its end when the setting says so); live lets the moment go', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const run = openFixture(t, 'failing_child.ndjson');
    await Promise.resolve();
    await turn();
    const cursor = t.posted.filter((m) => m.type === 'cursor');
    assert.deepEqual(
      cursor,
      [{ type: 'cursor', run: run.key, at: 0.219 }],
      '__main__.main, the first task not of Trio',
    );
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 1, at: 1 });
    await turn();
    assert.equal(pasts(t.posted).at(-1)!.reset, true);
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 2, at: 2 });
    await turn();
    assert.equal(pasts(t.posted).at(-1)!.reset, false);
    await t.bridge.handle({ type: 'live', run: run.key });
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 3, at: 2 });
    await turn();
    assert.equal(pasts(t.posted).at(-1)!.reset, true, 'after live, the panel starts over');

    const end = setup('end');
    await end.bridge.handle({ type: 'ready' });
    openFixture(end, 'failing_child.ndjson');
    await Promise.resolve();
    await turn();
    assert.equal(end.posted.filter((m) => m.type === 'cursor').length, 0);
    t.bridge.dispose();
    end.bridge.dispose();
  });

  it('Copy Tree as Text copies the moment the panel shows: the tree as it stood then, not at its end', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const run = openFixture(t, 'failing_child.ndjson');
    assert.equal(t.bridge.pastOf(run.key), null, 'now: nothing past');
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 1, at: 250 });
    await turn();
    const golden = readFileSync(join(__dirname, '..', 'fixtures', 'failing_child.at-0.25.tree.txt'), 'utf8');
    assert.equal(pastTreeText(t.bridge.pastOf(run.key)!), golden);
    await t.bridge.handle({ type: 'live', run: run.key });
    assert.equal(t.bridge.pastOf(run.key), null, 'back to now: the run as it is');
    // A seek the page asked for just before going live is not answered after it.
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 2, at: 250 });
    await t.bridge.handle({ type: 'live', run: run.key });
    await turn();
    assert.equal(t.bridge.pastOf(run.key), null, 'a late answer does not bring the moment back');
    await t.bridge.handle({ type: 'seek', run: run.key, seq: 3, at: 250 });
    await turn();
    t.bridge.detach();
    assert.equal(t.bridge.pastOf(run.key), null, 'a panel that is gone shows no moment');
    // Shown again, the page is new and shows now (it keeps no time cursor).
    await t.bridge.handle({ type: 'ready' });
    assert.equal(t.bridge.pastOf(run.key), null, 'the new page shows now');
    t.bridge.dispose();
  });

  it('the debugger pausing a run (its marks) holds the cursor at the moment of the pause until it runs again; a reloaded page is told again', async () => {
    // now 0: before any clock stamp, the moment is the newest event's, whatever time the test takes
    const { focus, store, posted, bridge } = bridgeWithFocus(() => 0);
    await bridge.handle({ type: 'ready' });
    const stream = store.openStream({ launchKey: 'k', instance: 'i' });
    const run = stream.run(1)!;
    [hello(), ...prologue(), opened(4, 3, 1), spawned(5, 4, 'w', 7.5)].forEach((e) => run.apply(e));
    bridge.select(run.key);
    const cursors = () => posted.filter((m) => m.type === 'cursor');
    focus.setMarks({ run: run.key, paused: 5, focus: null, reason: 'breakpoint' });
    // Samples taken while paused, and a frame picked in the Call Stack, keep the moment.
    run.apply(state(5, 9, 'running'));
    focus.setMarks({ run: run.key, paused: 5, focus: 3, reason: 'breakpoint' });
    assert.deepEqual(cursors(), [{ type: 'cursor', run: run.key, paused: 7.5 }]);
    assert.deepEqual(
      posted.filter((m) => m.type === 'debugMarks').at(-1),
      { type: 'debugMarks', run: run.key, paused: 5, focus: 3, reason: 'breakpoint' },
      'the marks and the cursor name the same run',
    );
    posted.length = 0;
    await bridge.handle({ type: 'ready' });
    await turn();
    assert.deepEqual(cursors(), [{ type: 'cursor', run: run.key, paused: 7.5 }], 'a fresh page learns of the pause');
    posted.length = 0;
    focus.setMarks(NO_MARKS);
    assert.deepEqual(cursors(), [{ type: 'cursor', run: run.key, paused: null }]);
    // The bridge's own hook does the same.
    posted.length = 0;
    bridge.paused(run.key, true);
    bridge.paused(run.key, false);
    assert.deepEqual(cursors(), [
      { type: 'cursor', run: run.key, paused: 9 },
      { type: 'cursor', run: run.key, paused: null },
    ]);
    bridge.dispose();
  });

  it('a run the debugger pauses comes into view, even with no task of it on the stopped thread', async () => {
    const { focus, store, posted, bridge } = bridgeWithFocus();
    await bridge.handle({ type: 'ready' });
    const older = store.openStream({ launchKey: 'a', instance: 'i' }).run(1)!;
    [hello(), ...prologue()].forEach((e) => older.apply(e));
    const paused = store.openStream({ launchKey: 'b', instance: 'j' }).run(1)!;
    [hello(), ...prologue()].forEach((e) => paused.apply(e));
    bridge.select(older.key); // the user watches the older run (still live)
    await turn();
    focus.setMarks({ run: paused.key, paused: null, focus: null, reason: 'breakpoint' });
    assert.equal(bridge.selectedRun, paused.key);
    await turn();
    assert.equal(posted.filter((m) => m.type === 'runs').at(-1)?.selected, paused.key);
    bridge.dispose();
  });

  it("the pause's moment is the run's time at the stop, not its newest event (a program quiet for 5 s before its breakpoint)", () => {
    const store = new RunStore();
    const posted: HostMessage[] = [];
    let now = 0;
    const time = new TimeTravel({ store, post: (m) => posted.push(m), now: () => now });
    const run = store.openStream({ launchKey: 'k', instance: 'i' }).run(1)!;
    [hello(), ...prologue(), opened(4, 3, 1), spawned(5, 4, 'w', 7.5)].forEach((e) => run.apply(e));
    run.info(); // the host showed it as its last event came (its clock is stamped then)
    now = Date.now() + 5000; // read after the stamp: 5 s later, at least
    time.paused(run.key, true);
    const paused = (posted.filter((m) => m.type === 'cursor').at(-1) as { paused: number }).paused;
    assert.ok(paused >= 5007.5 && paused < 5100, `paused at ${paused} ms into the run`);
  });

  it('a timeline window: tasks in the tree order with their ends and lanes, nurseries as bands, the live curve, marks', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const run = openFixture(t, 'failing_child.ndjson');
    const data = await timeline(t, { run: run.key, hideSystem: true, lanes: [9, 10] });
    assert.deepEqual(
      data.lines.map((l) => l.name),
      ['__main__.main', 'check config', 'download', 'parse feed', 'uploader', 'upload chunk 0', 'upload chunk 1'],
    );
    const parse = data.lines.find((l) => l.name === 'parse feed')!;
    assert.deepEqual(
      [parse.spawned, parse.exited, parse.end, parse.error?.type],
      [0.299, 302.217, 'raised', 'ValueError'],
    );
    const chunk = data.lines.find((l) => l.name === 'upload chunk 1')!;
    assert.deepEqual([chunk.end, chunk.cancelledBy, chunk.cancelSource], ['cancelled', 10, 'nursery']);
    assert.deepEqual(
      data.bands.map((b) => [b.id, b.owner, b.opened, b.closed]),
      [
        [7, 5, 0.269, 302.528],
        [12, 11, 0.41, 302.456],
      ],
      'system nurseries hidden too',
    );
    assert.deepEqual(
      data.lanes.map((l) => [l.id, l.t, l.s]),
      [
        [9, [0.288, 99.783], ['scheduled', 'waiting']],
        [10, [0.299, 99.783], ['scheduled', 'waiting']],
      ],
    );
    assert.equal(
      Math.max(...data.curve.n),
      7,
      "seven of the program's tasks alive at once (Trio's own two not counted)",
    );
    assert.equal(data.curve.n.at(-1), 0);
    assert.deepEqual([data.start, data.end, data.exactFrom, data.more], [0, 303.145, 0, 0]);
    // A window before the failure: the tasks that had ended are not in it.
    const early = await timeline(t, { run: run.key, seq: 2, from: 150, to: 200, hideSystem: true });
    assert.ok(!early.lines.some((l) => l.name === 'check config'), 'check config returned at 102 ms');
    assert.equal(early.lines.length, 6);
    t.bridge.dispose();
  });

  it('a long run: its timeline is built in slices (partial answers first) and lanes are no finer than a pixel', async function () {
    this.timeout(30_000);
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const stream = t.store.openStream({ launchKey: 'k', instance: 'i' });
    const run: RunState = stream.run(1)!;
    const evs: WireEvent[] = [hello(), ...prologue(), opened(4, 3, 1), scope(99, 3, 1, { deadline: 50 })];
    for (let i = 0; i < 60_000; i++)
      evs.push(
        spawned(10 + i, 4, 'w', 2 + i * 0.001),
        state(10 + i, 2 + i * 0.001, 'running'),
        exited(10 + i, 2.0005 + i * 0.001),
      );
    // Main: 5 ms stretches of running and waiting (several pixels each), then changes every 10 µs (many per pixel).
    for (let k = 0; k < 10; k++) evs.push(state(3, 70 + 5 * k, k % 2 ? 'running' : 'waiting'));
    for (let i = 0; i < 2000; i++) evs.push(state(3, 120 + i * 0.01, i % 2 ? 'running' : 'waiting'));
    evs.push(exited(3, 150, 'cancelled', { cancel: { source: 'deadline' } }));
    evs.forEach((e) => run.apply(e));
    t.posted.length = 0;
    const data = await timeline(t, { run: run.key, lanes: [3], width: 100, hideSystem: true });
    assert.ok(
      t.posted.some((m) => m.type === 'timeline' && m.data.partial),
      'a partial answer came first',
    );
    assert.equal(data.lines.length + data.more, 60_001);
    assert.equal(data.lines.length, 20_000);
    const lane = data.lanes[0];
    const px = (data.to - data.from) / 100;
    assert.ok(lane.t.length >= 10 && lane.t.length <= 100, `${lane.t.length} changes drawn`);
    for (let i = 1; i < lane.t.length; i++)
      assert.ok(lane.t[i] - lane.t[i - 1] >= px - 1e-9, 'no two changes within a pixel');
    for (let i = 1; i < lane.s.length; i++) assert.notEqual(lane.s[i], lane.s[i - 1]);
    assert.ok(data.curve.t.length <= 200);
    assert.deepEqual(
      data.marks.filter((m) => m.kind === 'deadline').map((m) => [m.t, m.id]),
      [[50, 3]],
      'the deadline passed while its scope was open',
    );
    t.bridge.dispose();
  });
});
