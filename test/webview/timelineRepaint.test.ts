// The timeline's bar and slider while a live run moves, in real Chromium with
// the extension's store and bridge behind the page: the strip is drawn every
// live tick (5 a second), and each frame writes what changed (the moment's
// words, the slider's end) and nothing else of the bar, the slider or the
// past moment's badge.
import assert from 'node:assert/strict';
import type { Harness } from './browser';
import { eachTestWithLiveHost, type LiveHost } from './liveHost';
import { prologue, swarm } from './synthetic';

/** Records, from now on, every write to the bar, the badge and the slider's own attributes, by element and what. */
async function watchBar(h: Harness): Promise<void> {
  await h.page.evaluate(() => {
    const w = window as unknown as { __barWrites: string[] };
    w.__barWrites = [];
    const o = new MutationObserver((ms) => {
      for (const m of ms) {
        const el = m.target instanceof Element ? m.target : m.target.parentElement!;
        const what = m.type === 'attributes' ? `@${m.attributeName}` : 'text';
        w.__barWrites.push(`${el.getAttribute('class')?.split(' ')[0] ?? el.tagName} ${what}`);
      }
    });
    const all = { subtree: true, attributes: true, childList: true, characterData: true };
    o.observe(document.querySelector('.tl-bar')!, all);
    o.observe(document.querySelector('.past-badge')!, all);
    // the slider's and the tree's own attributes (not what is drawn inside them)
    o.observe(document.querySelector('svg.tl-top-svg')!, { attributes: true });
    o.observe(document.querySelector('svg.tree')!, { attributes: true });
  });
}

const barWrites = (h: Harness) => h.page.evaluate(() => (window as unknown as { __barWrites: string[] }).__barWrites);

describe('webview: the timeline bar writes only what changed', () => {
  let h: Harness;
  let host: LiveHost | undefined;
  eachTestWithLiveHost({ width: 1000, height: 760 }, (page, live) => {
    h = page;
    host = live;
  });

  it('a live run looked at in the past: each tick rewrites the moment words and the slider end, nothing else', async () => {
    await host!.liveWithStrip([...prologue(), ...swarm(5, 'worker')], 5);
    // One event back: the bar names the event and offers Live; the run's now still moves on.
    await h.page.locator('svg.tl-top-svg').focus();
    await h.page.keyboard.press('[');
    await host!.settle(300);
    await h.page.waitForFunction(() => /^at /.test(document.querySelector('.tl-time')?.textContent ?? ''));
    const event = await h.page.locator('.tl-event').textContent();
    assert.ok(event, 'the bar names the event at the cursor');
    await watchBar(h);
    await h.page.waitForTimeout(1200);
    const writes = await barWrites(h);
    // "at 12 ms of 1.4 s": the end is the run's now, so the words move each tick and so does the slider's end.
    assert.ok(writes.filter((w) => w === 'tl-time text').length >= 3, `the moment was drawn each tick: ${writes}`);
    assert.deepEqual(
      [...new Set(writes)].sort(),
      ['tl-time text', 'tl-top-svg @aria-valuemax', 'tl-top-svg @aria-valuetext'],
      'nothing else of the bar, the badge, the slider or the tree is written while only now moves',
    );
    assert.equal(await h.page.locator('.tl-event').textContent(), event);
    assert.deepEqual(h.errors, []);
  });

  it('a live task that ends: its lane ends soon after the tree shows it, not at the next second', async () => {
    const run = await host!.liveWithStrip([...prologue(), ...swarm(5, 'worker')], 5);
    const answers = () => host!.sent.filter((m) => m.type === 'timeline').length;
    const lags: number[] = [];
    for (const id of [10, 11, 12]) {
      // Just after the strip's answer came: at a second's pace the next ask would be a second away.
      const n = answers();
      const until = Date.now() + 3000;
      while (answers() === n && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      run.apply({ type: 'task.exited', run: 1, ts: run.nowAt(Date.now()), id, outcome: 'returned' } as never);
      host!.store.changed();
      const start = Date.now();
      await h.page.waitForFunction(
        (n) =>
          /returned/.test(document.querySelector(`g.tl-row[data-id="${n}"] g.tl-end`)?.getAttribute('class') ?? ''),
        id,
      );
      lags.push(Date.now() - start);
    }
    assert.ok(Math.max(...lags) < 750, `the lanes ended ${lags.join(', ')} ms after their tasks`);
    assert.deepEqual(h.errors, []);
  });
});
