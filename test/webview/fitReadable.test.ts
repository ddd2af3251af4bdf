// Fit on the server-like tree in a 700x640 panel with the worker fold's first
// page open and its details beside it (about 50 rows in a tree area 380 px
// wide): every row fits at the scale where labels are drawn, so Fit shows
// them, the fold and its page in sight, not a picture of dots (it fitted
// the tree's width, at 0.25). Ctrl+wheel then zooms a notch at a time (it
// zoomed x4 a notch: four notches went from dots to the maximum).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inside } from './boxes';
import { Harness, repoRoot, suitePage } from './browser';
import { serverLike } from './serverLike';
import { runsMessage } from './streams';
import { OVERVIEW_SCALE } from '../../webview/tree/geometry';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const fold = (h: Harness) => h.page.locator('g.node.fold[aria-label^="worker ×2,000"]');
const scale = async (h: Harness) =>
  Number(/scale\(([\d.e-]+)\)/.exec((await h.page.locator('g.viewport').getAttribute('transform'))!)?.[1] ?? 1);

describe('webview: Fit shows labels when the rows fit readable', function () {
  let h: Harness;
  suitePage((page) => (h = page), { width: 700, height: 640 });
  before(() => mkdirSync(SHOTS, { recursive: true }));

  it('server_like with the worker fold open and its details: Fit draws labels, the page in sight; Ctrl+wheel zooms by notches', async () => {
    const run = serverLike();
    await h.send(runsMessage([run.state]), run.snapshot());
    const fit = h.page.getByRole('button', { name: 'Fit' });
    await fit.click();
    await h.settle(100);
    await fold(h).locator('.shape').click(); // opens its first page, selects it, opens its details
    await h.settle(200);
    assert.ok(await h.page.locator('aside.details').isVisible());
    await fit.click();
    await h.settle(200);
    await h.page.screenshot({ path: join(SHOTS, 'fit-readable-700.png') });
    const k = await scale(h);
    assert.ok(k >= OVERVIEW_SCALE, `fitted at ${k.toFixed(3)}, labels are drawn from ${OVERVIEW_SCALE}`);
    assert.equal(await h.page.locator('g.overview path').count(), 0, 'no dots');
    const area = (await h.page.locator('svg.tree').boundingBox())!;
    assert.ok(inside((await fold(h).locator('.shape').boundingBox())!, area), 'the selected fold is in sight');
    // the first row whole, below the toolbar, whether or not every row fits
    const tops = await h.page
      .locator('g.node .shape')
      .evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
      );
    const top = tops.reduce((a, b) => (b.y < a.y ? b : a));
    assert.ok(top.y >= area.y, `the top row's shape at ${top.y.toFixed(1)}, the tree area from ${area.y.toFixed(1)}`);
    for (const name of ['worker-2', 'worker-25', 'worker-47']) {
      const label = h.task(name).locator('tspan.name');
      assert.ok(inside((await label.boundingBox())!, area), `${name}'s label is in sight`);
    }
    // Ctrl+wheel: a notch at a time.
    await h.page.mouse.move(200, 330);
    let before = k;
    for (let i = 0; i < 4; i++) {
      await h.page.keyboard.down('Control');
      await h.page.mouse.wheel(0, -100);
      await h.page.keyboard.up('Control');
      await h.settle();
      const now = await scale(h);
      assert.ok(now > before * 1.05 && now <= before * 1.3, `notch ${i + 1}: ${before.toFixed(3)} → ${now.toFixed(3)}`);
      before = now;
    }
    assert.ok(before < 2, `four notches are not the maximum zoom (${before.toFixed(3)})`);
    assert.deepEqual(h.errors, []);
  });
});
