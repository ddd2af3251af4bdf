// The tree at real-world size, in real Chromium: the server-like example
// (8 connections, a supervised group whose probe fails, 2,000 uniquely named
// workers; recorded with the real runtime) as a user meets it: the first
// view at 400, 800 and 1,600 px, the fold of workers a page at a time, a
// member found by search and lifted out, focus with its breadcrumb, and the
// hover card beside the details pane at each width.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inside, overlap } from './boxes';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { beforeAndAfterWorkers, serverLike } from './serverLike';
import { LiveRun, runsMessage } from './streams';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const WIDTHS: Array<[number, number]> = [
  [400, 700],
  [800, 700],
  [1600, 900],
];
const SERVICES = ['listener', 'clients', 'supervisor', 'pool'];

async function show(h: Harness): Promise<void> {
  const run = serverLike();
  await h.send(runsMessage([run.state]), run.snapshot());
  await h.settle(50);
}

const fold = (h: Harness) => h.page.locator('g.node.fold[aria-label^="worker ×2,000"]');
const crumbs = async (h: Harness) =>
  (await h.page.locator('nav.breadcrumbs li').allTextContents()).map((t) => t.replace(/^›/, '')).join(' › ');
const scale = async (h: Harness) =>
  Number(/scale\(([\d.e-]+)\)/.exec((await h.page.locator('g.viewport').getAttribute('transform'))!)?.[1] ?? 1);

