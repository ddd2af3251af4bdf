// A recording opens at its start: the banner over the tree still says how the
// run as a whole ended (the moment shown knows nothing of its end yet: it
// read "the run ended without a finish event" there, and the run's real end
// only at the end).
import assert from 'node:assert/strict';
import type { Harness } from './browser';
import { eachTestWithLiveHost, type LiveHost } from './liveHost';
import { readStream } from './streams';

const banner = async (h: Harness) => (await h.page.locator('.notices [data-status="recording"]').textContent()) ?? '';

describe('webview: a recording shown at its start says how its run ended', function () {
  let h: Harness;
  let host: LiveHost;
  eachTestWithLiveHost({ width: 900, height: 600 }, (page, live) => {
    h = page;
    host = live;
  });

  it('a run that returned: "returned" from its first moment', async () => {
    host.open('test/fixtures/failing_child.ndjson');
    await host.settle(300);
    assert.match((await h.page.locator('.tl-time').textContent()) ?? '', /^at /, 'shown at a moment of its start');
    assert.match(await banner(h), /recording — the run returned$/);
  });

  it('a program stopped while hung (run.stopped, 1.5): "ended when its program stopped" from its first moment', async () => {
    const stop =
      '{"type":"run.stopped","run":1,"ts":9000,"reason":"The program disconnected before its run finished."}\n';
    host.openText(readStream('test/fixtures/hang.ndjson').replace(/.*"run\.finished".*\n?/g, '') + stop);
    await host.settle(300);
    assert.match(await banner(h), /recording — the run ended when its program stopped, before the run finished/);
    assert.deepEqual(h.errors, []);
  });

  it('a recording opens with its timeline shown, even after the user closed the strip', async () => {
    host.open('test/fixtures/failing_child.ndjson');
    await host.settle(300);
    await h.page.locator('.tl-toggle').click(); // closed by the user (a choice the panel keeps)
    assert.equal(await h.page.locator('.tl-body').isHidden(), true);
    host.open('test/fixtures/deadlock.ndjson');
    await host.settle(300);
    assert.equal(await h.page.locator('.tl-body').isVisible(), true, 'the strip of the recording just opened');
    assert.equal(await h.page.locator('.tl-toggle').getAttribute('aria-expanded'), 'true');
  });
});
