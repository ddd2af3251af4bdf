// A new run that takes over the panel is a new view: the filter typed for the
// run before does not carry over (it hid hang.py's `load config` behind
// "worker", typed while watching server_like.py: "3 matches"), and a pan
// that ended Follow there does not keep the new run from following. The
// run left keeps both, and so does a reload of the same run; the Follow
// toggle turned off by the user stays off for the next run.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, repoRoot, suitePage } from './browser';
import { serverLike } from './serverLike';
import { eventsOf, LiveRun, readStream, runsMessage } from './streams';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const hangRun = () => new LiveRun('hang', 'hang.py').feed(eventsOf(readStream('test/fixtures/hang.ndjson')));

const search = (h: Harness) => h.page.locator('input.search');
const matchCount = async (h: Harness) => (await h.page.locator('.match-count').textContent()) ?? '';
const follow = (h: Harness) => h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed');

describe('webview: a new run starts a new view (filter, Follow)', function () {
  let h: Harness;
  suitePage((page) => (h = page), { width: 900, height: 640 });
  before(() => mkdirSync(SHOTS, { recursive: true }));

  it('the filter and a pan of the run before do not carry over to a new run; that run and its reload keep them', async () => {
    const server = serverLike();
    await h.send(runsMessage([server.state]), server.snapshot());
    await search(h).fill('worker');
    await h.settle(100);
    assert.equal(await matchCount(h), '2,000 matches', 'its 2,000 workers, counted as the toolbar counts tasks');
    // A pan (the wheel scrolls) ends Follow in this view.
    await h.page.mouse.move(400, 350);
    await h.page.mouse.wheel(0, 120);
    await h.settle(100);
    assert.equal(await follow(h), 'false');
    // hang.py starts and the host shows it (as for a new launch).
    const hang = hangRun();
    await h.send(runsMessage([server.state, hang.state], 'hang'), hang.snapshot());
    await h.settle(100);
    await h.page.screenshot({ path: join(SHOTS, 'new-run-clear-filter.png') });
    assert.equal(await search(h).inputValue(), '', 'the filter box is empty');
    assert.equal(await matchCount(h), '');
    assert.equal(await h.task('load config').count(), 1, "hang.py's load config is drawn");
    assert.equal(await follow(h), 'true', 'the new run follows');
    // Back to server_like.py: its filter and its stopped Follow are as they were left.
    await h.page.locator('select.run-picker').selectOption('live-server');
    await h.send(server.snapshot());
    await h.settle(100);
    assert.equal(await search(h).inputValue(), 'worker');
    assert.match(await matchCount(h), /match/);
    assert.equal(await follow(h), 'false');
    // A reload of the same run keeps them too.
    await h.reload();
    await h.send(runsMessage([server.state, hang.state], 'live-server'), server.snapshot());
    await h.settle(100);
    assert.equal(await search(h).inputValue(), 'worker');
    assert.match(await matchCount(h), /match/);
    assert.equal(await follow(h), 'false');
    assert.deepEqual(h.errors, []);
  });

  it('a new run while the filter box has the focus: the box shows the new run’s (empty) filter', async () => {
    const server = serverLike();
    await h.send(runsMessage([server.state]), server.snapshot());
    await search(h).fill('worker');
    await h.settle(100);
    const hang = hangRun();
    await h.send(runsMessage([server.state, hang.state], 'hang'), hang.snapshot());
    await h.settle(100);
    assert.equal(await search(h).inputValue(), '');
    assert.equal(await h.task('load config').count(), 1);
  });

  it('Follow turned off with its toggle stays off for the next run', async () => {
    const server = serverLike();
    await h.send(runsMessage([server.state]), server.snapshot());
    await h.page.getByRole('button', { name: 'Follow' }).click();
    await h.settle(100);
    assert.equal(await follow(h), 'false');
    const hang = hangRun();
    await h.send(runsMessage([server.state, hang.state], 'hang'), hang.snapshot());
    await h.settle(100);
    assert.equal(await follow(h), 'false');
  });
});
