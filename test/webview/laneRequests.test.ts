// When the timeline asks the host for its window (webview/timeline/
// laneRequests.ts), in Node: new rows at once, a live run now and then, a
// live run whose tasks came or ended sooner, an ended run not again.
import assert from 'node:assert/strict';
import { LaneRequests } from '../../webview/timeline/laneRequests';

describe('timeline lane requests (Node)', () => {
  it('asks for new rows at once, then at the live pace: sooner once a task came or ended', () => {
    let now = 1000;
    const r = new LaneRequests(() => now);
    assert.equal(r.due('w', [1, 2], false), true, 'the first draw asks');
    assert.equal(r.due('w', [1, 2], false), false, 'the same rows right after: no');
    assert.equal(r.due('w', [1, 2, 3], false), true, 'a row never asked for: at once');
    now += 300;
    r.refreshIfStale();
    assert.equal(r.due('w', [1, 2, 3], false), false, 'nothing changed: not before a second');
    r.treeChanged(); // a task returned in the tree beside
    r.refreshIfStale();
    assert.equal(r.due('w', [1, 2, 3], false), true, 'a task ended: its lane ends within a quarter second');
    now += 300;
    r.refreshIfStale();
    assert.equal(r.due('w', [1, 2, 3], false), false, 'and back to the slow pace after that answer');
    now += 800;
    r.refreshIfStale();
    assert.equal(r.due('w', [1, 2, 3], false), true, 'a second on: again');
  });

  it('an ended run whose answer reached its end is not asked again, changes or not', () => {
    let now = 1000;
    const r = new LaneRequests(() => now);
    assert.equal(r.due('w', [1], true), true);
    r.treeChanged();
    now += 5000;
    assert.equal(r.due('w', [1], true), false);
    assert.equal(r.due('other window', [1], true), true, 'another window (a zoom) asks');
  });
});
