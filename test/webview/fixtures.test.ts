// The tree drawn from streams recorded from the real examples (test/fixtures,
// recorded with the real runtime), replayed through the extension's store.
import assert from 'node:assert/strict';
import { Harness, openSession, type Session } from './browser';
import { eventsOf, LiveRun, readStream, recording, runsMessage, snapshotMessage } from './streams';

const fixture = (name: string) => `test/fixtures/${name}.ndjson`;

/** A live run holding the recording's events up to (not including) the first event that matches. */
function liveUntil(
  name: string,
  stop: (e: Record<string, unknown>) => boolean,
): { live: LiveRun; rest: Array<Record<string, unknown>> } {
  const events = eventsOf(readStream(fixture(name)));
  const i = events.findIndex(stop);
  const live = new LiveRun(`live-${name}`, `${name}.py`).feed(events.slice(0, i < 0 ? events.length : i));
  return { live, rest: i < 0 ? [] : events.slice(i) };
}

describe('webview: recorded example programs', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s);
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  it('failing child: the raised task, its error, and the siblings its failure cancelled', async () => {
    const rec = recording(fixture('failing_child'));
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    const parse = h.task('parse feed');
    assert.match((await parse.getAttribute('class'))!, /s-raised/);
    assert.match((await parse.textContent())!, /ValueError/);
    for (const name of ['download', 'uploader'])
      assert.match((await h.task(name).getAttribute('class'))!, /s-cancelled/);
    assert.match((await h.task('check config').getAttribute('class'))!, /s-returned/);
    const parseKey = await parse.getAttribute('data-key');
    const lines = await h.page.$$eval('path.cancel-link', (els) => els.map((e) => e.getAttribute('data-failer')));
    assert.equal(lines.length, 2, 'dashed lines to the two cancelled siblings');
    assert.ok(lines.every((f) => f === parseKey));
    await parse.click();
    await h.settle();
    assert.equal(await h.page.locator('path.cancel-link.hl').count(), 2);
    // The cancelled grandchildren (upload chunks) are marked while their cause is selected.
    assert.equal(await h.page.locator('g.node.related').count(), 4);
    const details = (await h.page.locator('aside.details').textContent())!;
    assert.match(details, /ValueError: feed item 3 has no date/);
    assert.match(details, /Its failure cancelled.*download.*uploader.*upload chunk 0.*upload chunk 1/s);
    await h.page.locator('aside.details').getByRole('button', { name: 'uploader' }).click();
    await h.settle();
    const up = (await h.page.locator('aside.details').textContent())!;
    assert.match(up, /Cancelled\s*because parse feed (failed|raised)/);
    assert.equal(await h.task('uploader').getAttribute('aria-selected'), 'true');
    assert.match((await h.page.locator('.banner').textContent())!, /failing_child\.py: recording — the run returned/);
  });

  it('start server: a task inside nursery.start() shows there, then under its target nursery', async () => {
    const { live, rest } = liveUntil('start_server', (e) => e.type === 'task.moved');
    await h.send(runsMessage([live.state]), live.snapshot());
    const server = h.task('echo_server');
    const startKey = await server.getAttribute('data-parent');
    const startNode = h.page.locator(`g.node[data-key="${startKey}"]`);
    assert.equal(await startNode.getAttribute('data-kind'), 'nursery');
    assert.match((await startNode.textContent())!, /start\(\)/);
    live.feed(rest.slice(0, 1));
    await h.send(live.delta()!);
    const target = await server.getAttribute('data-parent');
    assert.notEqual(target, startKey);
    assert.doesNotMatch((await h.page.locator(`g.node[data-key="${target}"]`).textContent())!, /start\(\)/);
    live.feed(rest.slice(1));
    await h.send(live.delta()!);
    assert.equal(await h.page.locator('g.node[aria-label^="task handle(client"]').count(), 3);
  });

  it('deadlines: live countdowns and a shielded scope', async () => {
    const { live } = liveUntil(
      'deadlines',
      (e) => e.type === 'scope.closed' && e.ts !== undefined && (e.ts as number) > 500,
    );
    await h.send(runsMessage([live.state]), live.snapshot());
    const cleanup = h.task('cleanup');
    assert.match((await cleanup.textContent())!, /shielded/);
    assert.match((await cleanup.getAttribute('aria-label'))!, /shielded/);
    const nested = h.task('nested');
    const left = (await nested.locator('tspan.badge').textContent())!.trim();
    assert.match(left, /^\d+(\.\d)?s$|^expired$/);
    // (0.3 s to go: on a busy machine it may have passed already)
    if (left !== 'expired') assert.match((await nested.getAttribute('aria-label'))!, /, deadline in \d+(\.\d)?s(,|$)/);
    // Its deadline passes (the program has not cancelled yet): said in words, never "deadline in expired".
    await h.page.waitForFunction(
      () => document.querySelector('g.node[aria-label^="task nested"] tspan.badge')?.textContent?.trim() === 'expired',
      undefined,
      { timeout: 5000 },
    );
    assert.match((await nested.getAttribute('aria-label'))!, /, deadline passed(,|$)/);
    await cleanup.click();
    await h.settle();
    const details = (await h.page.locator('aside.details').textContent())!;
    assert.match(details, /Cancel scopes/);
    assert.match(details, /shielded/);
    assert.match(details, /cancel called/);
  });

  it('deep and wide: the keyboard reaches the deepest task and keeps it in view', async () => {
    const rec = recording(fixture('deep_and_wide'));
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    // 490 nodes do not fit a 700 px panel: the first view opens the levels that fit and counts the rest.
    const collapsed = h.page.locator('g.node[aria-expanded="false"]');
    assert.ok((await collapsed.count()) > 0);
    assert.match((await collapsed.first().textContent())!, /\+\d+ tasks( in \d+ nurser(y|ies))?$/);
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Home');
    // Right walks down; on a collapsed node it opens it first: down to a leaf.
    const sel = h.page.locator('g.node[aria-selected="true"]');
    for (let i = 0; i < 20 && (await sel.getAttribute('aria-level')) !== '11'; i++) {
      await h.page.keyboard.press('ArrowRight');
      await h.settle();
    }
    assert.match((await sel.getAttribute('aria-label'))!, /^task node 1\.1\.1\.1\.1,/);
    assert.equal(await sel.getAttribute('aria-level'), '11', 'main, then 5 × (nursery, task)');
    const box = (await sel.boundingBox())!;
    const vp = h.page.viewportSize()!;
    assert.ok(box.x > 0 && box.x + box.width <= vp.width && box.y > 0 && box.y < vp.height, 'selected node on screen');
    await h.page.locator('input.search').fill('node 3.3.3');
    await h.settle();
    assert.equal(await h.page.locator('.match-count').textContent(), '13 matches');
  });

  it('Hettinger trio_way: qualified names drawn short, in full for search and screen readers', async () => {
    const rec = recording(fixture('hettinger_trio'));
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    const attempt = h.page.locator('g.node[aria-label*="open_tcp_stream.<locals>.attempt_connect"]').first();
    assert.equal((await attempt.locator('tspan.name').textContent())!.trim(), 'attempt_connect');
    await h.page.locator('input.search').fill('yahoo');
    await h.settle();
    assert.equal(await h.page.locator('.match-count').textContent(), '1 match');
    assert.equal(await h.page.locator('g.node[aria-label^="task fetch(https://www.yahoo.com)"]').count(), 1);
  });
});
