// Program strings in the task tree, in real Chromium: they go in as text,
// and controls that could make one name pose as another are shown escaped.
import assert from 'node:assert/strict';
import { suitePage, type Harness } from './browser';
import { showLive } from './streams';

describe('webview: program strings in the tree', function () {
  let h: Harness;
  suitePage((page) => (h = page));

  it('renders program strings as text: a task named like markup runs nothing', async () => {
    await showLive(h);
    const node = h.page.locator('g.node[aria-label^="task crasher"]');
    assert.match((await node.getAttribute('aria-label'))!, /<img src=x onerror=window\.__xss=1>/);
    await node.click();
    await h.settle(100);
    assert.equal(await h.page.locator('img').count(), 0);
    assert.equal(await h.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.match((await h.page.locator('aside.details .title').textContent())!, /<img src=x onerror=window\.__xss=1>/);
  });

  it('shows direction controls in program strings escaped, so a name cannot pose as another (issue #12 item 8)', async () => {
    const live = await showLive(h);
    // U+202E RIGHT-TO-LEFT OVERRIDE would draw "invoice\u202Efdp.exe" as "invoiceexe.pdf".
    live.feed([
      {
        type: 'task.spawned',
        run: 1,
        ts: 40,
        id: 300,
        name: 'invoice\u202Efdp.exe',
        nursery: 9,
        system: false,
        site: { file: '/app/x\u202Eyp.py', line: 3, function: 'spoof\u2066ed' },
      },
      {
        type: 'task.exited',
        run: 1,
        ts: 41,
        id: 300,
        outcome: 'raised',
        error: { type: 'ValueError', message: 'bad\u202Eeman' },
      },
    ]);
    await h.send(live.snapshot());
    const node = h.page.locator('g.node[aria-label^="task invoice"]');
    const label = (await node.getAttribute('aria-label'))!;
    assert.match(label, /invoice\\u202efdp\.exe/, label);
    assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(label), 'no direction control reaches the page');
    await node.click();
    await h.settle(100);
    const details = (await h.page.locator('aside.details').textContent())!;
    assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(details), details);
    assert.match(details, /bad\\u202eeman/);
    assert.match(details, /x\\u202eyp\.py/);
    // A fold is named by its tasks' function (protocol 1.2 func): that name is program text too.
    const site = { file: '/app/pool.py', line: 7, function: 'main' };
    const func = { file: '/app/pool.py', line: 2, function: 'job\u202Ebolx' };
    live.feed(
      Array.from({ length: 25 }, (_, i) => ({
        type: 'task.spawned',
        run: 1,
        ts: 50 + i,
        id: 400 + i,
        name: `j${i}`,
        nursery: 9,
        system: false,
        site,
        func,
      })),
    );
    await h.send(live.snapshot());
    const fold = (await h.page.locator('g.node.fold').getAttribute('aria-label'))!;
    assert.match(fold, /^job\\u202ebolx ×25/, fold);
    assert.match((await h.page.locator('g.node.fold').textContent())!, /job\\u202ebolx/);
  });
});
