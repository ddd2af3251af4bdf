// The task tree in real Chromium: what a user sees of one run (shapes, states,
// legend, details, errors), as it changes, and when its rows are odd.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../contract/messages';
import { suitePage, type Harness } from './browser';
import { eventsOf, LiveRun, readStream, recording, runsMessage, showLive, snapshotMessage } from './streams';
import { cycleRows, prologue, swarm } from './synthetic';

const LIVE = 'test/webview/streams/live.ndjson';
const FAILING = 'test/webview/streams/failing.ndjson';

describe('webview: task tree', function () {
  let h: Harness;
  suitePage((page) => (h = page));

  it('says ready once, acquires the VS Code API once, and breaks no CSP rule', async () => {
    const posted = await h.posted();
    assert.deepEqual(posted, [{ type: 'ready' }]);
    assert.equal(await h.page.evaluate(() => (window as unknown as { __acquired: number }).__acquired), 1);
    await showLive(h);
    assert.deepEqual(await h.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(h.errors, []);
  });

  it('explains how to start when there is no run, and its buttons post commands', async () => {
    const empty = h.page.locator('.empty-state');
    assert.ok(await empty.isVisible());
    const text = await empty.textContent();
    assert.match(text!, /F5/);
    assert.match(text!, /trio\.run\(\)/);
    // In a narrow panel too, no command is cut across lines (`--record` was split at its hyphens).
    const size = h.page.viewportSize()!;
    await h.page.setViewportSize({ width: 400, height: 600 });
    const lines = await empty
      .locator('code')
      .evaluateAll((els) => els.map((e) => [e.textContent, e.getClientRects().length]));
    assert.ok(
      lines.every(([, n]) => n === 1),
      JSON.stringify(lines),
    );
    await h.page.setViewportSize(size);
    await h.clearPosted();
    await h.page.getByRole('button', { name: 'Run Python File with Task Tree' }).click();
    await h.page.getByRole('button', { name: 'Open Recording…' }).click();
    assert.deepEqual(await h.posted(), [
      { type: 'command', command: 'runFile' },
      { type: 'command', command: 'openRecording' },
    ]);
    await showLive(h);
    assert.equal(await empty.isVisible(), false);
  });

  it('draws tasks and nurseries as different shapes, with the main task as root and system tasks hidden', async () => {
    await showLive(h);
    const nodes = await h.nodes();
    const tasks = nodes.filter((n) => n.kind === 'task');
    const nurseries = nodes.filter((n) => n.kind === 'nursery');
    assert.equal(tasks.length, 8, 'main, fetch, slow_fetch, crasher, worker_pool, 3 workers');
    assert.equal(nurseries.length, 2);
    const shapes = await h.page.$$eval('g.node .shape', (els) => [
      ...new Set(els.map((e) => `${(e.parentNode as SVGGElement).dataset.kind}:${e.getAttribute('d')}`)),
    ]);
    assert.equal(new Set(shapes.map((x) => x.split(':')[1])).size, 2, 'one outline per kind');
    const roots = nodes.filter((n) => n.parent === null);
    assert.equal(roots.length, 1);
    assert.match(roots[0].aria, /^task __main__\.main, /);
    assert.equal(roots[0].text.trim(), 'main', 'a qualified name is drawn by its last part');
    assert.ok(!nodes.some((n) => n.text.includes('<init>') || n.text.includes('run_sync_soon')));
    // Children sit right of their parent; siblings are stacked.
    const byKey = new Map(nodes.map((n) => [n.key, n]));
    for (const n of nodes) if (n.parent) assert.ok(n.x > byKey.get(n.parent)!.x, `${n.text} right of its parent`);
    const workers = tasks.filter((t) => t.text.startsWith('worker') && !t.text.startsWith('worker_pool'));
    assert.equal(new Set(workers.map((w) => w.parent)).size, 1);
    assert.equal(new Set(workers.map((w) => w.y)).size, 3);
    const pool = tasks.find((t) => t.text.startsWith('worker_pool'))!;
    assert.equal(byKey.get(workers[0].parent!)!.parent, pool.key, 'workers → nursery → worker_pool');
  });

  it("follows the host's default for system tasks until the user chooses", async () => {
    await h.send({ type: 'config', hideSystemDefault: false });
    await showLive(h);
    assert.deepEqual(
      (await h.nodes()).filter((n) => n.parent === null).map((n) => n.text.trim()),
      ['<init>'],
    );
    assert.equal(await h.page.getByRole('button', { name: 'Hide system' }).getAttribute('aria-pressed'), 'false');
  });

  it('explains shapes and icons in a legend', async () => {
    await showLive(h);
    const button = h.page.getByRole('button', { name: 'Legend' });
    await button.click();
    const items = await h.page.locator('.legend li').allTextContents();
    for (const word of [
      'running',
      'scheduled',
      'waiting',
      'returned',
      'raised',
      'cancelled',
      'lost',
      'nursery (Trio), TaskGroup (asyncio), task group (AnyIO)',
    ])
      assert.ok(items.includes(word), word);
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    await button.click();
    assert.equal(await h.page.locator('.legend').isVisible(), false);
    // It closes as popups do: a click elsewhere (the tree), or Escape (on the tree too, where it does nothing else).
    await button.click();
    await h.page.locator('svg.tree').click({ position: { x: 5, y: 5 } });
    assert.equal(await h.page.locator('.legend').isVisible(), false, 'a click on the tree closes it');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await button.click();
    await h.page.locator('.legend').click();
    assert.equal(await h.page.locator('.legend').isVisible(), true, 'a click inside keeps it open');
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Escape');
    assert.equal(await h.page.locator('.legend').isVisible(), false, 'Escape closes it');
    // A click outside the panel (the editor): the page only sees its window lose focus.
    await button.click();
    await h.page.evaluate(() => window.dispatchEvent(new Event('blur')));
    assert.equal(await h.page.locator('.legend').isVisible(), false, 'a click outside the panel closes it');
  });

  it('shows each state by class and icon, with await sites, countdown and shield', async () => {
    await showLive(h);
    const nodes = await h.nodes();
    const state = (name: string) => nodes.find((n) => n.text.trim().startsWith(name))!;
    assert.match(state('fetch').cls, /s-waiting/);
    assert.match(state('fetch').text, /fetch:20/, 'where it waits: function and line');
    assert.match(state('fetch').aria, /task fetch, waiting, at crawl\.py:20 in fetch/);
    const icons = await h.page.$$eval('g.node.task', (els) =>
      Object.fromEntries(
        els.map((e) => [/s-(\w+)/.exec(e.getAttribute('class')!)![1], e.querySelector('.icon')!.getAttribute('d')]),
      ),
    );
    assert.ok(icons.running && icons.waiting && icons.scheduled);
    assert.equal(new Set(Object.values(icons)).size, Object.keys(icons).length, 'a distinct icon per state');
    // slow_fetch has a 30 s deadline (run-relative); the run clock is live, so it counts down.
    const badge = () => h.page.locator('g.node', { hasText: 'slow_fetch' }).locator('tspan.badge').textContent();
    const first = (await badge())!.trim();
    assert.match(first, /^\d+(\.\d)?s$/);
    await h.page.waitForTimeout(1100);
    await h.settle();
    const later = (await badge())!.trim();
    assert.ok(parseFloat(later) < parseFloat(first), `${later} < ${first}`);
    assert.match(state('worker_pool').text, /shielded/);
    assert.match(state('worker_pool').cls, /shielded/);
  });

  it('applies deltas: a raising child shows its error type and is linked to the siblings it cancelled', async () => {
    const live = await showLive(h);
    const rest = eventsOf(readStream(FAILING)).slice(eventsOf(readStream(LIVE)).length);
    live.feed(rest.filter((e) => e.id === 7 || e.id === 5 || e.id === 6));
    await h.send(live.delta()!);
    const nodes = await h.nodes();
    const crasher = nodes.find((n) => n.aria.startsWith('task crasher'))!;
    assert.match(crasher.cls, /s-raised/);
    assert.match(crasher.text, /ValueError/);
    for (const name of ['fetch', 'slow_fetch']) {
      const victim = nodes.find((n) => n.aria.startsWith(`task ${name},`))!;
      assert.match(victim.cls, /s-cancelled/);
      assert.match(victim.text, /← crasher/, 'a cancelled task names its cause');
      assert.match(victim.aria, /cancelled by crasher/);
    }
    const links = await h.page.$$eval('path.cancel-link', (els) =>
      els.map((e) => [e.getAttribute('data-failer'), e.getAttribute('data-victim'), e.getAttribute('class')]),
    );
    assert.equal(links.length, 2);
    assert.ok(links.every(([f, , c]) => f === crasher.key && c === 'cancel-link'));
    await h.page.locator('g.node[aria-label^="task crasher"]').hover();
    await h.settle();
    assert.equal(
      await h.page.locator('path.cancel-link.hl').count(),
      2,
      'hovering the failing task highlights its links',
    );
    await h.page.mouse.move(5, 600);
    await h.settle();
    assert.equal(await h.page.locator('path.cancel-link.hl').count(), 0);
  });

  it('selecting a node opens its details; the site buttons post openSite', async () => {
    await showLive(h);
    await h.nodeByText('slow_fetch').click();
    await h.settle();
    const pane = h.page.locator('aside.details');
    assert.ok(await pane.isVisible());
    const text = (await pane.textContent())!;
    assert.match(text, /slow_fetch/);
    assert.match(text, /#6/);
    assert.match(text, /waiting/);
    assert.match(text, /Spawnedmain:32 · crawl\.py/);
    assert.match(text, /Waits atslow_fetch:25 · crawl\.py/);
    assert.match(text, /deadline/);
    assert.match(text, /#4 crawl\.py:30 of/);
    await h.clearPosted();
    await pane.getByRole('button', { name: 'Go to spawn site' }).click();
    await pane.getByRole('button', { name: 'Go to await site' }).click();
    assert.deepEqual(await h.posted(), [
      { type: 'openSite', file: '/home/user/app/crawl.py', line: 32 },
      { type: 'openSite', file: '/home/user/app/crawl.py', line: 25 },
    ]);
    assert.equal(await h.nodeByText('slow_fetch').getAttribute('aria-selected'), 'true');
  });

  it('shows the error message and group members of a failed main task', async () => {
    const rec = recording(FAILING);
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    await h.task('__main__.main').click();
    await h.settle();
    const text = (await h.page.locator('aside.details').textContent())!;
    assert.match(text, /ExceptionGroup: Exceptions from Trio nursery/);
    assert.match(text, /ValueError: bad feed: <b>not html<\/b>/);
    assert.equal(await h.page.locator('aside.details b').count(), 0, 'the message is text, not markup');
    assert.doesNotMatch(text, /<init>/, "no owner line naming Trio's own nursery for the main task");
    // named as the tree names it, the whole name beside
    assert.equal(await h.page.locator('aside.details .title-text').textContent(), 'main');
    assert.equal(await h.page.locator('aside.details .title .full-name').textContent(), '__main__.main');
  });

  it('shows tasks folded away by retention as one "N finished (folded)" leaf of their nursery', async () => {
    const run = new LiveRun('r', 'r.py', { retainFinished: 5 }).feed([...prologue(), ...swarm(30, 'job')]);
    run.feed(
      Array.from({ length: 30 }, (_, i) => ({
        type: 'task.exited',
        run: 1,
        ts: 50,
        id: 10 + i,
        outcome: i % 10 ? 'returned' : 'raised',
        error: i % 10 ? undefined : { type: 'OSError', message: 'x' },
      })),
    );
    await h.send(runsMessage([run.state]), run.snapshot());
    const leaf = h.page.locator('g.node[data-kind="retired"]');
    assert.equal(await leaf.count(), 1);
    assert.match((await leaf.textContent())!, /25 finished \(folded\)/);
    assert.match((await leaf.getAttribute('aria-label'))!, /returned.*raised|raised.*returned/);
    await leaf.click();
    await h.settle();
    // its count takes in what each folded task started (counts of deep trees read as not adding up)
    assert.match((await h.page.locator('aside.details').textContent())!, /each with every task it started/);
    assert.equal(
      await h.page.locator(`g.node[data-key="${await leaf.getAttribute('data-parent')}"]`).getAttribute('data-kind'),
      'nursery',
    );
  });

  it('draws the rest of the tree within a second when parents form a cycle (a cancel link leads into it)', async () => {
    const live = new LiveRun('loop', 'crawl.py').feed(eventsOf(readStream(LIVE)));
    const snapshot = live.snapshot() as Extract<HostMessage, { type: 'snapshot' }>;
    const messages: HostMessage[] = [
      runsMessage([live.state]),
      { ...snapshot, rows: [...snapshot.rows, ...cycleRows()] },
    ];
    const t0 = Date.now();
    await h.page.evaluate((ms) => {
      for (const m of ms) window.postMessage(m, '*');
    }, messages as unknown[]);
    // A page stuck in a loop never draws, and this wait gives up after the second.
    await h.page.waitForFunction(() => document.querySelectorAll('g.node').length > 0, undefined, { timeout: 1000 });
    assert.ok(Date.now() - t0 < 1000, `drawn after ${Date.now() - t0} ms`);
    await h.settle();
    const names = (await h.nodes())
      .filter((n) => n.kind === 'task')
      .map((n) => /^task (.*?),/.exec(n.aria)![1])
      .sort();
    assert.deepEqual(names, [
      '__main__.main',
      'cancelled_by_loop',
      'crasher <img src=x onerror=window.__xss=1>',
      'fetch',
      'slow_fetch',
      'under_the_loop',
      'worker',
      'worker',
      'worker',
      'worker_pool',
    ]);
    // Following the newest task (in the loop) and opening the details of the loop's victim leave the page alive.
    await h.task('cancelled_by_loop').click();
    await h.settle();
    assert.match((await h.page.locator('aside.details').textContent())!, /cancelled_by_loop/);
    assert.deepEqual(h.errors, []);
  });
});
