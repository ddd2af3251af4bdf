// Fit holds while nobody moves the view: a live tree that grows a column to
// the right is fitted again, whole, with Follow on (Follow panned to the new
// task and left the end of its label, a lint's badge, cut at the panel's
// edge while the Fit button still showed Fit holding; user pass 5).
import assert from 'node:assert/strict';
import { Harness, suitePage } from './browser';
import { LiveRun, runsMessage } from './streams';
import { prologue, swarm } from './synthetic';

const FILE = '/home/user/app/swarm.py';

/** Right end of the rightmost drawn label, and the tree area's right edge, in page px. */
async function rightEdges(h: Harness): Promise<{ labels: number; area: number }> {
  return h.page.evaluate(() => {
    const area = document.querySelector('.tree-area')!.getBoundingClientRect();
    let right = -Infinity;
    for (const t of Array.from(document.querySelectorAll('g.node text')))
      right = Math.max(right, t.getBoundingClientRect().right);
    return { labels: right, area: area.right };
  });
}

describe('webview: Fit holds as the tree grows', function () {
  let h: Harness;
  suitePage((page) => (h = page), { width: 760, height: 420 });

  it('with Follow on, a new column to the right is fitted whole, not panned to and cut at the edge', async () => {
    await h.page.emulateMedia({ reducedMotion: 'reduce' });
    const run = new LiveRun('grow', 'grow.py').feed([...prologue(), ...swarm(3, 'load')]);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle(100);
    const fit = h.page.getByRole('button', { name: 'Fit' });
    await fit.click();
    await h.settle(60);
    assert.match((await fit.getAttribute('class'))!, /\bfitting\b/);
    // load 10 opens a nursery and starts a task with a long name there: a column more, to the right.
    run.feed([
      { type: 'nursery.opened', run: 1, ts: 5, id: 50, task: 10, site: { file: FILE, line: 30, function: 'load' } },
      {
        type: 'task.spawned',
        run: 1,
        ts: 5.1,
        id: 51,
        name: 'warm cache',
        nursery: 50,
        system: false,
        site: { file: FILE, line: 31, function: 'load' },
      },
    ]);
    await h.send(runsMessage([run.state]), run.delta()!);
    await h.settle(500);
    // Then it gets a badge: its label grows at the right end.
    run.feed([
      {
        type: 'task.flagged',
        run: 1,
        ts: 6,
        id: 51,
        flag: 'exception_never_retrieved',
        error: { type: 'RuntimeError', message: 'nobody looked' },
      },
    ]);
    await h.send(runsMessage([run.state]), run.delta()!);
    await h.settle(1000); // Follow pans at most every 400 ms
    const { labels, area } = await rightEdges(h);
    assert.ok(labels <= area, `the new label ends at ${labels.toFixed(0)} px, the tree area at ${area.toFixed(0)} px`);
    assert.match((await fit.getAttribute('class'))!, /\bfitting\b/, 'and Fit still holds');
    assert.deepEqual(h.errors, []);
  });
});
