// What stays in view of the server-like tree (2,000 workers; recorded with the
// real runtime) while the view moves, in real Chromium: a fold the user
// opened stays open across a narrower panel, Fit, a new snapshot and deltas;
// a task picked from an editor hint inside a fold is lifted out of it,
// selected and shown; the root's label stays readable when a pan (a node
// opened wide, Follow at a past moment) cuts it at the left edge; the
// timeline's rows leave out what the tree hides in collapsed levels; a
// worker the opened fold slid under the pointer gets no hover card.
// Screenshots at 400, 800 and 1,600 px in light and dark.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inside, overlap } from './boxes';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import type { RunState } from '../../extension/store/runState';
import { LiveHost } from './liveHost';
import { idsByName, serverLike, shutdownEvents } from './serverLike';
import { runsMessage } from './streams';
import { dragTo, rowNames } from './timelineAxis';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const RECORDING = 'test/fixtures/scale/server_like.ndjson.gz';

const fold = (h: Harness) => h.page.locator('g.node.fold[aria-label^="worker ×2,000"]');
const details = (h: Harness) => h.page.locator('aside.details');

/** How the root's label (main) can be read whole in the tree area: its own label, or the one pinned at the edge; '' if not. */
async function rootLabel(h: Harness): Promise<string> {
  const area = (await h.page.locator('svg.tree').boundingBox())!;
  const own = h.page.locator('g.node[aria-level="1"] tspan.name');
  if ((await own.count()) === 1 && (await own.textContent()) === 'main' && inside((await own.boundingBox())!, area))
    return 'its own';
  const pin = h.page.locator('.root-pin');
  if ((await pin.isVisible()) && /\bmain$/.test((await pin.textContent())!) && inside((await pin.boundingBox())!, area))
    return 'pinned';
  return '';
}

/** The recording through the extension's own store, at 1 s (every service and worker running), Follow on. */
async function atOneSecond(h: Harness): Promise<{ host: LiveHost; run: RunState }> {
  const host = await LiveHost.attach(h);
  const run = host.open(RECORDING);
  await host.settle(300);
  await h.page.waitForSelector('g.tl-tick');
  assert.equal(await h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'true');
  await dragTo(h, 1000);
  await host.settle(600);
  await h.page.waitForFunction(() =>
    /^at 1(\.0\d\d s|\d\d\d ms)/.test(document.querySelector('.tl-time')?.textContent ?? ''),
  );
  await host.settle(300);
  return { host, run };
}

