import assert from 'node:assert/strict';
import { RunState } from '../../extension/store/runState';
import type { TaskRow } from '../../contract/rows';
import { exited, opened, prologue, scope, spawned } from './wireEvents';

// Tasks without scopes share one empty list inside the store; a scope given to
// one task must never show up on another.
describe('Scope lists of tasks without scopes', () => {
  it('a scope on one task leaves the others empty, and goes when it closes or the task exits', () => {
    const r = new RunState('c1.r1', 'prog.py');
    for (const e of [
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 1.1),
      spawned(6, 4, 'b', 1.2),
      scope(100, 5, 1.3, { deadline: 9 }),
    ])
      r.apply(e);
    const rows = () => new Map(r.rows().map((x) => [x.id, x as TaskRow]));
    assert.deepEqual(
      rows()
        .get(5)!
        .scopes.map((s) => s.id),
      [100],
    );
    assert.deepEqual(rows().get(6)!.scopes, []);
    r.apply(scope(101, 6, 1.4));
    r.apply({ type: 'scope.closed', run: 1, ts: 1.5, id: 100 });
    assert.deepEqual(rows().get(5)!.scopes, []);
    assert.deepEqual(
      rows()
        .get(6)!
        .scopes.map((s) => s.id),
      [101],
    );
    r.apply(exited(6, 1.6));
    assert.deepEqual(rows().get(6)!.scopes, []);
    r.apply(scope(102, 5, 1.7));
    r.apply(scope(103, 5, 1.8));
    assert.deepEqual(
      rows()
        .get(5)!
        .scopes.map((s) => s.id),
      [102, 103],
    );
    assert.deepEqual(rows().get(3)!.scopes, []);
    // Rows handed out are the consumer's to change.
    rows().get(3)!.scopes.push({ id: 1, deadline: null, shield: false, cancelCalled: false });
    assert.deepEqual(rows().get(4 + 2)!.scopes, []);
  });
});
