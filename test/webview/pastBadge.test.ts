// A past moment's badge ("41 ms — the run as it was then · L: back to the
// end") has a row of its own above the tree. Drawn over the tree's top left
// corner, it hid the top rows of the Hettinger tree, and under a "Was hung"
// verdict banner it read as the banner's cut end. The tree's views are now
// chosen for the room under it; the badge takes its row from the tree, not
// from a banner. At 350, 525 and 1100 px, light and dark (screenshots).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { LiveHost } from './liveHost';
import { dragTo } from './timelineAxis';

const SHOTS = join(repoRoot, 'screenshots', 'webview');

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

const meets = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const boxOf = (r: { x: number; y: number; width: number; height: number }): Box => ({
  top: r.y,
  bottom: r.y + r.height,
  left: r.x,
  right: r.x + r.width,
});

/** The badge's box, the tree's drawing area and the labels drawn in it, and the verdict banners' area. */
async function boxes(
  h: Harness,
): Promise<{ badge: Box; tree: Box; labels: Array<Box & { text: string }>; verdicts: Box | null }> {
  // (no named functions inside the page's code: it has no __name helper of the test's compiler)
  const labels = await h.page.$$eval('g.node:not(.exiting) text.label', (els) =>
    els.map((e) => ({ r: e.getBoundingClientRect().toJSON() as DOMRect, text: e.textContent ?? '' })),
  );
  const verdicts = (await h.page.locator('.verdicts .banner.verdict').count())
    ? await h.page.locator('.verdicts').boundingBox()
    : null;
  return {
    badge: boxOf((await h.page.locator('.past-badge').boundingBox())!),
    tree: boxOf((await h.page.locator('svg.tree').boundingBox())!),
    labels: labels.map((l) => ({ ...boxOf(l.r), text: l.text })),
    verdicts: verdicts && boxOf(verdicts),
  };
}

describe("webview: a past moment's badge hides none of the tree nor a banner", function () {
  let s: Session;
  before(async () => {
    s = await openSession();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());

  /** A recording opened in a page of this size, its cursor dragged to `at` ms; `body` runs there. */
  async function atMoment(
    o: { width: number; theme: Theme; file: string; at: number },
    body: (h: Harness) => Promise<void>,
  ): Promise<void> {
    const h = await Harness.open(s, { width: o.width, height: 600, theme: o.theme });
    const host = await LiveHost.attach(h);
    try {
      host.open(o.file);
      await host.settle(300);
      await h.page.waitForSelector('.tl-body:not([hidden])');
      await dragTo(h, o.at);
      await host.settle(300);
      await h.page.locator('.past-badge').waitFor();
      await body(h);
      assert.deepEqual(h.errors, []);
    } finally {
      host.dispose();
      await h.page.close();
    }
  }

  for (const theme of ['vscode-light', 'vscode-dark'] as Theme[])
    for (const width of [350, 525, 1100])
      it(`Hettinger at 41 ms, ${width} px (${theme}): the badge sits above the tree; its top rows scrolled up to the edge are not under it`, async () => {
        await atMoment({ width, theme, file: 'test/fixtures/hettinger_trio.ndjson', at: 41 }, async (h) => {
          assert.match(
            (await h.page.locator('.past-badge').textContent())!,
            /^41 ms — the run as it was then · L: back to the end$/,
          );
          // The user scrolls the view (the wheel) until the tree's top row is 4 px under the tree's top edge.
          const before = await boxes(h);
          const top = Math.min(...before.labels.map((l) => l.top));
          await h.page.mouse.move(
            (before.tree.left + before.tree.right) / 2,
            (before.tree.top + before.tree.bottom) / 2,
          );
          await h.page.mouse.wheel(0, top - before.tree.top - 4);
          await h.settle(200);
          await h.page.screenshot({ path: join(SHOTS, `past-badge-${width}-${theme}.png`) });
          const b = await boxes(h);
          const first = b.labels.filter((l) => l.top < b.tree.top + 8).map((l) => l.text);
          assert.ok(first.length > 0, 'the top row is at the top edge');
          const under = b.labels.filter((l) => meets(l, b.badge)).map((l) => l.text);
          assert.deepEqual(under, [], 'no label under the badge');
          assert.ok(
            b.badge.bottom <= b.tree.top + 0.5,
            `the badge (${b.badge.top}-${b.badge.bottom}) is above the tree (from ${b.tree.top})`,
          );
        });
      });

  for (const [width, theme] of [
    [350, 'vscode-light'],
    [525, 'vscode-dark'],
    [1100, 'vscode-light'],
  ] as const)
    it(`hang.py at 1.5 s, ${width} px (${theme}): the "Was hung" banner is not under the badge, nor shorter for it`, async () => {
      await atMoment({ width, theme, file: 'test/fixtures/hang.ndjson', at: 1500 }, async (h) => {
        await h.page.screenshot({ path: join(SHOTS, `past-badge-hung-${width}-${theme}.png`) });
        const b = await boxes(h);
        assert.ok(b.verdicts, 'the hang banner is shown');
        assert.ok(!meets(b.badge, b.verdicts), 'the badge is not over the banner');
        assert.ok(b.badge.bottom <= b.tree.top + 0.5, 'the badge is above the tree');
        // Its row is taken from the tree, not from the banner's room.
        const banner = (shown: boolean) =>
          h.page.evaluate((on) => {
            document.querySelector<HTMLElement>('.past-badge')!.hidden = !on;
            return document.querySelector('.verdicts')!.getBoundingClientRect().height;
          }, shown);
        const without = await banner(false);
        assert.equal(await banner(true), without, "the banner's room is the same with the badge");
      });
    });
});
