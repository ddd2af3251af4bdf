// The timeline's lane names, in Node: cut to the room left of the strip, and
// kept apart when the cut would make two rows in sight read the same.
import assert from 'node:assert/strict';
import type { TimelineLine } from '../../contract/timeline';
import { cutApart, cutMiddle, laneNames } from '../../webview/timeline/laneNames';

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
    assert.deepEqual(cut.slice(2), ['…/www.cnn.com)', 'worker', 'worker'], 'same-named tasks stay alike');
  });

  it('drops the start every cut name shares: it tells no row apart', () => {
    const names = ['crawl', 'fetch(https://www.yahoo.com)', 'fetch(http://www.cnn.com)', 'fetch(http://www.perl.org)'];
    // at 400 px the strip has room for 11 characters: they read `fet…ps://…`, `fet…n.com)`, `fet…l.org)`
    assert.deepEqual(cutApart(names, 11), ['crawl', '…yahoo.com)', '…w.cnn.com)', '….perl.org)']);
    // a start that differs stays: it is what tells the rows apart
    assert.deepEqual(cutApart(['reader-connection-1', 'writer-connection-1'], 11), ['rea…ction-1', 'wri…ction-1']);
    // decided over every lane, not only those in sight, so a row's cut stays as the strip scrolls
    assert.deepEqual(cutApart([names[1]], 11, ['attempt_connect_to', ...names]), ['fet…oo.com)']);
    // names all alike keep their start: it is all there is to read
    assert.deepEqual(cutApart(['a_long_task_name', 'a_long_task_name'], 11), ['a_l…sk_name', 'a_l…sk_name']);
  });

  it("the lanes' names follow a new lane list and a new room (the shared start is decided once per list)", () => {
    const lane = (id: number, name: string) => ({ id, name }) as TimelineLine;
    const fetches = [lane(1, 'fetch(https://www.yahoo.com)'), lane(2, 'fetch(http://www.cnn.com)')];
    assert.equal(laneNames(fetches, fetches, 11).get(1), '…yahoo.com)');
    assert.equal(laneNames(fetches, fetches, 16).get(1), '…/www.yahoo.com)', 'a wider room cuts anew');
    // a lane whose name starts otherwise comes: the rows are a new list, and the start is kept again
    const more = [...fetches, lane(3, 'attempt_connect_to(cnn.com)')];
    assert.equal(laneNames(more.slice(0, 1), more, 11).get(1), 'fet…oo.com)');
  });
});
