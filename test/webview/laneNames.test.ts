// The timeline's lane names, in Node: cut to the room left of the strip, and
// kept apart when the cut would make two rows in sight read the same.
import assert from 'node:assert/strict';
import { cutApart, cutMiddle } from '../../webview/timeline/laneNames';

describe('timeline lane names (Node)', () => {
  it('cuts in the middle, keeping more of the end', () => {
    assert.equal(cutMiddle('fetch(http://www.cnn.com)', 14), 'fetc….cnn.com)');
    assert.equal(cutMiddle('main', 14), 'main');
  });

  it('names the cut makes alike keep the stretch where they differ; others are cut as before', () => {
    const names = [
      'fetch(https://www.python.org)',
      'fetch(https://www.jython.org)',
      'fetch(http://www.cnn.com)',
      'worker',
      'worker',
    ];
    // as the seventh user pass saw them: python.org and jython.org both read 'fetc…thon.org)'
    assert.equal(cutMiddle(names[0], 14), cutMiddle(names[1], 14));
    const cut = cutApart(names, 14);
    assert.notEqual(cut[0], cut[1]);
    assert.ok(cut[0].includes('python') && cut[1].includes('jython'), cut.join(' | '));
    assert.ok(
      cut.every((c) => c.length <= 14),
      cut.join(' | '),
    );
    assert.deepEqual(cut.slice(2), ['fetc….cnn.com)', 'worker', 'worker'], 'same-named tasks stay alike');
  });
});