describe('webview: the tree at real-world size (server-like recording)', function () {
  let s: Session;

  before(async () => {
    s = await openSession();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());

  for (const [width, height] of WIDTHS) {
    it(`the first view at ${width} px shows the structure, not a column of 2,000 rows`, async () => {
      const h = await Harness.open(s, { width, height });
      await show(h);
      const area = (await h.page.locator('svg.tree').boundingBox())!;
      for (const name of SERVICES) {
        const marker = (await h.task(name).locator('.shape').boundingBox())!;
        assert.ok(marker && inside(marker, area), `${name} is in view`);
      }
      assert.ok((await h.page.locator('g.node').count()) < 200, 'a few nodes, not thousands');
      // The pool's 2,000 workers are one node (or, in a narrow panel, counted in a collapsed one).
      const counted = await h.page.locator('g.node', { hasText: /\+2,0\d\d tasks/ }).count();
      assert.ok((await fold(h).count()) === 1 || counted > 0, 'the workers: one fold, or a count');
      if (width >= 800) {
        assert.match((await fold(h).textContent())!, /^worker ×2,000$/);
        assert.ok((await fold(h).locator('.histogram rect').count()) >= 2, 'its states at a glance');
      }
      await h.page.screenshot({ path: join(SHOTS, `scale-first-${width}.png`) });
      // Fit shows the whole tree still readable: no 42,000 px column.
      await h.page.locator('svg.tree').focus();
      await h.page.keyboard.press('f');
      await h.settle(50);
      assert.ok((await scale(h)) >= 0.25, `fitted at scale ${await scale(h)}`);
      assert.deepEqual(h.errors, []);
      await h.page.close();
    });
  }

  it('Follow brings the newest activity into view without opening the structure up', async () => {
    const h = await Harness.open(s, { width: 800, height: 700 });
    const [services, pool] = beforeAndAfterWorkers();
    const live = new LiveRun('follow', 'server_like.py').feed(services);
    await h.send(runsMessage([live.state]), live.snapshot());
    assert.equal(await h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'true');
    // 2,000 workers arrive, then the supervisor's second group.
    live.feed(pool);
    await h.send(live.delta()!);
    await h.settle(600);
    const rows = live.state.rows();
    const newest = rows.reduce((a, b) => (b.id > a.id ? b : a));
    const standIn = h.page
      .locator(`g.node[data-key="${newest.id}"], g.node.fold[data-parent="${newest.parent}"]`)
      .first();
    const area = (await h.page.locator('svg.tree').boundingBox())!;
    assert.ok(
      inside((await standIn.locator('.shape').boundingBox())!, area),
      `the newest task (${newest.kind} ${newest.id}) or its fold is in view`,
    );
    // The panel is too narrow for main's whole column and the newest fold: main's nursery and the services stay.
    const mainNursery = h.page.locator(`g.node[data-key='${await h.task('listener').getAttribute('data-parent')}']`);
    assert.ok(
      inside((await mainNursery.locator('.shape').boundingBox())!, area),
      'and the top of the structure with it',
    );
    assert.equal(await fold(h).count(), 1, 'the workers arrived as one fold');
    assert.ok((await h.page.locator('g.node').count()) < 200);
    await h.page.close();
  });

  it('a failing member stands beside its fold, linked to the siblings its failure cancelled', async () => {
    const h = await Harness.open(s, { width: 1600, height: 900 });
    await show(h);
    const probe7 = h.task('probe-7');
    assert.match((await probe7.getAttribute('class'))!, /s-raised/);
    // Its column had room: the error's type whole (a user pass saw "Conn…onError" at 1,100 px).
    assert.equal((await probe7.locator('tspan.extra').textContent())!.trim(), 'ConnectionError');
    const failed = h.page.locator(`g.node.fold[data-parent="${await probe7.getAttribute('data-parent')}"]`);
    assert.match(
      (await failed.getAttribute('aria-label'))!,
      /^probe ×24, tasks of one kind, folded: 1 raised, 23 cancelled$/,
    );
    const links = await h.page.$$eval('path.cancel-link', (els) =>
      els.map((e) => [e.getAttribute('data-failer'), e.getAttribute('data-victim')]),
    );
    assert.deepEqual(links, [[await probe7.getAttribute('data-key'), await failed.getAttribute('data-key')]]);
    await h.page.close();
  });

  it('the fold of 2,000 workers: its rule and names in the hover card, pages of 50, and back', async () => {
    const h = await Harness.open(s, { width: 1600, height: 900 });
    await show(h);
    await fold(h).locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    const card = (await h.page.locator('.tooltip').textContent())!;
    assert.match(card, /2,000 tasks started at server_like\.py:\d+ named worker-0 … worker-1999/);
    assert.match(card, /\d[\d,]* waiting/);
    await fold(h).click();
    await h.settle();
    const key = (await fold(h).getAttribute('data-key'))!;
    assert.match((await h.page.locator('aside.details').textContent())!, /Showing 50 of 2,000/);
    // The page ends 50 rows down: scroll to its "more" node (nodes far from the view are not in the DOM).
    await h.page.getByRole('button', { name: 'Close details' }).click();
    await h.settle();
    const more = h.page.locator(`g.node.more[data-parent="${key}"]`);
    const area = (await h.page.locator('svg.tree').boundingBox())!;
    const inView = async () => (await more.count()) > 0 && inside((await more.boundingBox())!, area);
    await h.page.mouse.move(400, 450);
    for (let i = 0; i < 12 && !(await inView()); i++) {
      await h.page.mouse.wheel(0, 300);
      await h.settle();
    }
    const members = async () => Number(await more.getAttribute('aria-posinset')) - 1;
    assert.equal(await members(), 50);
    assert.equal((await more.textContent())!.trim(), '50 more… (1,950 left)');
    const before = (await more.boundingBox())!;
    await more.click();
    await h.settle();
    assert.equal((await more.textContent())!.trim(), '50 more… (1,900 left)');
    assert.ok(
      Math.abs((await more.boundingBox())!.y - before.y) < 2,
      '"more" stays under the pointer; the new page appears above it',
    );
    assert.equal(await members(), 100);
    // Space on the selected fold folds it back.
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press(' ');
    await h.settle();
    assert.equal(await more.count(), 0);
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });

  it('search finds a member inside the fold; selected, it stays in sight beside the fold until the selection moves', async () => {
    const h = await Harness.open(s, { width: 1600, height: 900 });
    await show(h);
    await h.page.locator('input.search').fill('worker-1500');
    await h.settle();
    assert.equal(await h.page.locator('.match-count').textContent(), '1 match');
    const member = h.task('worker-1500');
    assert.equal(
      await member.getAttribute('data-parent'),
      await fold(h).getAttribute('data-key'),
      'drawn inside its fold',
    );
    await h.page.locator('input.search').press('Enter');
    await h.page.locator('input.search').press('Escape');
    await h.settle();
    assert.equal(await member.getAttribute('aria-selected'), 'true');
    assert.equal(
      await member.getAttribute('data-parent'),
      await fold(h).getAttribute('data-parent'),
      'beside the fold, as its sibling',
    );
    assert.match((await h.page.locator('aside.details').textContent())!, /worker-1500/);
    await h.task('pool').click();
    await h.settle();
    assert.equal(await member.count(), 0, 'back in the fold');
    await h.page.close();
  });

  it('focus on a node: a breadcrumb back, Backspace one step up, kept across a reload; the menu focuses a fold', async () => {
    const h = await Harness.open(s, { width: 1600, height: 900 });
    await show(h);
    await h.task('supervisor').click();
    await h.settle();
    await h.page.locator('aside.details').getByRole('button', { name: 'Focus' }).click();
    await h.settle();
    assert.equal(await crumbs(h), 'Whole run › main › nursery server_like.py:151 › supervisor');
    assert.equal(await h.task('listener').count(), 0, 'only the focused subtree');
    assert.ok((await h.page.locator('g.node.fold[aria-label^="probe ×24"]').count()) >= 1);
    await h.page.screenshot({ path: join(SHOTS, 'scale-focus-supervisor.png') });
    await h.reload();
    await show(h);
    assert.equal(
      await crumbs(h),
      'Whole run › main › nursery server_like.py:151 › supervisor',
      'the focus survives a reload',
    );
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Backspace');
    await h.settle();
    assert.equal(await crumbs(h), 'Whole run › main › nursery server_like.py:151');
    await h.page.locator('nav.breadcrumbs').getByRole('button', { name: 'Whole run' }).click();
    await h.settle();
    assert.equal(await h.page.locator('nav.breadcrumbs').isVisible(), false);
    assert.equal(await h.task('listener').count(), 1);
    // The node's menu (right click) focuses the fold: its members are the view.
    await fold(h).click({ button: 'right' });
    const menu = h.page.locator('.context-menu');
    assert.ok(
      inside((await menu.boundingBox())!, (await h.page.locator('.tree-area').boundingBox())!),
      'the menu stays in the tree area',
    );
    assert.deepEqual(await menu.getByRole('menuitem').allTextContents(), [
      'Focus on thisZ',
      'Show membersSpace',
      'Show all members*',
    ]);
    await menu.getByRole('menuitem', { name: /Focus on this/ }).click();
    await h.settle();
    assert.match(await crumbs(h), /› pool › nursery server_like\.py:\d+ › worker ×2,000$/);
    assert.equal((await h.page.locator('g.node.task').count()) > 20, true, 'a page of members');
    await h.page.screenshot({ path: join(SHOTS, 'scale-focus-fold.png') });
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });

  for (const [width, height] of WIDTHS)
    for (const theme of ['vscode-light', 'vscode-dark'] as Theme[]) {
      it(`at ${width} px the hover card stays readable beside the open details pane, ${theme} (screenshot)`, async () => {
        const h = await Harness.open(s, { width, height, theme });
        await show(h);
        await h.task('supervisor').click();
        await h.settle();
        const details = (await h.page.locator('aside.details').boundingBox())!;
        const area = (await h.page.locator('.tree-area').boundingBox())!;
        assert.ok(!overlap(details, area), 'the details pane and the tree area share no pixel');
        // The node nearest the details pane (right edge of the tree area), hovered by its name.
        const names = await h.page.$$eval('g.node tspan.name', (els) =>
          els.map((e, i) => ({ i, r: e.getBoundingClientRect() })),
        );
        const visible = names.filter(
          ({ r }) =>
            r.width > 0 &&
            r.right <= area.x + area.width &&
            r.left >= area.x &&
            r.top >= area.y &&
            r.bottom <= area.y + area.height,
        );
        const target = visible.sort((a, b) => b.r.right - a.r.right)[0];
        await h.page.mouse.move(target.r.right - 3, target.r.top + target.r.height / 2);
        await h.page.waitForSelector('.tooltip:not([hidden])');
        const card = (await h.page.locator('.tooltip').boundingBox())!;
        assert.ok(
          inside(card, area),
          `the card (${JSON.stringify(card)}) stays inside the tree area (${JSON.stringify(area)})`,
        );
        assert.ok(!overlap(card, details), 'never over the details pane');
        assert.ok(card.width >= Math.min(220, area.width - 8) - 1, `a readable width (${card.width} px)`);
        const lines = await h.page.$$eval('.tooltip > div', (els) =>
          els.map((e) => ({ text: e.textContent ?? '', height: e.getBoundingClientRect().height })),
        );
        const strong = lines[0];
        assert.ok(
          strong.height < 20 || strong.text.length > 30,
          `its first line "${strong.text}" is not broken word by word (${strong.height} px)`,
        );
        await h.page.screenshot({ path: join(SHOTS, `scale-hover-${width}-${theme}.png`) });
        await h.page.close();
      });
    }

  for (const theme of ['vscode-light', 'vscode-dark'] as Theme[]) {
    it(`an open fold with its details in ${theme} (screenshot)`, async () => {
      const h = await Harness.open(s, { width: 1100, height: 700, theme });
      await show(h);
      await fold(h).click();
      await h.settle(100);
      const bars = await h.page.$$eval('g.node.fold .histogram rect', (els) =>
        els.map((e) => getComputedStyle(e).fill),
      );
      assert.ok(
        bars.every((f) => f !== 'none' && f !== 'rgb(0, 0, 0)'),
        `theme colours (${bars.join(', ')})`,
      );
      await h.page.screenshot({ path: join(SHOTS, `scale-fold-${theme}.png`) });
      assert.deepEqual(h.errors, []);
      await h.page.close();
    });
  }
});
