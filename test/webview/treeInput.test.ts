// The task tree in real Chromium, driven by the user: keyboard, filter, folds,
// what is hidden, hover, wheel and zoom, following new activity.
import assert from 'node:assert/strict';
import { suitePage, type Harness } from './browser';
import { LiveRun, recording, runsMessage, showLive, snapshotMessage } from './streams';
import { prologue, swarm } from './synthetic';
import type { TaskRow } from '../../contract/rows';
import { earlyThenJobs, jobGroups } from '../unit/wireEvents';

const FAILING = 'test/webview/streams/failing.ndjson';

describe('webview: task tree, driven by the user', function () {
  let h: Harness;
  suitePage((page) => (h = page));

  it("a task's details say how many of its task groups and their tasks were let go, and its fold counts keep them", async () => {
    const live = new LiveRun('jobs1', 'jobs.py', { retainFinished: 10 }).feed(jobGroups(150).events);
    await h.send(runsMessage([live.state]), live.snapshot());
    const jobs = live.state.rows().find((r): r is TaskRow => r.kind === 'task' && r.name === 'jobs')!;
    const { nurseries, count } = jobs.folded!;
    await h.task('jobs').click();
    await h.settle();
    const details = (await h.page.locator('aside.details').innerText()).replace(/\s+/g, ' ');
    assert.ok(
      details.includes(`Folded away ${nurseries} closed task groups below it, with ${count} finished tasks`),
      details,
    );
    await h.page.keyboard.press('-');
    await h.settle();
    assert.match((await h.task('jobs').textContent())!, /\+300 tasks in 150 nurseries · 15 raised/);
    // a task whose only group was let go: nothing left to open, its count still drawn
    const early = new LiveRun('jobs2', 'jobs.py', { retainFinished: 10 }).feed(earlyThenJobs(120));
    await h.send(runsMessage([early.state]), early.snapshot());
    await h.settle();
    assert.match((await h.task('early').textContent())!, /\+2 tasks in 1 nursery/);
  });

  it('walks the tree with the keyboard and collapses with -, +, Space', async () => {
    await showLive(h);
    const tree = h.page.locator('svg.tree');
    await tree.focus();
    const selected = async () => (await h.page.locator('g.node[aria-selected="true"]').textContent())?.trim();
    await h.page.keyboard.press('Home');
    await h.settle();
    assert.equal(await selected(), 'main');
    assert.equal(
      await tree.getAttribute('aria-activedescendant'),
      await h.page.locator('g.node[aria-selected="true"]').getAttribute('id'),
    );
    assert.equal(await tree.getAttribute('role'), 'tree');
    const fetch = h.task('fetch');
    assert.deepEqual(
      [
        await fetch.getAttribute('role'),
        await fetch.getAttribute('aria-level'),
        await fetch.getAttribute('aria-posinset'),
        await fetch.getAttribute('aria-setsize'),
      ],
      ['treeitem', '3', '1', '4'],
    );
    await h.page.keyboard.press('ArrowRight');
    await h.page.keyboard.press('ArrowRight');
    await h.settle();
    assert.match((await selected())!, /^fetch/);
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('ArrowDown');
    await h.settle();
    assert.match((await selected())!, /^worker_pool/);
    await h.page.keyboard.press('ArrowLeft');
    await h.settle();
    assert.equal(await h.page.locator('g.node[aria-selected="true"]').getAttribute('data-kind'), 'nursery');
    await h.page.keyboard.press('ArrowRight');
    for (let i = 0; i < 3; i++) await h.page.keyboard.press('ArrowDown');
    await h.settle();
    const pool = h.nodeByText('worker_pool');
    assert.equal(await pool.getAttribute('aria-expanded'), 'true');
    await h.page.keyboard.press('-');
    await h.settle();
    assert.equal(await pool.getAttribute('aria-expanded'), 'false');
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 5, 'the workers are collapsed away');
    assert.match((await pool.textContent())!, /\+3 tasks in 1 nursery/, 'a collapsed node says what it hides');
    await h.page.keyboard.press('+');
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 8);
    await h.page.keyboard.press(' ');
    await h.settle();
    assert.equal(await pool.getAttribute('aria-expanded'), 'false');
    await h.page.keyboard.press('Enter');
    await h.settle();
    assert.match((await h.page.locator('aside.details').textContent())!, /worker_pool/);
    await h.page.keyboard.press('/');
    assert.equal(await h.page.evaluate(() => document.activeElement?.className), 'search');
  });

  it('coming back to the panel, the keyboard lands where it was, else on the tree, never on the page itself', async () => {
    await showLive(h);
    // VS Code focuses the page's window (Ctrl+1/2, the panel's tab): the focus was on <body>, where arrows do nothing.
    const comeBack = async () => {
      await h.page.evaluate(() => {
        (document.activeElement as HTMLElement | null)?.blur();
        window.dispatchEvent(new FocusEvent('focus'));
      });
      await h.page.waitForTimeout(50);
      return h.page.evaluate(() => document.activeElement?.getAttribute('class') ?? document.activeElement?.tagName);
    };
    assert.equal(await comeBack(), 'tree', 'a first visit: the tree');
    await h.page.keyboard.press('Home');
    await h.page.keyboard.press('ArrowRight');
    await h.settle();
    await h.page.locator('input.search').focus();
    assert.equal(await comeBack(), 'search', 'where it was');
    await h.page.locator('svg.tree').focus();
    assert.equal(await comeBack(), 'tree');
    await h.page.keyboard.press('ArrowRight');
    await h.settle();
    assert.match(
      (await h.page.locator('g.node[aria-selected="true"]').textContent())!,
      /^fetch|nursery/,
      'the arrows work',
    );
    // Back with the pointer (a click on text that takes no focus): the focus is left where the click put it.
    const backByPointer = await h.page.evaluate(async () => {
      (document.activeElement as HTMLElement | null)?.blur();
      document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
      window.dispatchEvent(new FocusEvent('focus'));
      await new Promise((r) => setTimeout(r, 50));
      return document.activeElement?.tagName;
    });
    assert.equal(backByPointer, 'BODY');
  });

  it('filters by name, keeping the path to each match', async () => {
    await showLive(h);
    await h.page.locator('input.search').fill('work');
    await h.settle();
    const nodes = await h.nodes();
    const names = nodes.filter((n) => n.kind === 'task').map((n) => n.text.trim().split(' ')[0]);
    assert.deepEqual(names.sort(), ['main', 'worker', 'worker', 'worker', 'worker_pool']);
    assert.equal(nodes.filter((n) => n.cls.includes('match')).length, 4);
    assert.equal(await h.page.locator('.match-count').textContent(), '4 matches');
    await h.page.locator('input.search').press('Enter');
    await h.settle();
    assert.match((await h.page.locator('g.node[aria-selected="true"]').textContent())!, /worker/);
    await h.page.locator('input.search').fill('no such task');
    await h.settle();
    assert.equal(await h.page.locator('.waiting-note').textContent(), 'Nothing matches these filters.');
    await h.page.locator('input.search').press('Escape');
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 8);
  });

  it('folds more than 20 same-named siblings into one ×N node that unfolds and folds back', async () => {
    const live = new LiveRun('wide', 'swarm.py').feed([
      ...prologue(),
      ...swarm(30, 'fetch_one'),
      ...swarm(3, 'other', 100),
    ]);
    await h.send(runsMessage([live.state]), live.snapshot());
    let nodes = await h.nodes();
    const fold = nodes.find((n) => n.kind === 'fold')!;
    assert.ok(fold, 'a fold node');
    assert.match(fold.text, /fetch_one/);
    assert.match(fold.text, /×30/);
    assert.match(fold.aria, /^fetch_one ×30, tasks of one kind, folded: .*running/);
    assert.equal(nodes.filter((n) => n.kind === 'task').length, 4, 'main + 3 others');
    assert.ok((await h.page.locator('g.node.fold .histogram rect').count()) >= 3, 'a state histogram');
    await h.page.locator('g.node.fold').click();
    await h.settle();
    nodes = await h.nodes();
    assert.equal(nodes.filter((n) => n.kind === 'task').length, 34);
    assert.equal(nodes.filter((n) => n.parent === fold.key).length, 30);
    assert.equal(await h.page.locator('g.node.fold').getAttribute('aria-expanded'), 'true');
    await h.page.locator('aside.details').getByRole('button', { name: 'Fold back' }).click();
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 4);
    // Enter on a focused fold unfolds it too.
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Enter');
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 34);
  });

  it('hides finished tasks and shows system tasks on request', async () => {
    const rec = recording(FAILING);
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 8);
    const counts = h.page.locator('.counts');
    // A recording shown at its end: what it left running is "unfinished", not "live".
    assert.equal(await counts.textContent(), 'all 8 finished', 'the hidden system tasks are not counted');
    assert.match(
      (await counts.getAttribute('title'))!,
      /not counting the 2 system tasks of the library \(2 unfinished\)/,
    );
    await h.page.getByRole('button', { name: 'Hide finished' }).click();
    await h.settle();
    assert.equal(
      (await h.nodes()).filter((n) => n.kind === 'task').length,
      0,
      'everything of this run finished (init is a hidden system task)',
    );
    await h.page.getByRole('button', { name: 'Hide system' }).click();
    await h.settle();
    const nodes = await h.nodes();
    assert.deepEqual(
      nodes.filter((n) => n.parent === null).map((n) => n.text.trim()),
      ['<init>'],
    );
    assert.equal(await h.page.getByRole('button', { name: 'Hide system' }).getAttribute('aria-pressed'), 'false');
    assert.equal(await counts.textContent(), '2 unfinished · 10 total', 'shown, they are counted');
    assert.match((await counts.getAttribute('title'))!, /, counting the 2 system tasks/);
  });

  it('hover shows the full name; double-click opens the await site; the wheel scrolls and Ctrl+wheel zooms', async () => {
    await showLive(h);
    const crasher = h.page.locator('g.node[aria-label^="task crasher"]');
    const drawn = (await crasher.locator('tspan.name').textContent())!;
    assert.match(drawn, /^crasher <img.*….*=1>$/, `the long name loses its middle, both ends stay (${drawn})`);
    await crasher.locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    assert.equal(await h.page.locator('.tooltip .strong').textContent(), 'crasher <img src=x onerror=window.__xss=1>');
    await h.clearPosted();
    await h.task('fetch').dblclick();
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'openSite'),
      [{ type: 'openSite', file: '/home/user/app/crawl.py', line: 20 }],
    );
    const transform = async () => {
      const t = (await h.page.locator('g.viewport').getAttribute('transform'))!;
      const m = /translate\(([-\d.e]+),([-\d.e]+)\)(?: scale\(([-\d.e]+)\))?/.exec(t)!;
      return { x: Number(m[1]), y: Number(m[2]), k: Number(m[3] ?? 1) };
    };
    const before = await transform();
    await h.page.mouse.move(500, 500);
    await h.page.mouse.wheel(0, 120);
    await h.settle();
    const scrolled = await transform();
    assert.equal(scrolled.k, before.k);
    assert.ok(Math.abs(scrolled.y - (before.y - 120)) < 1, `scrolled up by 120 px (${before.y} → ${scrolled.y})`);
    await h.page.keyboard.down('Control');
    await h.page.mouse.wheel(0, -200);
    await h.page.keyboard.up('Control');
    await h.settle();
    assert.ok((await transform()).k > before.k, 'Ctrl+wheel zooms in');
    assert.equal(await h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'false');
  });

  it('the hover card: gone on a click, and through a drag; back over another node', async () => {
    await showLive(h);
    const card = h.page.locator('.tooltip:not([hidden])');
    const at = async (name: string) => {
      const b = (await h.task(name).locator('tspan.name').boundingBox())!;
      return { x: b.x + 4, y: b.y + b.height / 2 };
    };
    const fetch = await at('fetch');
    await h.page.mouse.move(fetch.x, fetch.y);
    await card.waitFor();
    await h.page.mouse.down();
    await h.page.mouse.move(fetch.x + 3, fetch.y + 1); // a click's jiggle
    await h.page.mouse.up();
    await h.page.mouse.move(fetch.x + 5, fetch.y + 1);
    await h.settle(700); // past the card's delay
    assert.equal(await card.count(), 0, 'no card for the node just clicked, however the pointer jiggles');
    await h.page.mouse.down();
    for (let i = 1; i <= 6; i++) await h.page.mouse.move(fetch.x + 5, fetch.y + 1 + 10 * i);
    await h.settle(700);
    assert.equal(await card.count(), 0, 'none during a drag');
    await h.page.mouse.up();
    // another task in sight
    const area = (await h.page.locator('svg.tree').boundingBox())!;
    const names = h.page.locator('g.node[aria-label^="task "]:not([aria-label^="task fetch,"]) tspan.name');
    let other: { x: number; y: number; name: string } | null = null;
    for (let i = 0; i < (await names.count()) && !other; i++) {
      const b = await names.nth(i).boundingBox();
      if (
        b &&
        b.y > area.y + 10 &&
        b.y + b.height < area.y + area.height - 10 &&
        b.x > area.x &&
        b.x < area.x + area.width - 40
      )
        other = { x: b.x + 4, y: b.y + b.height / 2, name: (await names.nth(i).textContent())! };
    }
    assert.ok(other, 'another task in sight');
    await h.page.mouse.move(other.x, other.y, { steps: 4 });
    await card.waitFor();
    assert.ok((await h.page.locator('.tooltip .strong').textContent())!.endsWith(other.name), other.name);
  });

  it("a selected task's label is all in the selection's colour: its error stays readable on the selection", async () => {
    // The user pass (Light+): on the blue selection the error's dark red almost disappeared.
    const rec = recording(FAILING);
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    await h.settle();
    const crasher = h.page.locator('g.node[aria-label^="task crasher"]');
    const fills = () =>
      crasher.evaluate((g) =>
        ['tspan.name', 'tspan.extra.error'].map((sel) => getComputedStyle(g.querySelector(sel)!).fill),
      );
    const [, unselected] = await fills();
    await crasher.locator('tspan.name').click();
    await h.settle();
    const [name, error] = await fills();
    assert.notEqual(unselected, name, 'unselected, the error has its own colour');
    assert.equal(error, name, 'selected, it has the selection foreground, as the name has');
    // Its details: a duration never breaks between number and unit; a nursery's site chip starts with its text.
    const details = h.page.locator('aside.details');
    const spans = await details.locator('dd .nowrap').allTextContents();
    assert.ok(spans.length >= 2 && spans.every((t) => /^[\d.]+ (ms|s)$/.test(t)), spans.join(' | '));
    const chip = await details.locator('dt:text-is("Nursery") + dd code').textContent();
    assert.match(chip!, /^\S/, `no leading space in the chip (${JSON.stringify(chip)})`);
  });

  it('follows new activity until the user pans; Follow resumes it', async () => {
    const live = await showLive(h);
    const follow = h.page.getByRole('button', { name: 'Follow' });
    assert.equal(await follow.getAttribute('aria-pressed'), 'true');
    // Far-away new tasks: 60 more workers under worker_pool's nursery push the newest off screen
    // (each of its own kind: spawned from a line of its own, so nothing folds; a long list keeps its newest in sight).
    const more = Array.from({ length: 60 }, (_, i) => ({
      type: 'task.spawned',
      run: 1,
      ts: 50 + i,
      id: 200 + i,
      name: `late_${i}`,
      nursery: 9,
      system: false,
      site: { file: '/home/user/app/crawl.py', line: 100 + i, function: 'worker_pool' },
    }));
    live.feed(more);
    await h.send(live.delta()!);
    await h.settle(700);
    const newest = await h.page.locator('g.node', { hasText: 'late_59' }).boundingBox();
    assert.ok(newest, 'the newest task is drawn (in view)');
    const vp = h.page.viewportSize()!;
    assert.ok(newest.y > 0 && newest.y < vp.height, `newest task in view (y=${newest.y})`);
    // A user drag pans and stops following.
    await h.page.mouse.move(300, 400);
    await h.page.mouse.down();
    await h.page.mouse.move(360, 300, { steps: 4 });
    await h.page.mouse.up();
    await h.settle();
    assert.equal(await follow.getAttribute('aria-pressed'), 'false');
    await follow.click();
    await h.settle();
    assert.equal(await follow.getAttribute('aria-pressed'), 'true');
  });
});
