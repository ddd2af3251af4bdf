// Time travel's step texts, in Node, on rows the store built from wire
// events: what a waiting task waits for reads as the banners and the details
// say it.
import assert from 'node:assert/strict';
import { RunState } from '../../extension/store/runState';
import { eventWords } from '../../webview/timeline/eventWords';
import { event, hungEvents, waiting } from '../unit/wireEvents';

describe('time travel step texts (Node)', () => {
  it('a task waiting for an object "waits for" it (banners and details say so); one at a line "waits at" it', () => {
    const r = new RunState('k', 'hang.py');
    for (const e of [...hungEvents(), waiting(5, 300, event(11))]) r.apply(e);
    const rows = new Map(r.rows().map((x) => [x.id, x]));
    const c = { rows, info: r.info(), hideSystem: true };
    assert.equal(eventWords({ type: 'task.state', id: 5, state: 'waiting' }, c), 'w1 waits for Event e11');
    // main waits for its nursery: the tree labels it by its line
    assert.match(eventWords({ type: 'task.state', id: 3, state: 'waiting' }, c), /^main waits( at |$)/);
  });
});
