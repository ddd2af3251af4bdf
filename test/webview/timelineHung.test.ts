// The time cursor over a live program that hangs (examples/hang.py, recorded:
// every task waits from 208 ms on and nothing more comes), 30 s into the run,
// in real Chromium with the extension's store and bridge behind the page:
// the user can pick any moment, after the last event too, and the bar and the
// cursor say that moment; steps from live go to the look that found the hang,
// then event by event. (They landed on the last event: "at 208 ms of 30 s",
// the cursor at the strip's left, and `[` went nowhere after it.)
import assert from 'node:assert/strict';
import type { Harness } from './browser';
import { eachTestWithLiveHost, type LiveHost } from './liveHost';
import { eventsOf, readStream } from './streams';
import { dragTo } from './timelineAxis';

/** The live run's age when the user looks at it. */
const AGE_MS = 30_000;

const barTime = async (h: Harness) => (await h.page.locator('.tl-time').textContent()) ?? '';

async function waitBar(h: Harness, re: RegExp): Promise<void> {
  await h.page
    .waitForFunction((src) => new RegExp(src).test(document.querySelector('.tl-time')?.textContent ?? ''), re.source, {
      timeout: 5000,
    })
    .catch(async () => assert.fail(`the bar reads "${await barTime(h)}", not ${re}`));
}

async function waitEvent(h: Harness, text: string): Promise<void> {
  await h.page
    .waitForFunction((t) => document.querySelector('.tl-event')?.textContent === t, text, { timeout: 5000 })
    .catch(async () =>
      assert.fail(`the step reads "${await h.page.locator('.tl-event').textContent()}", not "${text}"`),
    );
}

/** The moment the cursor is drawn at, read off the axis's ticks in the same frame (a live run's axis moves on). */
async function cursorMoment(h: Harness): Promise<number> {
  // (no named functions inside: the page has no __name helper of the test's compiler)
  return h.page.evaluate(() => {
    const ticks = Array.from(document.querySelectorAll('g.tl-tick'));
    const [a, b] = [ticks[0], ticks[ticks.length - 1]];
    const [xa, xb, xc] = [a, b, document.querySelector('g.tl-cursor')!].map((g) =>
      Number(/translate\(([-\d.]+)/.exec(g.getAttribute('transform')!)![1]),
    );
    const [ta, tb] = [a, b].map((g) => {
      const s = g.querySelector('text')!.textContent!;
      return s === '0' ? 0 : s.endsWith(' ms') ? parseFloat(s) : parseFloat(s) * 1000;
    });
    return ta + ((xc - xa) / (xb - xa)) * (tb - ta);
  });
}

/**
 * hang.py's recording up to where its --exit-after thread cancels the stuck
 * tasks, as a live run that came AGE_MS ago, and the host's verdict watch
 * looking every 500 ms since; the strip open.
 */
async function hungLive(host: LiveHost, h: Harness): Promise<void> {
  const events = eventsOf(readStream('test/fixtures/hang.ndjson'));
  const stop = events.find((e) => e.type === 'scope.changed' && e.cancel_called)!.ts as number;
  const run = host.store.openStream({ launchKey: 'k', instance: 'i', argv: ['hang.py'] }).run(1)!;
  const realNow = Date.now;
  const then = realNow() - AGE_MS;
  Date.now = () => then; // the run's clock is stamped as its last event comes
  try {
    for (const e of events) if (typeof e.ts !== 'number' || e.ts < stop) run.apply(e as never);
    run.info();
  } finally {
    Date.now = realNow;
  }
  for (let k = 1; k * 500 <= AGE_MS; k++) run.judge(then + k * 500);
  host.store.changed();
  await host.settle(200);
  await h.page.locator('.tl-toggle').click();
  await host.settle(300);
  await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length >= 4);
}

describe('webview: the time cursor over a hung live program, after its last event', () => {
  let h: Harness;
  let host: LiveHost | undefined;
  eachTestWithLiveHost({ width: 1000, height: 760 }, (page, live) => {
    h = page;
    host = live;
  });

  it('Shift+← from live and a drag to 20 s show those moments, the cursor drawn there, the hang claimed by then', async () => {
    await hungLive(host!, h);
    await waitBar(h, /^now 3\d\.\d\d s/);
    assert.equal(await h.page.locator('.banner.verdict').count(), 1, 'hung, live');
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('End');
    await h.page.keyboard.press('Shift+ArrowLeft');
    await host!.settle(200);
    // A tenth of the window (the whole run, ~3 s) back from now.
    await waitBar(h, /^at 2\d\.\d\d s of 3\d\.\d\d s/);
    const [at, end] = /^at ([\d.]+) s of ([\d.]+) s/
      .exec(await barTime(h))!
      .slice(1)
      .map((v) => Number(v) * 1000);
    assert.ok(at > 0.85 * end && at < end - 1000, `at ${at} of ${end}`);
    const drawn = await cursorMoment(h);
    assert.ok(Math.abs(drawn - at) < 200, `the cursor is drawn at ${drawn} ms, not at ${at} (a pixel is ~40 ms)`);
    assert.match((await h.page.locator('.past-badge').textContent())!, /^2\d\.\d\d s — the run as it was then/);
    assert.deepEqual(await h.page.locator('g.node[data-kind="task"] .name').allTextContents(), [
      'main',
      'load config',
      'worker-0',
      'worker-1',
      'worker-2',
    ]);
    assert.equal(await h.page.locator('.banner.verdict').count(), 1, 'hung then');

    await dragTo(h, 20_000);
    await host!.settle(200);
    await waitBar(h, /^at (19\.[89]\d|20\.[0-2]\d) s of 3\d\.\d\d s/); // a pixel is ~40 ms
    const dragged = Number(/^at ([\d.]+) s/.exec(await barTime(h))![1]) * 1000;
    assert.ok(Math.abs((await cursorMoment(h)) - dragged) < 200, 'the cursor is where it was dragged');
    assert.deepEqual(h.errors, []);
  });

  it('[ from live goes to the look that found the hang, then event by event back', async () => {
    await hungLive(host!, h);
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('[');
    await host!.settle(100);
    await waitBar(h, /^at 1\.2\d\d s of 3\d\.\d\d s/);
    await waitEvent(h, 'found the run hung'); // what the look found, not that it looked
    await h.page.keyboard.press('[');
    await host!.settle(100);
    await waitBar(h, /^at 208 ms of /);
    await waitEvent(h, 'load config returned');
    await h.page.keyboard.press('[');
    await host!.settle(100);
    await waitBar(h, /^at 102 ms of /);
    assert.deepEqual(h.errors, []);
  });
});
