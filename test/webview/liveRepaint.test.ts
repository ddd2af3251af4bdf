// State changes on a big live tree, in real Chromium: the server tree (a
// 2,000-worker fold, connections, 80 shards) with its fold open and selected.
// A delta of state changes repaints what changed — the changed worker, the
// fold's counts, the details pane's counts — and nothing else: the other nodes
// and the links are not written, no node is drawn anew, the pane keeps its
// buttons. The counts stay right when the fold closes and opens again.
import assert from 'node:assert/strict';
import { Harness, openSession, type Session } from './browser';
import { LiveRun, runsMessage } from './streams';
import { prologue, serverTree, swarm } from './synthetic';

/** serverTree's ids: the pool task is 10, its nursery 11, worker-i is 12 + i. */
const worker = (i: number): number => 12 + i;
const at = (line: number, fn: string) => ({ file: '/home/user/app/swarm.py', line, function: fn });

/** Marks every node and link element, and records what is written from now on (by node key, or `link`). */
async function watchWrites(h: Harness): Promise<void> {
  await h.page.evaluate(() => {
    const w = window as unknown as { __written: string[]; __marked: number };
    w.__written = [];
    w.__marked = 0;
    for (const el of Array.from(document.querySelectorAll('g.node, path.link'))) {
      (el as unknown as { __mark: boolean }).__mark = true;
      w.__marked++;
    }
    new MutationObserver((ms) => {
      for (const m of ms) {
        const el = m.target instanceof Element ? m.target : m.target.parentElement;
        const node = el?.closest<SVGGElement>('g.node');
        if (node) w.__written.push(node.dataset.key ?? '?');
        else if (el?.closest('path.link')) w.__written.push('link');
      }
    }).observe(document.querySelector('svg.tree')!, {
      subtree: true,
      attributes: true,
      childList: true,
      characterData: true,
    });
  });
}

const written = (h: Harness) =>
  h.page.evaluate(() => [...new Set((window as unknown as { __written: string[] }).__written)].sort());
/** Node and link elements drawn since watchWrites (none when the tree was only repainted). */
const drawnAnew = (h: Harness) =>
  h.page.evaluate(
    () =>
      Array.from(document.querySelectorAll('g.node, path.link')).filter(
        (el) => !(el as unknown as { __mark?: boolean }).__mark,
      ).length,
  );

describe('webview: state changes on a big live tree repaint only what changed', function () {
  let s: Session;
  before(async () => {
    s = await openSession();
  });
  after(async () => s?.close());

  it('a changed worker, the fold counts and the details pane; no other node, no link, no new element', async () => {
    const h = await Harness.open(s, { width: 1200, height: 800 });
    const live = new LiveRun('server', 'server.py').feed(serverTree());
    await h.send(runsMessage([live.state]), live.snapshot());
    const fold = h.page.locator('g.node.fold[aria-label^="worker ×2,000"]');
    await fold.click();
    await h.settle(300);
    const key = (await fold.getAttribute('data-key'))!;
    const pane = h.page.locator('aside.details');
    assert.match((await pane.textContent())!, /2,000 waiting/);
    const w40 = h.task('worker-40');
    const w40key = (await w40.getAttribute('data-key'))!;
    assert.match((await w40.getAttribute('class'))!, /\bs-waiting\b/);
    await h.page.evaluate(() => {
      (document.querySelector('aside.details [data-action="toggle-fold"]') as unknown as { __mark: boolean }).__mark =
        true;
    });
    await watchWrites(h);

    // worker-40 (drawn) runs; workers 100-139 (in the fold, not drawn) run too.
    const ts = 10;
    live.feed([
      { type: 'task.state', run: 1, ts, id: worker(40), state: 'running', at: null },
      ...Array.from({ length: 40 }, (_, i) => ({
        type: 'task.state',
        run: 1,
        ts,
        id: worker(100 + i),
        state: 'running',
        at: null,
      })),
    ]);
    await h.send(live.delta()!);
    assert.match((await w40.getAttribute('class'))!, /\bs-running\b/);
    assert.match((await w40.getAttribute('aria-label'))!, /^task worker-40, running/);
    assert.match((await fold.getAttribute('aria-label'))!, /: 41 running, 1959 waiting$/);
    assert.equal(await fold.locator('g.histogram rect').count(), 2);
    assert.deepEqual(await written(h), [key, w40key].sort(), 'only the changed worker and the fold are written');
    assert.equal(await drawnAnew(h), 0, 'no node or link is drawn anew');

    // The pane's counts follow within a quarter second, in place: its buttons stay the same elements.
    await h.settle(300);
    await h.settle();
    const text = (await pane.textContent())!;
    assert.match(text, /41 running/);
    assert.match(text, /1,959 waiting/);
    assert.equal(
      await h.page.evaluate(
        () =>
          !!(document.querySelector('aside.details [data-action="toggle-fold"]') as unknown as { __mark?: boolean })
            ?.__mark,
      ),
      true,
      'the pane was updated in place',
    );

    // worker-40 waits again, somewhere else: its look is computed anew (no stale label).
    live.feed([{ type: 'task.state', run: 1, ts: ts + 1, id: worker(40), state: 'waiting', at: at(150, 'drain') }]);
    await h.send(live.delta()!);
    assert.match((await w40.getAttribute('class'))!, /\bs-waiting\b/);
    assert.match((await w40.textContent())!, /drain/);
    assert.match((await fold.getAttribute('aria-label'))!, /: 40 running, 1960 waiting$/);

    // Folded back and opened again: the same counts.
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press(' ');
    await h.settle();
    assert.match((await fold.getAttribute('aria-label'))!, /folded: 40 running, 1960 waiting$/);
    await h.page.keyboard.press(' ');
    await h.settle();
    assert.match((await fold.getAttribute('aria-label'))!, /unfolded: 40 running, 1960 waiting$/);
    assert.match((await w40.textContent())!, /drain/);
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });
  it("a member of the selected fold that finishes changes the pane's counts, also from running to returned", async () => {
    const h = await Harness.open(s, { width: 1000, height: 700 });
    // swarm's workers cycle waiting, running, scheduled, waiting: 30 of them are 8 running.
    const live = new LiveRun('pool', 'pool.py').feed([...prologue(), ...swarm(30, 'worker')]);
    await h.send(runsMessage([live.state]), live.snapshot());
    const fold = h.page.locator('g.node.fold[aria-label^="worker ×30"]');
    await fold.click();
    await h.settle(300);
    const pane = h.page.locator('aside.details');
    assert.match((await pane.textContent())!, /8 running/);
    // The running ones return ("running" and "returned" begin alike), then a waiting one is cancelled.
    const running = Array.from({ length: 30 }, (_, i) => 10 + i).filter((_, i) => i % 4 === 1);
    live.feed(running.map((id) => ({ type: 'task.exited', run: 1, ts: 5, id, outcome: 'returned' })));
    await h.send(live.delta()!);
    await h.settle(300);
    await h.settle();
    const text = (await pane.textContent())!;
    assert.doesNotMatch(text, /running/);
    assert.match(text, /8 returned/);
    live.feed([{ type: 'task.exited', run: 1, ts: 6, id: 10, outcome: 'cancelled' }]);
    await h.send(live.delta()!);
    await h.settle(300);
    await h.settle();
    assert.match((await pane.textContent())!, /1 cancelled/);
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });
});
