// Signs at the tree area's edges: a narrow panel's first view of the
// showcase (Hettinger's Trio crawler, ten fetches at work, each with its
// connection's nursery) leaves columns beyond the right edge. A sign in the
// top corner says how many nodes lie there, and a click brings the nearest
// into view (the view is then the user's: Follow goes off). A wide panel
// that shows the whole tree has no sign.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, openSession, repoRoot, type Session } from './browser';
import { eventsOf, LiveRun, readStream, runsMessage } from './streams';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const events = eventsOf(readStream('test/fixtures/hettinger_trio.ndjson'));
// Up to the first fetch's connection nursery (opened after the fetches were first sampled): a fourth column.
const fetchIds = new Set(
  events.filter((e) => e.type === 'task.spawned' && String(e.name).startsWith('fetch(')).map((e) => e.id),
);
const connection = events.findIndex(
  (e, i) =>
    e.type === 'nursery.opened' && events.slice(0, i).some((x) => x.type === 'task.state' && fetchIds.has(x.id)),
);
const shown = events.slice(0, connection + 1);

const follow = (h: Harness) => h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed');

/** Screen boxes (within the tree area) of the nodes' markers, by label. */
async function markers(h: Harness): Promise<Array<{ label: string; x: number; right: number }>> {
  return h.page.$$eval('g.node', (els) => {
    const area = document.querySelector('.tree-area')!.getBoundingClientRect();
    return els.map((el) => {
      const r = el.querySelector('.shape')!.getBoundingClientRect();
      return { label: el.getAttribute('aria-label') ?? '', x: r.left - area.left, right: area.width };
    });
  });
}

describe('webview: signs at the edges for the tree beyond them', function () {
  let s: Session;
  before(async () => {
    s = await openSession();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s.close());

  it('400 px: "N more ›" in the top corner; a click brings the nearest column into view, Follow off', async () => {
    const h = await Harness.open(s, { width: 400, height: 600, theme: 'vscode-dark' });
    const run = new LiveRun('live-hettinger', 'Hettinger: the Trio way').feed(shown);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle(300);
    const sign = h.page.locator('.edge-hint.edge-right');
    assert.ok(await sign.isVisible(), 'a sign at the right edge');
    const before = await sign.textContent();
    const n = Number(/^(\d+) more ›$/.exec(before ?? '')?.[1]);
    assert.ok(n >= 1, `"${before}"`);
    assert.match((await sign.getAttribute('title')) ?? '', new RegExp(`^${n} nodes? to the right`));
    const beyond = (await markers(h)).filter((m) => m.x > m.right);
    assert.ok(beyond.length >= 1 && beyond.length <= n, `${beyond.length} drawn beyond the edge, ${n} counted`);
    const top = await sign.boundingBox();
    const area = (await h.page.locator('.tree-area').boundingBox())!;
    assert.ok(top && top.y - area.y < 12 && area.x + area.width - (top.x + top.width) < 1, 'in the top right corner');
    assert.equal(await follow(h), 'true');
    await h.page.screenshot({ path: join(SHOTS, 'edge-hint-400.png') });

    await sign.click();
    await h.settle(400);
    const nearest = beyond.sort((a, b) => a.x - b.x)[0];
    const now = (await markers(h)).find((m) => m.label === nearest.label);
    assert.ok(now && now.x > 0 && now.x < now.right, `${nearest.label} in view after the click (x ${now?.x})`);
    const after = (await sign.isVisible()) ? await sign.textContent() : '';
    assert.ok(after !== before, `the sign changed after the click: "${before}" → "${after}"`);
    assert.equal(await follow(h), 'false', "the view is the user's: Follow off");
    await h.page.screenshot({ path: join(SHOTS, 'edge-hint-400-shown.png') });
    await h.page.close();
  });

  it('1100 px, the whole tree in view: no sign', async () => {
    const h = await Harness.open(s, { width: 1100, height: 700 });
    const run = new LiveRun('live-hettinger', 'Hettinger: the Trio way').feed(shown);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle(300);
    assert.equal(await h.page.locator('.edge-hint:not([hidden])').count(), 0);
    await h.page.close();
  });
});

describe("webview: the root's pinned label and the signs in the left corners", function () {
  let s: Session;
  before(async () => {
    s = await openSession();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s.close());

  const overlap = (a: { y: number; height: number }, b: { y: number; height: number }) =>
    a.y < b.y + b.height && b.y < a.y + a.height;

  for (const [way, dy, sign] of [
    ['above', -1, 'top'],
    ['below', 1, 'bottom'],
  ] as const)
    it(`the root panned off to the left and ${way}: its label is pinned clear of "N more ${sign === 'top' ? '⌃' : '⌄'}"`, async () => {
      const h = await Harness.open(s, { width: 420, height: 420, theme: 'vscode-dark' });
      try {
        const run = new LiveRun('hettinger', 'Hettinger: the Trio way').feed(events);
        await h.send(runsMessage([run.state]), run.snapshot());
        await h.settle(300);
        const area = (await h.page.locator('.tree-area').boundingBox())!;
        const from = { x: area.x + area.width - 20, y: area.y + area.height / 2 };
        await h.page.mouse.move(from.x, from.y);
        await h.page.mouse.down();
        await h.page.mouse.move(from.x - 300, from.y + dy * 0.45 * area.height, { steps: 8 });
        await h.page.mouse.up();
        await h.settle(300);
        const pin = h.page.locator('.root-pin');
        const hint = h.page.locator(`.edge-hint.edge-${sign}`);
        assert.ok(await pin.isVisible(), 'the root is off screen: its label is pinned');
        assert.match((await pin.textContent())!, /crawl/);
        assert.ok(await hint.isVisible(), `nodes ${way}: the sign shows`);
        const [p, q] = [(await pin.boundingBox())!, (await hint.boundingBox())!];
        await h.page.screenshot({ path: join(SHOTS, `root-pin-clear-of-${sign}.png`) });
        assert.ok(!overlap(p, q), `the pin ${JSON.stringify(p)} covers the sign ${JSON.stringify(q)}`);
        assert.ok(p.y >= area.y && p.y + p.height <= area.y + area.height, 'the pin is inside the tree area');
        // beside the sign, on the root's side: not sent to the far edge by the labels in its column
        const gap = sign === 'top' ? p.y - (q.y + q.height) : q.y - (p.y + p.height);
        assert.ok(gap >= 0 && gap <= 70, `the pin ${Math.round(gap)} px from the sign`);
      } finally {
        await h.page.close();
      }
    });
});
