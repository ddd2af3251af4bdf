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
