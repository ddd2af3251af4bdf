// The schema (runtime/protocol/events.schema.json) is the source of truth.
// These tests fail when the TypeScript validator's table drifts from it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { TaskSpawnedEvent, WireEventType, WireLine, WireLineType } from '../../contract/wire';
import { EVENT_SPECS, validateEvent } from '../../extension/collector/protocol';
import { spawned } from './wireEvents';

const schemaPath = join(__dirname, '..', '..', 'runtime', 'protocol', 'events.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
const ajvValidate = ajv.compile(schema);

interface EventDef {
  required: string[];
  properties: Record<string, { const?: unknown }>;
}
const defs: Record<string, EventDef> = {};
for (const [name, def] of Object.entries(schema.$defs as Record<string, EventDef>)) {
  if (!name.startsWith('event.')) continue;
  defs[def.properties.type.const as string] = def;
}

/**
 * One valid sample per event type with every field, written against the
 * TypeScript types: an object literal may not carry a field its type lacks, so
 * `tsc -p test` (npm run check) fails when the schema gains a field (the test
 * below demands it in the sample) that the TypeScript types do not declare.
 */
const site12 = { file: '/abs/prog.py', line: 12, function: 'main' };
/** The fields task.spawned and tasks.spawned (1.3) share, every one set. */
const spawnFields: Omit<TaskSpawnedEvent, 'type' | 'id'> = {
  run: 1,
  ts: 1,
  name: 'worker',
  nursery: null,
  system: false,
  main: false,
  site: site12,
  parent: 3,
  func: site12,
  default_name: 'Task-7',
};
const samples: { [K in WireLineType]: Extract<WireLine, { type: K }> } = {
  hello: {
    type: 'hello',
    protocol: 1,
    minor: 1,
    secret: 'ab',
    runtime: 'trio',
    runtime_version: '0.27.0',
    lens_version: '0.1.0',
    python: '3.11.9',
    pid: 42,
    argv: ['/abs/prog.py'],
    cwd: '/abs',
    instance: 'i1',
    reconnect: 1,
    sys_path: ['/abs', '/usr/lib/python3.11'],
  },
  'run.started': {
    type: 'run.started',
    run: 1,
    ts: 0,
    wall: 1_700_000_000_000,
    resumed: true,
    library: 'asyncio',
    library_version: '3.11.7',
    anyio: '4.4.0',
  },
  'run.finished': {
    type: 'run.finished',
    run: 1,
    ts: 9,
    outcome: 'raised',
    error: {
      type: 'builtins.ExceptionGroup',
      message: 'x',
      site: site12,
      exceptions: [{ type: 'ValueError', message: 'v', site: site12 }],
    },
  },
  'run.stopped': {
    type: 'run.stopped',
    run: 1,
    ts: 10350.5,
    reason: 'The program disconnected before its run finished.',
    session_ended: true,
    running: false,
  },
  'task.spawned': { type: 'task.spawned', id: 5, ...spawnFields },
  'tasks.spawned': {
    type: 'tasks.spawned',
    first: 5,
    after_us: [0, 3, 7],
    default_names: ['Task-7', 'Task-8', 'Task-9'],
    ...spawnFields,
  },
  'task.moved': { type: 'task.moved', run: 1, ts: 2, id: 5, nursery: 6 },
  'task.state': {
    type: 'task.state',
    run: 1,
    ts: 3,
    id: 5,
    state: 'waiting',
    at: site12,
    chain: [site12, site12],
    waits: {
      kind: 'lock',
      obj: 9,
      label: 'Lock lock_a',
      holders: [6],
      until: 2000.5,
      wakes: true,
      detail: '2 waiting',
    },
  },
  'tasks.exited': { type: 'tasks.exited', run: 1, ts: 4, ids: [5, 9], after_us: [0, 12], outcome: 'returned' },
  'task.exited': {
    type: 'task.exited',
    run: 1,
    ts: 4,
    id: 5,
    outcome: 'cancelled',
    error: { type: 'trio.Cancelled', message: '' },
    cancel: {
      source: 'nursery',
      reason: 'x',
      by: 7,
      scope: 4,
      site: site12,
      error: { type: 'ValueError', message: 'bad url' },
    },
  },
  'task.flagged': {
    type: 'task.flagged',
    run: 1,
    ts: 6,
    id: 5,
    flag: 'exception_never_retrieved',
    error: { type: 'ValueError', message: 'v' },
  },
  'loop.blocked': {
    type: 'loop.blocked',
    run: 1,
    ts: 420.5,
    block: 2,
    since: 100.25,
    duration: 320.25,
    ongoing: true,
    task: 5,
    at: site12,
  },
  warning: {
    type: 'warning',
    run: 1,
    ts: 7,
    category: 'RuntimeWarning',
    message: "coroutine 'fetch' was never awaited",
    kind: 'never_awaited',
    site: site12,
    func: site12,
    task: 5,
  },
  'nursery.opened': {
    type: 'nursery.opened',
    run: 1,
    ts: 1,
    id: 4,
    task: 3,
    site: site12,
    system: false,
    start: true,
    kind: 'taskgroup',
  },
  'nursery.closed': { type: 'nursery.closed', run: 1, ts: 5, id: 4 },
  'scope.changed': {
    type: 'scope.changed',
    run: 1,
    ts: 2,
    id: 8,
    task: 3,
    deadline: 1000.5,
    shield: true,
    cancel_called: true,
    reason: 'deadline exceeded',
    kind: 'timeout',
    site: site12,
    call: 'fail_after',
    cause: { source: 'explicit', reason: 'enough', by: 3, site: site12 },
  },
  'scope.closed': { type: 'scope.closed', run: 1, ts: 3, id: 8 },
  dropped: { type: 'dropped', run: 1, ts: 3, count: 5, total: 9 },
  'snapshot.begin': { type: 'snapshot.begin', run: 1, ts: 3 },
  'snapshot.end': { type: 'snapshot.end', run: 1, ts: 3 },
  'runtime.disabled': { type: 'runtime.disabled', reason: 'oops', run: 1, ts: 3 },
};
const sampleOf = (type: string) => samples[type as WireLineType] as unknown as Record<string, unknown>;

describe('protocol: TypeScript validator vs events.schema.json', () => {
  it("knows exactly the schema's event types", () => {
    assert.deepEqual(Object.keys(EVENT_SPECS).sort(), Object.keys(defs).sort());
  });

  for (const type of Object.keys(defs)) {
    it(`${type}: same required and optional fields as the schema`, () => {
      const def = defs[type];
      const spec = EVENT_SPECS[type as keyof typeof EVENT_SPECS];
      assert.ok(spec, `no validator entry for ${type}`);
      assert.deepEqual(
        Object.keys(spec.required).sort(),
        def.required.filter((f) => f !== 'type').sort(),
        'required fields',
      );
      const optional = Object.keys(def.properties).filter((f) => f !== 'type' && !def.required.includes(f));
      assert.deepEqual(Object.keys(spec.optional).sort(), optional.sort(), 'optional fields');
    });

    it(`${type}: the TypeScript-typed sample has every schema field`, () => {
      assert.deepEqual(Object.keys(sampleOf(type)).sort(), Object.keys(defs[type].properties).sort());
    });

    it(`${type}: a full sample passes both ajv and the validator; without each required field both reject it`, () => {
      const sample = sampleOf(type);
      assert.ok(sample, `add a sample for ${type}`);
      assert.ok(ajvValidate(sample), `ajv: ${JSON.stringify(ajvValidate.errors)}`);
      const v = validateEvent(JSON.parse(JSON.stringify(sample)));
      assert.ok(v.ok, JSON.stringify(v));
      assert.equal(v.unknownFields, null);
      for (const field of defs[type].required) {
        if (field === 'type') continue;
        const broken = { ...sample };
        delete broken[field];
        assert.equal(ajvValidate(broken), false, `ajv accepts ${type} without ${field}`);
        assert.equal(validateEvent(broken).ok, false, `validator accepts ${type} without ${field}`);
      }
    });

    it(`${type}: a wrong type in each field is rejected by both`, () => {
      const sample = sampleOf(type);
      for (const field of Object.keys(sample)) {
        if (field === 'type') continue;
        // An object where a scalar belongs, and a string where an object/number belongs.
        const wrong = typeof sample[field] === 'string' ? 12345 : 'not-this';
        const broken = { ...sample, [field]: wrong };
        const ajvOk = ajvValidate(broken);
        const ours = validateEvent(broken).ok;
        assert.equal(ours, ajvOk, `${type}.${field} = ${JSON.stringify(wrong)}: ajv ${ajvOk}, validator ${ours}`);
      }
    });
  }

  // 1.2's objects inside events (a task's waits, a cancel cause): the validator bounds them as the schema does.
  const nested: Array<[WireEventType, string, Record<string, unknown>]> = [
    ['task.state', 'waits', samples['task.state'].waits as unknown as Record<string, unknown>],
    ['task.exited', 'cancel', samples['task.exited'].cancel as unknown as Record<string, unknown>],
    ['scope.changed', 'cause', samples['scope.changed'].cause as unknown as Record<string, unknown>],
  ];
  for (const [type, field, whole] of nested) {
    it(`${type}.${field}: a wrong or oversized value in each of its fields is rejected by both`, () => {
      const wrongs = (v: unknown): unknown[] => [
        typeof v === 'string' ? 12345 : 'not-this',
        typeof v === 'string' ? 'x'.repeat(5000) : [],
        null,
        -1,
      ];
      for (const key of Object.keys(whole)) {
        for (const wrong of wrongs(whole[key])) {
          const broken = { ...sampleOf(type), [field]: { ...whole, [key]: wrong } };
          assert.equal(
            validateEvent(broken).ok,
            ajvValidate(broken),
            `${type}.${field}.${key} = ${JSON.stringify(wrong).slice(0, 40)}`,
          );
        }
      }
    });
  }

  it('task.state.waits: null (nothing known) passes both; more than 16 holders fails both', () => {
    const ok = { ...sampleOf('task.state'), waits: null };
    assert.ok(ajvValidate(ok));
    assert.ok(validateEvent(ok).ok);
    const many = {
      ...sampleOf('task.state'),
      waits: { kind: 'limiter', label: 'CapacityLimiter', holders: Array.from({ length: 17 }, (_, i) => i + 1) },
    };
    assert.equal(ajvValidate(many), false);
    assert.equal(validateEvent(many).ok, false);
  });

  it('reports unknown fields without rejecting the event, as the schema allows', () => {
    const e = { ...spawned(5, 4, 'w', 1), colour: 'red', extra: 1 };
    assert.ok(ajvValidate(e));
    const v = validateEvent(e);
    assert.ok(v.ok);
    assert.deepEqual(v.ok && v.unknownFields, ['colour', 'extra']);
  });

  it('rejects non-objects and unknown event types with their kind', () => {
    assert.deepEqual(validateEvent([1, 2]), { ok: false, kind: 'not-object' });
    assert.deepEqual(validateEvent({ run: 1 }), { ok: false, kind: 'no-type' });
    assert.deepEqual(validateEvent({ type: 'task.teleported' }), {
      ok: false,
      kind: 'unknown-type',
      type: 'task.teleported',
    });
    assert.deepEqual(validateEvent({ type: 'toString' }), { ok: false, kind: 'unknown-type', type: 'toString' });
  });

  // One test per recorded fixture (test/fixtures/*.ndjson, recorded from the examples with the real runtime).
  const fixtureDir = join(__dirname, '..', 'fixtures');
  const fixtures = existsSync(fixtureDir) ? readdirSync(fixtureDir).filter((f) => f.endsWith('.ndjson')) : [];
  for (const f of fixtures) {
    it(`fixture ${f}: validator and ajv agree on every line`, () => {
      let checked = 0;
      for (const line of readFileSync(join(fixtureDir, f), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const value = JSON.parse(line);
        assert.equal(validateEvent(value).ok, ajvValidate(value), `${f}: ${line.slice(0, 200)}`);
        checked++;
      }
      assert.ok(checked > 0, 'an empty fixture');
    });
  }
});
