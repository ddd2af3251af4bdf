// Where a task's exception was raised (protocol 1.6, `error.site`): checked
// like any site on the way in, kept on the row with a group's leaves, and its
// file becomes one the panel may open.
import assert from 'node:assert/strict';
import { validateEvent } from '../../extension/collector/protocol';
import { task, run } from './runRows';
import { type Ev, exited, prologue, site, spawned } from './wireEvents';

const raisedAt = site(42, '/abs/fetch.py', 'fetch');
const leafAt = site(7, '/abs/parse.py', 'parse');

describe('where an exception was raised (error.site)', () => {
  it('an exit whose error names its line is valid; a malformed site is refused, as any site is', () => {
    const ok = exited(5, 2, 'raised', { error: { type: 'ValueError', message: 'bad url', site: raisedAt } });
    assert.equal(validateEvent(ok).ok, true);
    const raisedWith = (error: Ev): Ev => ({ ...exited(5, 2, 'raised'), error });
    for (const bad of [{ file: '/abs/fetch.py', line: -1, function: 'fetch' }, ['/abs/fetch.py', 42], 'fetch.py:42']) {
      const e = raisedWith({ type: 'ValueError', message: 'bad url', site: bad });
      assert.equal(validateEvent(e).ok, false, JSON.stringify(bad));
    }
    const leaf = raisedWith({
      type: 'ExceptionGroup',
      message: 'x',
      exceptions: [{ type: 'E', message: 'm', site: { line: 3 } }],
    });
    assert.equal(validateEvent(leaf).ok, false, "a leaf's site is checked too");
  });

  it("the row keeps where it was raised, its group's leaves theirs, and those files may be opened", () => {
    const r = run([
      ...prologue(),
      spawned(5, null, 'fetch', 1),
      exited(5, 2, 'raised', {
        error: {
          type: 'ExceptionGroup',
          message: 'unhandled errors in a TaskGroup',
          site: raisedAt,
          exceptions: [
            { type: 'KeyError', message: "'id'", site: leafAt },
            { type: 'OSError', message: 'gone' },
          ],
        },
      }),
    ]);
    const error = task(r, 5).error!;
    assert.deepEqual(error.site, raisedAt);
    assert.deepEqual(error.exceptions?.[0]?.site, leafAt);
    assert.equal(error.exceptions?.[1]?.site, undefined, 'a leaf raised outside the program has none');
    assert.ok(r.reportedFiles.has('/abs/fetch.py') && r.reportedFiles.has('/abs/parse.py'));
  });
});
