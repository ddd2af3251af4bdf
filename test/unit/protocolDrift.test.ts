// The schema (runtime/protocol/events.schema.json) is the source of truth.
// These tests fail when the TypeScript validator's table drifts from it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { EVENT_SPECS, validateEvent } from '../../extension/collector/protocol';
import { closed, exited, hello, moved, opened, runFinished, runStarted, scope, site, spawned, state } from './wireEvents';

const schemaPath = join(__dirname, '..', '..', 'runtime', 'protocol', 'events.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
const ajvValidate = ajv.compile(schema);

interface EventDef { required: string[]; properties: Record<string, { const?: unknown }> }
const defs: Record<string, EventDef> = {};
for (const [name, def] of Object.entries(schema.$defs as Record<string, EventDef>)) {
  if (!name.startsWith('event.')) continue;
  defs[def.properties.type.const as string] = def;
}

/** One valid sample per event type, all optional fields present. */
const samples: Record<string, Record<string, unknown>> = {
  'hello': hello({ reconnect: 1 }),
  'run.started': runStarted(1, { resumed: true }),
  'run.finished': runFinished(9, 'raised', { error: { type: 'builtins.ExceptionGroup', message: 'x', exceptions: [{ type: 'ValueError', message: 'v' }] } }),
  'task.spawned': spawned(5, 4, 'worker', 1, { main: false }),
  'task.moved': moved(5, 6, 2),
  'task.state': state(5, 3, 'waiting', site(12)),
  'task.exited': exited(5, 4, 'cancelled', { error: { type: 'trio.Cancelled', message: '' }, cancel: { source: 'nursery', reason: 'x', by: 7 } }),
  'nursery.opened': opened(4, 3, 1, { system: false, start: true }),
  'nursery.closed': closed(4, 5),
  'scope.changed': scope(8, 3, 2, { deadline: 1000.5, shield: true, cancel_called: true, reason: 'deadline exceeded' }),
  'scope.closed': { type: 'scope.closed', run: 1, ts: 3, id: 8 },
  'dropped': { type: 'dropped', run: 1, ts: 3, count: 5, total: 9 },
  'snapshot.begin': { type: 'snapshot.begin', run: 1, ts: 3 },
  'snapshot.end': { type: 'snapshot.end', run: 1, ts: 3 },
  'runtime.disabled': { type: 'runtime.disabled', reason: 'oops', ts: 3 },
};

describe('protocol: TypeScript validator vs events.schema.json', () => {
  it('knows exactly the schema\'s event types', () => {
    assert.deepEqual(Object.keys(EVENT_SPECS).sort(), Object.keys(defs).sort());
  });

  for (const type of Object.keys(defs)) {
    it(`${type}: same required and optional fields as the schema`, () => {
      const def = defs[type];
      const spec = EVENT_SPECS[type as keyof typeof EVENT_SPECS];
      assert.ok(spec, `no validator entry for ${type}`);
      assert.deepEqual(Object.keys(spec.required).sort(), def.required.filter((f) => f !== 'type').sort(), 'required fields');
      const optional = Object.keys(def.properties).filter((f) => f !== 'type' && !def.required.includes(f));
      assert.deepEqual(Object.keys(spec.optional).sort(), optional.sort(), 'optional fields');
    });

    it(`${type}: a full sample passes both ajv and the validator; without each required field both reject it`, () => {
      const sample = samples[type];
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
      const sample = samples[type];
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
    assert.deepEqual(validateEvent({ type: 'task.teleported' }), { ok: false, kind: 'unknown-type', type: 'task.teleported' });
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
