// Time travel's step texts, in Node, on rows the store built from wire
// events: what a waiting task waits for reads as the banners and the details
// say it.
import assert from 'node:assert/strict';
import { HistoryCursor } from '../../extension/store/historyCursor';
import { RunState } from '../../extension/store/runState';
import { eventWords } from '../../webview/timeline/eventWords';
import { event, hungEvents, opened, prologue, site, spawned, waiting } from '../unit/wireEvents';

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

  it('a step onto a block of the loop names the task that held it and for how long, as the Problems panel does', () => {
    const r = new RunState('k', 'blocking.py');
    const block = { type: 'loop.blocked', run: 1, block: 1, since: 100, at: site(50) } as const;
    for (const e of [
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'report', 2),
      { ...block, ts: 250, duration: 150, ongoing: true, task: 5 },
      { ...block, ts: 400, duration: 300, task: 5 },
      { ...block, block: 2, ts: 900, since: 700, duration: 200, at: null },
    ])
      r.apply(e);
    const cursor = new HistoryCursor(r.history!);
    const said: string[] = [];
    for (let m = cursor.move({ at: 0 }); m && said.length < 20; m = cursor.move({ step: 1 })) {
      const rows = new Map(r.rows().map((x) => [x.id, x]));
      if (m.event?.type === 'loop.blocked') said.push(eventWords(m.event, { rows, info: r.info(), hideSystem: true }));
      if (m.pos >= r.history!.length) break;
    }
    assert.deepEqual(said, [
      'report holds the event loop (150 ms so far)',
      'report held the event loop for 300 ms',
      'code outside any task held the event loop for 200 ms',
    ]);
  });
});
