// The compact event log of a run's history (extension/store/eventLog.ts,
// eventCodec.ts): every field the schema defines comes back exactly as it
// went in, absent stays absent, null stays null; events that do not fit the
// compact forms are kept whole; time is searchable; old pages can go.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventLog } from '../../extension/store/eventLog';
import { PAGE, type Logged } from '../../extension/store/eventCodec';
import type { WireEvent } from '../../contract/wire';

const schema = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'runtime', 'protocol', 'events.schema.json'), 'utf8'),
);
const propertiesOf = new Map<string, string[]>();
for (const [name, def] of Object.entries(
  schema.$defs as Record<string, { properties: Record<string, { const?: string }> }>,
)) {
  // (1.3's batch lines are expanded before the store: its log never holds one)
  if (name.startsWith('event.') && !name.startsWith('event.tasks.'))
    propertiesOf.set(def.properties.type.const!, Object.keys(def.properties));
}

const s = (line: number) => ({ file: '/abs/prog.py', line, function: 'main' });
const err = {
  type: 'builtins.ExceptionGroup',
  message: 'x',
  site: s(9),
  exceptions: [{ type: 'ValueError', message: 'v', site: s(4) }],
};

/** Samples that between them set every field of every event type, in every form a field takes (absent, null, each value). */
const SAMPLES: WireEvent[] = [
  {
    type: 'hello',
    protocol: 1,
    minor: 2,
    secret: 'ab',
    runtime: 'trio',
    runtime_version: '0.27.0',
    lens_version: '0.1.0',
    python: '3.11',
    pid: 4,
    argv: ['/a.py'],
    cwd: '/',
    instance: 'i',
    reconnect: 1,
    sys_path: ['/'],
  },
  {
    type: 'run.started',
    run: 1,
    ts: 0,
    wall: 1.5,
    resumed: true,
    library: 'asyncio',
    library_version: '3.11',
    anyio: '4',
  },
  { type: 'run.finished', run: 1, ts: 9, outcome: 'raised', error: err },
  { type: 'run.stopped', run: 1, ts: 10, reason: 'stopped', session_ended: true },
  { type: 'run.stopped', run: 1, ts: 11, reason: 'lost' },
  { type: 'run.stopped', run: 1, ts: 12, reason: 'saved', running: true },
  { type: 'task.spawned', run: 1, ts: 1, id: 5, name: 'fetch', nursery: 4, system: false, site: s(3) },
  {
    type: 'task.spawned',
    run: 1,
    ts: 1,
    id: 6,
    name: 'fetch',
    nursery: null,
    system: true,
    main: true,
    site: null,
    parent: 5,
    func: s(9),
  },
  {
    type: 'task.spawned',
    run: 1,
    ts: 1,
    id: 7,
    name: 'ü',
    nursery: 4,
    system: false,
    main: false,
    site: s(3),
    func: null,
  },
  // asyncio named it Task-3: the coroutine's name is shown, Task-3 kept (both in one ref)
  {
    type: 'task.spawned',
    run: 1,
    ts: 1,
    id: 8,
    name: '__main__.main',
    default_name: 'Task-3',
    nursery: null,
    system: false,
    main: true,
    site: s(3),
  },
  { type: 'task.moved', run: 1, ts: 2, id: 5, nursery: 8 },
  { type: 'loop.blocked', run: 1, ts: 2, block: 1, since: 1.5, duration: 120, ongoing: true, task: 5, at: s(5) },
  { type: 'loop.blocked', run: 1, ts: 2, block: 2, since: 1.5, duration: 80, at: null },
  {
    type: 'warning',
    run: 1,
    ts: 2,
    category: 'RuntimeWarning',
    message: "coroutine 'f' was never awaited",
    kind: 'never_awaited',
    site: s(6),
    func: s(1),
    task: 5,
  },
  { type: 'task.state', run: 1, ts: 3, id: 5, state: 'running' },
  { type: 'task.state', run: 1, ts: 3, id: 5, state: 'scheduled', at: null },
  { type: 'task.state', run: 1, ts: 3, id: 5, state: 'waiting', at: s(4), chain: [s(1), s(4)] },
  {
    type: 'task.state',
    run: 1,
    ts: 3,
    id: 5,
    state: 'waiting',
    waits: { kind: 'lock', obj: 7, label: 'trio.Lock', holders: [6], until: 9.5, wakes: true, detail: 'held' },
  },
  { type: 'task.state', run: 1, ts: 3, id: 5, state: 'running', waits: null },
  { type: 'task.exited', run: 1, ts: 4, id: 5, outcome: 'returned' },
  { type: 'task.exited', run: 1, ts: 4, id: 6, outcome: 'raised', error: err },
  {
    type: 'task.exited',
    run: 1,
    ts: 4,
    id: 7,
    outcome: 'cancelled',
    cancel: { source: 'deadline', reason: 'r', by: 5 },
  },
  { type: 'task.flagged', run: 1, ts: 5, id: 5, flag: 'pending_at_close' },
  { type: 'task.flagged', run: 1, ts: 5, id: 5, flag: 'exception_never_retrieved', error: err },
  { type: 'nursery.opened', run: 1, ts: 1, id: 4, task: 3, site: null },
  { type: 'nursery.opened', run: 1, ts: 1, id: 8, task: 3, site: s(2), system: true, start: false, kind: 'taskgroup' },
  { type: 'nursery.opened', run: 1, ts: 1, id: 9, task: 3, site: s(2), system: false, start: true, kind: 'nursery' },
  { type: 'nursery.opened', run: 1, ts: 1, id: 10, task: 3, site: s(2), kind: 'anyio' },
  { type: 'nursery.closed', run: 1, ts: 6, id: 4 },
  { type: 'scope.changed', run: 1, ts: 2, id: 11, task: 5, deadline: null, shield: false, cancel_called: false },
  {
    type: 'scope.changed',
    run: 1,
    ts: 2,
    id: 12,
    task: 5,
    deadline: 12.25,
    shield: true,
    cancel_called: true,
    reason: 'why',
    kind: 'timeout',
    site: s(7),
  },
  {
    type: 'scope.changed',
    run: 1,
    ts: 2,
    id: 13,
    task: 5,
    deadline: 0,
    shield: false,
    cancel_called: false,
    kind: 'cancel_scope',
    site: null,
  },
  ...(['wait_for', 'shield', 'anyio'] as const).map((kind): WireEvent => ({
    type: 'scope.changed',
    run: 1,
    ts: 2,
    id: 14,
    task: 5,
    deadline: null,
    shield: false,
    cancel_called: false,
    kind,
  })),
  {
    type: 'scope.changed',
    run: 1,
    ts: 2,
    id: 15,
    task: 5,
    deadline: 3,
    shield: false,
    cancel_called: true,
    kind: 'cancel_scope',
    call: 'move_on_after',
    cause: { source: 'deadline' },
  },
  { type: 'scope.closed', run: 1, ts: 7, id: 11 },
  { type: 'dropped', run: 1, ts: 8, count: 3, total: 3 },
  { type: 'snapshot.begin', run: 1, ts: 8 },
  { type: 'snapshot.end', run: 1, ts: 8 },
  { type: 'runtime.disabled', reason: 'boom', ts: 9 },
  { type: 'runtime.disabled', reason: 'boom', run: 1, ts: 9 },
];

