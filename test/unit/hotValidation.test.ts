import assert from 'node:assert/strict';
import { validateEvent } from '../../extension/collector/protocol';
import { exited, site, spawned, state } from './wireEvents';

// task.spawned / task.exited / task.state are checked by straight-line code
// before the table; these pin that it accepts and rejects exactly what the
// table does (names of bad and unknown fields included).
describe('Hot event types: inline checks agree with the table', () => {
  const roundTrip = (e: unknown) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>;

  it('accepts the usual shapes, with and without their optional fields', () => {
    for (const e of [
      spawned(5, 4, 'leaf', 1.5, { site: site(3) }),
      spawned(5, null, 'main', 0, { main: true }),
      exited(5, 2),
      exited(5, 2, 'raised', { error: { type: 'E', message: 'm' } }),
      exited(5, 2, 'cancelled', { cancel: { source: 'deadline' } }),
      state(5, 1, 'waiting'),
      state(5, 1, 'running', site(9)),
      state(5, 1, 'waiting', null),
      { ...state(5, 1, 'waiting'), waits: { kind: 'lock', obj: 7, label: 'Lock lock_a', holders: [6] } },
      { ...state(5, 1, 'running'), waits: null },
      exited(5, 2, 'cancelled', {
        cancel: { source: 'nursery', by: 6, scope: 4, error: { type: 'ValueError', message: 'x' } },
      }),
    ]) {
      const v = validateEvent(roundTrip(e));
      assert.equal(v.ok, true, JSON.stringify(e));
      assert.equal(v.ok && v.unknownFields, null);
    }
  });

  it('reports an unknown field by name and still accepts the event', () => {
    for (const e of [spawned(5, 4, 'leaf', 1), exited(5, 2), state(5, 1, 'waiting')]) {
      const v = validateEvent(roundTrip({ ...e, colour: 'red' }));
      assert.equal(v.ok, true);
      assert.deepEqual(v.ok && v.unknownFields, ['colour']);
    }
  });

  it('rejects a bad field, naming it, also in optional and nested fields', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...spawned(5, 4, 'leaf', 1), id: 0 }, 'id'],
      [{ ...spawned(5, 4, 'leaf', 1), nursery: 1.5 }, 'nursery'],
      [{ ...spawned(5, 4, 'leaf', 1), site: { file: 'a.py', line: -1, function: 'f' } }, 'site'],
      [{ ...spawned(5, 4, 'leaf', 1), main: 'yes' }, 'main'],
      [{ ...exited(5, 2), ts: -1 }, 'ts'],
      [{ ...exited(5, 2), outcome: 'exploded' }, 'outcome'],
      [{ ...exited(5, 2, 'cancelled'), cancel: { source: 'gremlins' } }, 'cancel'],
      [{ ...exited(5, 2, 'raised'), error: { type: 'E' } }, 'error'],
      [{ ...state(5, 1, 'waiting'), state: 'sleeping' }, 'state'],
      [{ ...state(5, 1, 'waiting'), at: { file: 'a.py' } }, 'at'],
      [{ ...state(5, 1, 'waiting'), run: '1' }, 'run'],
      [{ ...state(5, 1, 'waiting'), waits: { kind: 'lock' } }, 'waits'],
      [{ ...state(5, 1, 'waiting'), waits: { kind: 'lock', label: 'Lock', holders: [0] } }, 'waits'],
      [{ ...exited(5, 2, 'cancelled'), cancel: { source: 'deadline', site: { file: 1 } } }, 'cancel'],
    ];
    for (const [e, field] of cases) {
      const v = validateEvent(roundTrip(e));
      assert.equal(v.ok, false, JSON.stringify(e));
      assert.equal(!v.ok && v.kind === 'invalid' && v.field, field, JSON.stringify(e));
    }
  });
});
