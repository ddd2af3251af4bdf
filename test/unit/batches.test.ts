// Protocol 1.3's batch lines (tasks.spawned, tasks.exited): a reader draws
// exactly the tree the lines they stand for draw, and refuses a malformed
// batch whole, with a message saying what is wrong.
import assert from 'node:assert/strict';
import { RunStore } from '../../extension/store/runStore';
import { StreamReader } from '../../extension/collector/streamReader';
import { expandBatch } from '../../extension/collector/batches';
import { eventsOfRun } from '../../extension/export/runLines';
import {
  MAX_BATCH,
  type TaskSpawnedEvent,
  type TasksExitedEvent,
  type TasksSpawnedEvent,
  type WireEvent,
} from '../../contract/wire';
import type { TaskRow } from '../../contract/rows';
import { exited, hello, opened, prologue, spawned } from './wireEvents';

/** The run 1 a reader builds from these lines, and what it warned. */
function read(lines: object[]) {
  const store = new RunStore();
  const stream = store.openStream({ launchKey: 'k', instance: 'i' });
  const warnings: string[] = [];
  const reader = new StreamReader(stream, { warn: (m) => warnings.push(m) }, 'i');
  reader.setHello(hello({ instance: 'i', minor: 3 }));
  reader.lines(lines.map((l) => JSON.stringify(l)));
  return { state: stream.runs.get(1)!, warnings };
}

const N = 40;
// offsets of 250 µs: each expanded ts is exact in binary, so trees compare equal
const offsets = Array.from({ length: N - 1 }, (_, i) => (i + 1) * 250);
const leaf = (id: number, ts: number) =>
  spawned(id, 4, 'leaf', ts, { site: { file: '/abs/p.py', line: 7, function: 'main' } });
const batchOfSpawns: TasksSpawnedEvent = (() => {
  const { id: _id, type: _type, ...shared } = leaf(6, 1);
  return { ...shared, type: 'tasks.spawned', first: 6, ts: 1, after_us: offsets };
})();
const exitIds = Array.from({ length: N }, (_, i) => 5 + ((i * 7) % N)); // any order
const batchOfExits: TasksExitedEvent = {
  type: 'tasks.exited',
  run: 1,
  ts: 3,
  ids: exitIds,
  after_us: exitIds.map((_, i) => i * 500),
  outcome: 'returned',
};

describe('protocol 1.3: batch lines', () => {
  const head: WireEvent[] = [...prologue(), opened(4, 3, 0.5), leaf(5, 0.75)];

  it('a tasks.spawned and a tasks.exited draw the tree their task.spawned and task.exited lines draw', () => {
    const one = read([
      ...head,
      ...offsets.map((o, i) => leaf(6 + i, 1 + o / 1000)),
      ...exitIds.map((id, i) => exited(id, 3 + (i * 500) / 1000)),
    ]);
    const batched = read([...head, batchOfSpawns, batchOfExits]);
    assert.deepEqual(batched.warnings, []);
    assert.deepEqual(one.warnings, []);
    assert.deepEqual(batched.state.rows(), one.state.rows());
    assert.deepEqual(batched.state.info(), one.state.info());
    const leaves = batched.state.rows().filter((r) => r.kind === 'task' && r.name === 'leaf');
    assert.equal(leaves.length, N);
  });

  it('before the exits, the batch spawned every task alive in its nursery, each at its own time', () => {
    const { state } = read([...head, batchOfSpawns]);
    const ids = expandBatch(batchOfSpawns).map((e) => (e as { id: number }).id);
    assert.deepEqual(
      ids,
      Array.from({ length: N - 1 }, (_, i) => 6 + i),
    );
    const times = expandBatch(batchOfSpawns).map((e) => (e as TaskSpawnedEvent).ts);
    assert.deepEqual(times.slice(0, 3), [1.25, 1.5, 1.75]);
    const live = state.rows().filter((r) => r.kind === 'task' && r.name === 'leaf' && r.exitedAt === undefined);
    assert.equal(live.length, N);
  });

  const broken: Array<[string, object, RegExp]> = [
    ['ids and after_us of different lengths', { ...batchOfExits, after_us: [0] }, /tasks\.exited.*"after_us"/],
    [
      'more than MAX_BATCH tasks',
      { ...batchOfSpawns, after_us: new Array(MAX_BATCH + 1).fill(0) },
      /tasks\.spawned.*"after_us"/,
    ],
    ['a negative offset', { ...batchOfSpawns, after_us: [0, -5] }, /tasks\.spawned.*"after_us"/],
    ['ids past 2^53 - 1', { ...batchOfSpawns, first: Number.MAX_SAFE_INTEGER }, /tasks\.spawned.*"first"/],
    ['an outcome other than returned', { ...batchOfExits, outcome: 'raised' }, /tasks\.exited.*"outcome"/],
  ];
  for (const [what, line, message] of broken)
    it(`a batch with ${what} is refused whole, and said`, () => {
      const { state, warnings } = read([...head, line]);
      const before = read(head).state;
      assert.deepEqual(state.rows(), before.rows());
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], message);
    });

  it('a batch task the store refuses is refused alone, and the message names the batch', () => {
    // id 6 is a nursery already: the batch's first task would share its id; the rest are new
    const { state, warnings } = read([...head, opened(6, 3, 0.9), batchOfSpawns]);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0],
      /task\.spawned event \(of a tasks\.spawned line\).*refused: .*one id to a task and a nursery/,
    );
    assert.equal(state.rows().filter((r) => r.kind === 'task' && r.name === 'leaf').length, N - 1);
  });

  it("asyncio's tasks: each keeps its own default name (Task-N) from default_names", () => {
    const named: TasksSpawnedEvent = { ...batchOfSpawns, default_names: offsets.map((_, i) => `Task-${20 + i}`) };
    const events = expandBatch(named) as TaskSpawnedEvent[];
    assert.deepEqual(
      events.slice(0, 2).map((e) => [e.id, e.name, e.default_name]),
      [
        [6, 'leaf', 'Task-20'],
        [7, 'leaf', 'Task-21'],
      ],
    );
    const { state, warnings } = read([...head, named]);
    assert.deepEqual(warnings, []);
    assert.equal(state.rows().filter((r) => r.kind === 'task' && r.name === 'leaf').length, N);
    const row = state.rows().find((r) => r.id === 7) as TaskRow;
    assert.equal(row.defaultName, 'Task-21');
    const { warnings: short } = read([...head, { ...named, default_names: ['Task-1'] }]);
    assert.match(short.join('\n'), /tasks\.spawned.*"default_names"/);
  });

  it('an exported run holds the events a batch stands for', () => {
    const text = [hello({ instance: 'i', minor: 3 }), ...head, batchOfSpawns, batchOfExits]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const { events } = eventsOfRun(text, { program: 1, run: 1 });
    assert.equal(events.filter((e) => e.type === 'task.spawned' && e.name === 'leaf').length, N);
    assert.equal(events.filter((e) => e.type === 'task.exited').length, N);
    assert.ok(events.every((e) => !e.type.startsWith('tasks.')));
  });
});