describe('webview: what stays in view of a big tree (server-like recording)', function () {
  let s: Session;

  before(async () => {
    s = await openSession();
  });
  after(async () => s?.close());

  it('a fold the user opened stays open across a narrower panel, Fit, a new snapshot and deltas', async () => {
    const h = await Harness.open(s, { width: 800, height: 700 });
    const run = serverLike();
    await h.send(runsMessage([run.state]), run.snapshot());
    await fold(h).click();
    await h.settle(100);
    const key = (await fold(h).getAttribute('data-key'))!;
    assert.equal(await h.page.locator(`g.node[data-parent="${key}"]`).count(), 50, 'a page of members');
    const open = async (when: string) => {
      assert.match(
        (await details(h).textContent())!,
        /Showing 50 of 2,000/,
        `${when}: the fold is still selected and open`,
      );
    };
    await open('opened');
    // A narrower panel closes the levels it cannot fit, not the way to the fold the user opened.
    await h.page.setViewportSize({ width: 400, height: 700 });
    await h.settle(300);
    await open('at 400 px');
    await h.page.getByRole('button', { name: 'Fit' }).click();
    await h.settle(300);
    await open('after Fit');
    await h.send(run.snapshot());
    await h.settle(300);
    await open('after a new snapshot');
    run.feed(shutdownEvents(40));
    await h.send(run.delta()!);
    await h.settle(300);
    await open('after deltas');
    assert.equal(await details(h).getByRole('button', { name: 'Fold back' }).count(), 1);
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });

  it('opening the fold with a click brings no hover card for the worker that slid under the pointer', async () => {
    // The user pass: the fold opened, worker-25 came under the still pointer, and its card covered the tree.
    const h = await Harness.open(s, { width: 1100, height: 700 });
    const run = serverLike();
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle(300);
    const b = (await fold(h).locator('text').boundingBox())!;
    await h.page.mouse.move(b.x + 5, b.y + b.height / 2);
    await h.page.mouse.down();
    await h.page.mouse.up();
    await h.settle(1000); // past the card's delay
    const under = await h.page.evaluate(
      ([x, y]) => document.elementFromPoint(x, y)?.closest('g.node')?.getAttribute('aria-label') ?? '',
      [b.x + 5, b.y + b.height / 2],
    );
    assert.match(under, /^task worker-/, 'a worker slid under the pointer');
    assert.equal(await h.page.locator('.tooltip:not([hidden])').count(), 0, 'and shows no card of its own accord');
    await h.page.mouse.move(b.x + 9, b.y + b.height / 2);
    await h.page.waitForSelector('.tooltip:not([hidden])'); // a move of the pointer's own: a hover
    assert.match((await h.page.locator('.tooltip .strong').textContent())!, /^worker-/);
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });

  for (const width of [380, 800]) {
    it(`at ${width} px typing a name in the filter brings its match into view, readable`, async () => {
      const h = await Harness.open(s, { width, height: 700 });
      try {
        const run = serverLike();
        await h.send(runsMessage([run.state]), run.snapshot());
        await h.settle(200);
        await h.page.locator('input.search').fill('worker-1999');
        await h.settle(300);
        assert.equal(await h.page.locator('.match-count').textContent(), '1 match');
        const name = h.task('worker-1999').locator('tspan.name');
        assert.equal(await name.count(), 1, 'the match is drawn as a node, not a dot');
        const area = (await h.page.locator('svg.tree').boundingBox())!;
        const box = (await name.boundingBox())!;
        assert.ok(
          inside(box, area),
          `worker-1999 (${JSON.stringify(box)}) inside the tree area (${JSON.stringify(area)})`,
        );
        assert.ok(box.height >= 9, `its name is readable (${box.height.toFixed(1)} px high)`);
        assert.deepEqual(h.errors, []);
      } finally {
        await h.page.close();
      }
    });
  }

  for (const [width, height] of [
    [400, 700],
    [800, 700],
    [1600, 900],
  ]) {
    it(`at ${width} px a task picked from an editor hint inside a fold is lifted out of it, selected and shown`, async () => {
      const h = await Harness.open(s, { width, height });
      const run = serverLike();
      await h.send(runsMessage([run.state]), run.snapshot());
      const ids = idsByName(run);
      const picked = [ids.get('worker-1500')!, ids.get('worker-1501')!];
      await h.send({
        type: 'selectTasks',
        run: run.state.info().key,
        ids: picked,
        label: '2 live · server_like.py:143',
      });
      await h.settle(300);
      const member = h.task('worker-1500');
      assert.equal(await member.count(), 1, 'the picked task is drawn');
      assert.equal(await member.getAttribute('aria-selected'), 'true', 'the task itself is selected, not its fold');
      assert.equal(
        await h.page.locator('g.node.fold[aria-selected="true"]').count(),
        0,
        'the fold is not what is selected',
      );
      const workersFold = h.page.locator(`g.node.fold[data-parent="${await member.getAttribute('data-parent')}"]`);
      assert.equal(await workersFold.count(), 1, 'it stands beside its fold');
      assert.match((await details(h).textContent())!, /worker-1500/);
      const area = (await h.page.locator('svg.tree').boundingBox())!;
      assert.ok(inside((await member.locator('.shape').boundingBox())!, area), 'scrolled into view');
      assert.match((await member.getAttribute('class'))!, /\bpicked\b/, 'outlined as picked');
      assert.deepEqual(h.errors, []);
      await h.page.close();
    });
  }

  for (const width of [400, 800])
    it(`at ${width} px the root's label stays readable when opening a node pans the view sideways`, async () => {
      const h = await Harness.open(s, { width, height: 700 });
      const run = serverLike();
      await h.send(runsMessage([run.state]), run.snapshot());
      assert.equal(await rootLabel(h), 'its own', 'the first view shows main');
      if (!(await fold(h).count())) {
        // The narrow panel counted the workers in the pool's collapsed nursery: open it first.
        await h.page
          .locator('g.node', { hasText: /\+2,0\d\d tasks/ })
          .first()
          .locator('.shape')
          .dispatchEvent('click');
        await h.settle(300);
        assert.notEqual(await rootLabel(h), '', 'main readable after opening the pool');
      }
      await fold(h).locator('.shape').dispatchEvent('click');
      await h.settle(300);
      assert.equal(
        (await h.page.locator(`g.node[data-parent="${await fold(h).getAttribute('data-key')}"]`).count()) > 0,
        true,
      );
      assert.notEqual(await rootLabel(h), '', 'main readable after opening the fold (the view panned to its page)');
      assert.deepEqual(h.errors, []);
      await h.page.close();
    });

  it("at 400 px Follow at a past moment keeps the root's label readable", async () => {
    const h = await Harness.open(s, { width: 400, height: 700 });
    const { host } = await atOneSecond(h);
    assert.match((await h.page.locator('.past-badge').textContent())!, /the run as it was then/);
    assert.notEqual(await rootLabel(h), '', 'main readable after Follow panned to the newest task');
    assert.deepEqual(h.errors, []);
    host.dispose();
    await h.page.close();
  });

  it("at 400 px the pinned root label covers no other node's label", async () => {
    const h = await Harness.open(s, { width: 400, height: 700 });
    const { host } = await atOneSecond(h);
    // The user drags the tree to the left: main's column goes out, its children's labels pass under the pin.
    const tree = (await h.page.locator('.tree-area').boundingBox())!;
    await h.page.mouse.move(tree.x + 250, tree.y + 200);
    await h.page.mouse.down();
    await h.page.mouse.move(tree.x + 150, tree.y + 200, { steps: 5 });
    await h.page.mouse.up();
    await host.settle(300);
    assert.equal(await rootLabel(h), 'pinned', 'main is cut at the left edge: its label is pinned');
    const pin = (await h.page.locator('.root-pin').boundingBox())!;
    const root = await h.page.locator('g.node[aria-level="1"]').getAttribute('data-key');
    const labels = await h.page.$$eval(
      'g.node:not(.exiting) text.label',
      (els, rootKey) =>
        els
          .filter((t) => t.closest('g.node')!.getAttribute('data-key') !== rootKey)
          .map((t) => {
            const r = t.getBoundingClientRect();
            return { text: t.textContent ?? '', x: r.x, y: r.y, width: r.width, height: r.height };
          }),
      root,
    );
    const area = (await h.page.locator('svg.tree').boundingBox())!;
    const onScreen = labels.filter((l) => overlap(l, area));
    assert.ok(
      onScreen.some((l) => l.x < pin.x + pin.width),
      "labels start under the pin's column",
    );
    const covered = onScreen.filter((l) => overlap(l, pin)).map((l) => l.text);
    assert.deepEqual(covered, [], 'no label under the pin');
    const badge = (await h.page.locator('.past-badge').boundingBox())!;
    assert.ok(!overlap(badge, pin), "nor over the past moment's badge");
    await h.page.screenshot({ path: join(SHOTS, 'root-pin-400.png') });
    assert.deepEqual(h.errors, []);
    host.dispose();
    await h.page.close();
  });

  it("the timeline's rows leave out what the tree hides in levels the panel's size collapsed", async () => {
    const h = await Harness.open(s, { width: 400, height: 700 });
    const { host } = await atOneSecond(h);
    // At 400 px the services' levels are collapsed: the connections are counted, not drawn.
    const clients = h.task('clients');
    const nursery = h.page.locator(`g.node[data-parent="${await clients.getAttribute('data-key')}"]`);
    assert.equal(await nursery.getAttribute('aria-expanded'), 'false');
    await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length > 0);
    let rows = await rowNames(h);
    for (const name of ['listener', 'clients', 'supervisor', 'pool'])
      assert.ok(rows.includes(name), `${name} has a row`);
    assert.ok(!rows.includes('client-0'), `no rows for what the tree hides (rows: ${rows.join(', ')})`);
    // Opened by the user, the clients' nursery shows its tasks: their rows come back; the listener's level stays out.
    await nursery.locator('.shape').dispatchEvent('click');
    await host.settle(300);
    await h.page.waitForFunction(() =>
      Array.from(document.querySelectorAll('g.tl-row text')).some((t) => t.textContent === 'client-0'),
    );
    rows = await rowNames(h);
    assert.ok(rows.includes('client-0') && rows.includes('client-1'), `the opened level's rows (${rows.join(', ')})`);
    assert.ok(!rows.includes('conn-0'), 'a level still collapsed stays out');
    assert.deepEqual(h.errors, []);
    host.dispose();
    await h.page.close();
  });

  for (const [width, height] of [
    [400, 700],
    [800, 700],
    [1600, 900],
  ])
    for (const theme of ['vscode-light', 'vscode-dark'] as Theme[])
      it(`looks right at ${width} px in ${theme}: a past moment under Follow, a worker picked from a hint (screenshot)`, async () => {
        mkdirSync(SHOTS, { recursive: true });
        const h = await Harness.open(s, { width, height, theme });
        const { host, run } = await atOneSecond(h);
        const worker = run.rows().find((r) => r.kind === 'task' && r.name === 'worker-1500')!;
        await h.send({
          type: 'selectTasks',
          run: run.info().key,
          ids: [worker.id],
          label: '1 live · server_like.py:143',
        });
        await host.settle(300);
        assert.equal(await h.task('worker-1500').getAttribute('aria-selected'), 'true');
        assert.notEqual(await rootLabel(h), '', 'main readable');
        await h.page.screenshot({ path: join(SHOTS, `kept-in-view-${width}-${theme}.png`) });
        assert.deepEqual(h.errors, []);
        host.dispose();
        await h.page.close();
      });
});
