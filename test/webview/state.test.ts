// Runs, banners, persistence across reloads, big trees, and theme screenshots.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../contract/messages';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { eventsOf, LiveRun, readStream, recording, runsMessage, snapshotMessage } from './streams';
import { bigTree, prologue, swarm } from './synthetic';

const LIVE = 'test/webview/streams/live.ndjson';
const SHOTS = join(repoRoot, 'screenshots', 'webview');

function liveRun(key = 'live1', label = 'crawl.py'): LiveRun {
  return new LiveRun(key, label).feed(eventsOf(readStream(LIVE)));
}

describe('webview: runs, banners, reloads, scale, themes', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s);
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  it('picks between runs: the picker lists them and posts selectRun', async () => {
    const a = liveRun('c1.r1', 'crawl.py');
    const b = new LiveRun('c2.r1', 'swarm.py').feed([...prologue(), ...swarm(3, 'job')]);
    await h.send(runsMessage([a.state, b.state], 'c1.r1'), a.snapshot());
    const picker = h.page.locator('select.run-picker');
    assert.deepEqual(await picker.locator('option').allTextContents(), [
      'crawl.py · Trio — live',
      'swarm.py · Trio — live',
    ]);
    assert.ok(await h.task('worker_pool').isVisible());
    await h.clearPosted();
    await picker.selectOption('c2.r1');
    assert.deepEqual(await h.posted(), [{ type: 'selectRun', run: 'c2.r1' }]);
    await h.send(b.snapshot());
    assert.equal(await h.task('worker_pool').count(), 0);
    assert.equal(await h.page.locator('g.node[aria-label^="task job,"]').count(), 3);
  });

  it('says when a run finished or lost its connection, and keeps the tree readable', async () => {
    const live = liveRun();
    await h.send(runsMessage([live.state]), live.snapshot());
    assert.equal(await h.page.locator('.banner').count(), 0, 'a live run has no banner');
    // Announced once as it starts: a count there ("0 live tasks") went stale as tasks came.
    assert.match((await h.page.locator('[role="status"]').textContent())!, /: running$/);
    const clear = h.page.getByRole('button', { name: 'Clear finished runs' });
    const toolbarHeight = async () => (await h.page.locator('.toolbar').boundingBox())!.height;
    const before = await toolbarHeight();
    assert.equal(await clear.isDisabled(), true, 'there, and disabled while no run is over');
    live.state.markDisconnected('connection lost');
    await h.send(runsMessage([live.state]), live.delta() ?? live.snapshot());
    const banner = h.page.locator('.banner[data-status="disconnected"]');
    assert.match((await banner.textContent())!, /connection lost — showing the last known state/);
    assert.match((await h.page.locator('[role="status"]').textContent())!, /connection lost/);
    assert.ok((await h.nodes()).length >= 10, 'the tree stays');
    assert.match((await h.page.locator('select.run-picker option').textContent())!, /disconnected/);
    assert.equal(await clear.isEnabled(), true);
    assert.equal(await toolbarHeight(), before, 'the toolbar keeps its rows as the run ends');
    await h.clearPosted();
    await h.page.getByRole('button', { name: 'Clear finished runs' }).click();
    assert.deepEqual(await h.posted(), [{ type: 'command', command: 'clearFinished' }]);
    // Cleared: the empty state, which no longer says "yet" (runs were there).
    await h.send(runsMessage([]));
    assert.equal(await h.page.locator('.empty-state h2').textContent(), 'No runs to show');
  });

  it('a run its debug session ended (Stop) says so, as news, not as a lost connection', async () => {
    const live = liveRun();
    await h.send(runsMessage([live.state]), live.snapshot());
    live.state.markDisconnected('The program disconnected before its run finished.');
    live.state.sessionEnded();
    await h.send(runsMessage([live.state]), live.delta() ?? live.snapshot());
    const banner = h.page.locator('.banner[data-status="disconnected"]');
    assert.match(
      (await banner.textContent())!,
      /the debug session ended before the run did — showing the last known state/,
    );
    assert.equal(await banner.getAttribute('class'), 'banner info', 'not a warning');
    // The run picker says it in the same spirit: stopped, not disconnected.
    assert.match((await h.page.locator('select.run-picker option').textContent())!, / — stopped$/);
    assert.equal(
      await h.page.locator('.banner.problem').count(),
      0,
      'no "disconnected before its run finished" problem',
    );
    assert.ok((await h.nodes()).length >= 10, 'the tree stays');
  });

  it('a run that raised links its banner to the raise line, in sight however narrow the panel', async () => {
    const live = liveRun();
    await h.send(runsMessage([live.state]), live.snapshot());
    const site = { file: '/home/user/crawl.py', line: 41, function: 'main' };
    const message = 'the crawl gave up after too many failures: '.repeat(4);
    live.feed([
      { type: 'run.finished', run: 1, ts: 5000, outcome: 'raised', error: { type: 'RuntimeError', message, site } },
    ]);
    await h.send(runsMessage([live.state]), live.delta() ?? live.snapshot());
    await h.page.setViewportSize({ width: 360, height: 600 });
    try {
      const banner = h.page.locator('.banner[data-status="finished"]');
      assert.match((await banner.textContent())!, /run finished — raised RuntimeError: the crawl .*at main:41$/);
      const link = banner.getByRole('button', { name: 'main:41' });
      const [b, l] = [(await banner.boundingBox())!, (await link.boundingBox())!];
      assert.ok(l.x >= b.x && l.x + l.width <= b.x + b.width, `the link in the banner: ${JSON.stringify([b, l])}`);
      await h.clearPosted();
      await link.click();
      assert.deepEqual(await h.posted(), [{ type: 'openSite', file: site.file, line: 41 }]);
    } finally {
      await h.page.setViewportSize({ width: 1100, height: 700 });
    }
  });

  it("Ctrl-C's line reads as where it interrupted the task, not where the task raised", async () => {
    const live = liveRun();
    const site = { file: '/home/user/crawl.py', line: 33, function: 'fetch' };
    live.feed([
      {
        type: 'task.exited',
        run: 1,
        ts: 5000,
        id: 5,
        outcome: 'raised',
        error: { type: 'KeyboardInterrupt', message: '', site },
      },
    ]);
    await h.send(runsMessage([live.state]), live.snapshot());
    await h.page.locator('g.node[aria-label*="raised, KeyboardInterrupt"]').click();
    await h.settle();
    const pane = (await h.page.locator('aside.details').textContent())!;
    assert.match(pane, /KeyboardInterrupt\s*interrupted at fetch:33/);
    assert.doesNotMatch(pane, /raised at fetch/);
  });

  it('shows dropped events and problems as a notice', async () => {
    const live = liveRun();
    await h.send(runsMessage([live.state]), live.snapshot());
    live.feed([{ type: 'dropped', run: 1, ts: 9, count: 1234, total: 1234 }]);
    live.state.addProblem('3 events had unknown fields');
    await h.send(live.delta() ?? { type: 'delta', run: live.state.info(), upsert: [], remove: [] });
    assert.match((await h.page.locator('.banner.dropped').textContent())!, /1,234 events were dropped/);
    assert.match((await h.page.locator('.banner.problem').textContent())!, /3 events had unknown fields/);
  });

  it('restores collapse, folds, selection, filters, follow and zoom after a reload', async () => {
    const live = new LiveRun('w1', 'swarm.py').feed([
      ...prologue(),
      ...swarm(25, 'fetch_one'),
      ...swarm(2, 'boss', 100),
    ]);
    live.feed([
      { type: 'nursery.opened', run: 1, ts: 5, id: 120, task: 100, site: null },
      { type: 'task.spawned', run: 1, ts: 5, id: 121, name: 'minion', nursery: 120, system: false, site: null },
    ]);
    const show = () => h.send(runsMessage([live.state]), live.snapshot());
    await show();
    await h.page.locator('g.node.fold').click();
    await h.settle();
    await h.task('boss').first().click();
    await h.page.keyboard.press('-');
    await h.page.getByRole('button', { name: 'Hide finished' }).click();
    // A user zoom (wheel) also stops follow mode.
    await h.page.mouse.move(500, 300);
    await h.page.mouse.wheel(0, 200);
    await h.settle(100);
    const before = {
      transform: await h.page.locator('g.viewport').getAttribute('transform'),
      selected: await h.page.locator('g.node[aria-selected="true"]').getAttribute('aria-label'),
      tasks: (await h.nodes()).filter((n) => n.kind === 'task').length,
    };
    assert.equal(await h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'false');
    assert.equal(before.tasks, 28, 'main + 25 unfolded + 2 bosses (minion collapsed)');
    await h.reload();
    assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
    await show();
    assert.equal(await h.page.locator('g.viewport').getAttribute('transform'), before.transform);
    assert.equal(await h.page.locator('g.node[aria-selected="true"]').getAttribute('aria-label'), before.selected);
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, before.tasks);
    assert.equal(await h.task('boss').first().getAttribute('aria-expanded'), 'false');
    assert.equal(await h.page.locator('g.node.fold').getAttribute('aria-expanded'), 'true');
    assert.equal(await h.page.getByRole('button', { name: 'Hide finished' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'false');
    assert.ok(await h.page.locator('aside.details').isVisible());
  });

  it('comes back to the run the user had picked when the host selects another after a reload', async () => {
    const a = liveRun('c1.r1', 'crawl.py');
    const b = new LiveRun('c2.r1', 'swarm.py').feed([...prologue(), ...swarm(3, 'job')]);
    await h.send(runsMessage([a.state, b.state], 'c1.r1'), a.snapshot());
    await h.page.locator('select.run-picker').selectOption('c2.r1');
    await h.send(b.snapshot());
    await h.reload();
    await h.send(runsMessage([a.state, b.state], 'c1.r1'));
    assert.deepEqual(await h.posted(), [{ type: 'ready' }, { type: 'selectRun', run: 'c2.r1' }]);
    assert.equal(await h.page.locator('select.run-picker').inputValue(), 'c2.r1');
  });

  it('takes the run the host chose while the page was away (a debugger pause in another run) over the one it remembers', async () => {
    const a = liveRun('c1.r1', 'crawl.py');
    const b = new LiveRun('c2.r1', 'swarm.py').feed([...prologue(), ...swarm(3, 'job')]);
    await h.send(runsMessage([a.state, b.state], 'c1.r1'), a.snapshot());
    await h.reload(); // the panel was hidden; meanwhile the debugger paused swarm.py
    await h.send({ ...runsMessage([a.state, b.state], 'c2.r1'), chosenAway: true } as HostMessage, b.snapshot());
    assert.deepEqual(await h.posted(), [{ type: 'ready' }], 'no selectRun back to crawl.py');
    // and, the snapshot drawn, it says so: the host sends the next rows only then (rowsFeed.ts)
    assert.deepEqual((await h.posted({ acks: true })).at(-1), { type: 'drawn' });
    assert.equal(await h.page.locator('select.run-picker').inputValue(), 'c2.r1');
  });

  it('draws 10,000 tasks: only what is near the view is in the DOM; zoomed out it becomes an overview', async () => {
    const big = new LiveRun('big', 'big.py').feed(bigTree(100, 100));
    assert.ok(big.state.info().totalTasks >= 10_100);
    await h.send(runsMessage([big.state]), big.snapshot());
    // The first view opens what fits the panel; * on the root opens everything below it.
    const first = await h.page.locator('g.node').count();
    assert.ok(first < 80, `${first} nodes in the first view`);
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Home');
    await h.page.keyboard.press('*');
    await h.settle(100);
    const drawn = await h.page.locator('g.node').count();
    assert.ok(drawn > 20 && drawn < 1500, `${drawn} node elements for 10,201 tasks`);
    const i = big.state.info();
    assert.equal(
      await h.page.locator('.counts').textContent(),
      `${(i.liveTasks - i.systemLive).toLocaleString('en-US')} live · ${(i.totalTasks - i.systemTotal).toLocaleString('en-US')} total`,
      'thousands grouped; the hidden system tasks not counted',
    );
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('f');
    await h.settle(100);
    assert.ok(await h.page.locator('svg.tree.zoomed-out').count());
    assert.equal(await h.page.locator('g.node').count(), 0);
    assert.ok((await h.page.locator('path.ov.task').count()) >= 2, 'one path per state');
    await h.page.screenshot({ path: join(SHOTS, 'big-overview-dark.png') });
    // State changes to many tasks at once repaint without errors.
    const changes = Array.from({ length: 2000 }, (_, i) => ({
      type: 'task.state',
      run: 1,
      ts: 100,
      id: 12 + i * 3,
      state: 'scheduled',
    }));
    big.feed(changes);
    await h.send(big.delta()!);
    assert.deepEqual(h.errors, []);
  });

  it('with motion on, collapsing and expanding animate and settle where the layout says', async () => {
    const m = await Harness.open(s, { motion: true });
    try {
      const live = liveRun();
      await m.send(runsMessage([live.state]), live.snapshot());
      await m.settle(400);
      const before = await m.nodes();
      await m.task('worker_pool').click();
      await m.page.keyboard.press('-');
      await m.settle(60);
      assert.ok((await m.page.locator('g.node.exiting').count()) > 0, 'collapsed nodes fade out');
      await m.settle(400);
      assert.equal(await m.page.locator('g.node').count(), before.length - 4);
      await m.page.keyboard.press('+');
      await m.settle(400);
      const after = await m.nodes();
      const pos = (ns: typeof after) => ns.map((n) => `${n.key}@${n.x},${n.y}`).sort();
      assert.deepEqual(pos(after), pos(before));
      assert.deepEqual(
        await m.page.$$eval('g.node', (els) => els.filter((e) => getComputedStyle(e).opacity !== '1').length),
        0,
      );
    } finally {
      await m.page.close();
    }
  });

  const themes: Theme[] = ['vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light'];
  for (const theme of themes) {
    it(`looks right in ${theme} (screenshots)`, async () => {
      await h.reset(theme);
      const live = liveRun();
      await h.send(runsMessage([live.state]), live.snapshot());
      await h.task('slow_fetch').click();
      await h.settle(150);
      await h.page.screenshot({ path: join(SHOTS, `live-${theme}.png`) });
      const rec = recording('test/fixtures/failing_child.ndjson');
      await h.send(runsMessage(rec), snapshotMessage(rec[0]));
      await h.task('parse feed').click();
      await h.settle(150);
      await h.page.screenshot({ path: join(SHOTS, `failing-${theme}.png`) });
      // Theme colours arrive: a waiting task's marker is not drawn in the default black.
      const colours = await h.page.evaluate(() => {
        const bodyBg = getComputedStyle(document.body).backgroundColor;
        const link = document.querySelector('path.link');
        return { bodyBg, link: link ? getComputedStyle(link).stroke : '' };
      });
      assert.notEqual(colours.link, 'none');
      assert.notEqual(colours.bodyBg, 'rgba(0, 0, 0, 0)');
      assert.deepEqual(h.errors, []);
    });
  }

  it('fold and empty state (screenshots)', async () => {
    await h.reset('vscode-dark');
    await h.page.screenshot({ path: join(SHOTS, 'empty-vscode-dark.png') });
    const live = new LiveRun('w1', 'swarm.py').feed([
      ...prologue(),
      ...swarm(120, 'fetch_one'),
      ...swarm(4, 'watchdog', 300),
    ]);
    await h.send(runsMessage([live.state]), live.snapshot());
    await h.page
      .locator('g.node.fold')
      .click({ position: { x: 40, y: 6 } })
      .catch(() => undefined);
    await h.settle(100);
    await h.page.locator('aside.details').getByRole('button', { name: 'Fold back' }).click();
    await h.settle(100);
    await h.page.screenshot({ path: join(SHOTS, 'fold-vscode-dark.png') });
    assert.equal(await h.page.locator('g.node.fold[aria-expanded="false"]').count(), 1);
  });
});