describe('history event log', () => {
  it('every field of every event type comes back as it went in (absent stays absent, null stays null)', () => {
    for (const [type, props] of propertiesOf) {
      const set = new Set(SAMPLES.filter((e) => e.type === type).flatMap((e) => Object.keys(e)));
      for (const p of props)
        assert.ok(set.has(p), `no sample sets ${type}.${p}: add one (and teach eventCodec.ts the field)`);
    }
    const log = new EventLog();
    SAMPLES.forEach((e) => log.append(e));
    const marks: Logged[] = [
      { mark: 'recording' },
      { mark: 'disconnected', reason: 'gone' },
      { mark: 'problem', message: 'p' },
      { mark: 'judged', ts: 4.5 },
    ];
    marks.forEach((m) => log.append(m));
    assert.equal(log.length, SAMPLES.length + marks.length);
    [...SAMPLES, ...marks].forEach((e, i) =>
      assert.deepEqual(log.event(i), e, `entry ${i} (${'type' in e ? e.type : e.mark})`),
    );
  });

  it('what does not fit the compact forms is kept whole: ids past 2^31, values a later minor may add', () => {
    const log = new EventLog();
    const odd: WireEvent[] = [
      { type: 'task.spawned', run: 1, ts: 1, id: 2 ** 40, name: 'big', nursery: null, system: false, site: null },
      { type: 'task.state', run: 1, ts: 1, id: 5, state: 'sleeping' as 'waiting' },
      {
        type: 'scope.changed',
        run: 1,
        ts: 1,
        id: 5,
        task: 2 ** 33,
        deadline: null,
        shield: false,
        cancel_called: false,
      },
    ];
    odd.forEach((e) => log.append(e));
    odd.forEach((e, i) => assert.equal(log.event(i), e));
  });

  it('time is searchable even where a ts goes back, and each event keeps its own ts', () => {
    const log = new EventLog();
    const ts = [0, 1, 1, 5, 3, 7];
    ts.forEach((t, i) => log.append({ type: 'nursery.closed', run: 1, ts: t, id: i + 1 }));
    assert.deepEqual(
      ts.map((_, i) => (log.event(i) as { ts: number }).ts),
      ts,
    );
    assert.equal(log.countUpTo(-1), 0);
    assert.equal(log.countUpTo(1), 3);
    assert.equal(log.countUpTo(4), 3, 'the event at ts 3 comes after one at 5: it counts from 5 on');
    assert.equal(log.countUpTo(5), 5);
    assert.equal(log.countUpTo(100), 6);
  });

  it('grows in pages, lets old pages go, and says what it holds', () => {
    const log = new EventLog();
    const small = log.bytes();
    const n = PAGE * 2 + 10;
    for (let i = 0; i < n; i++)
      log.append({ type: 'task.state', run: 1, ts: i, id: 1 + (i % 50), state: 'waiting', at: s(i % 30) });
    const big = log.bytes();
    assert.ok(big > small && big < n * 64, `${big} bytes for ${n} events`);
    assert.equal(log.dropBefore(PAGE + 5), PAGE, 'whole pages only');
    assert.ok(log.bytes() < big * 0.7);
    assert.throws(() => log.event(PAGE - 1), /no longer held/);
    assert.deepEqual(log.event(PAGE), {
      type: 'task.state',
      run: 1,
      ts: PAGE,
      id: 1 + (PAGE % 50),
      state: 'waiting',
      at: s(PAGE % 30),
    });
    assert.equal(log.countUpTo(3), PAGE, 'moments before the start are not held');
  });
});
