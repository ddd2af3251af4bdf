// Lints on the timeline (issue #17 item 2) in real Chromium, with the
// extension's own store and bridge behind the page (liveHost.ts): a block of
// the event loop spans the time it was held on the lifeline of the task that
// held it and across the live-task curve, a coroutine never awaited is a mark
// on its task's lifeline at the moment it was dropped; both in the theme's
// warning colour, and their hover cards say what happened, where, for how
// long, with the program's text made visible.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type Harness } from './browser';
import { RunState } from '../../extension/store/runState';
import { eachTestWithLiveHost, type LiveHost } from './liveHost';
import { prologue } from './synthetic';
import { xOf } from './timelineAxis';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const FILE = '/home/user/app/blocking.py';
const at = (line: number, fn = 'worker') => ({ file: FILE, line, function: fn });

/** Three workers (the third's name has a direction control): worker-1 holds the loop from 100 to 400 ms (reported once while it lasts), worker-2 drops a coroutine at 410 ms; code outside any task holds it from 500 to 620 ms. */
function lintedRecording(): RunState {
  const run = new RunState('lints.r1', 'blocking.py');
  const events: Array<Record<string, unknown>> = [
    ...prologue(),
    ...[1, 2, 3].map((i) => ({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id: 10 + i,
      name: i === 3 ? 'worker-\u202e3' : `worker-${i}`,
      nursery: 4,
      system: false,
      site: at(22, 'main'),
    })),
    { type: 'loop.blocked', run: 1, ts: 250, block: 1, since: 100, duration: 150, ongoing: true, task: 11, at: at(12) },
    { type: 'loop.blocked', run: 1, ts: 400, block: 1, since: 100, duration: 300, task: 11, at: at(12) },
    {
      type: 'warning',
      run: 1,
      ts: 410,
      category: 'RuntimeWarning',
      message: "coroutine 'fe\u202etch' was never awaited",
      kind: 'never_awaited',
      site: at(14),
      task: 12,
    },
    { type: 'loop.blocked', run: 1, ts: 620, block: 2, since: 500, duration: 120, at: null },
    ...[11, 12, 13].map((id) => ({ type: 'task.exited', run: 1, ts: 690, id, outcome: 'returned' })),
    { type: 'run.finished', run: 1, ts: 700, outcome: 'returned' },
  ];
  for (const e of events) run.apply(e as never);
  run.markRecording();
  return run;
}

/** A mark's left and right client x, from its path (a box would count its stroke): `M x,y h w …`; a point mark has no `h`. */
async function span(h: Harness, selector: string): Promise<[number, number]> {
  const { left, d } = await h.page.locator(selector).evaluate((el) => ({
    left: (el as SVGPathElement).ownerSVGElement!.getBoundingClientRect().left,
    d: el.getAttribute('d')!,
  }));
  const [, x, w] = /^M([-\d.]+),[-\d.]+(?:h([-\d.]+))?/.exec(d)!;
  return [left + Number(x), left + Number(x) + Number(w ?? 0)];
}

async function hoverText(h: Harness, x: number, y: number): Promise<string> {
  await h.page.mouse.move(x, y);
  await h.page.waitForFunction(() => !document.querySelector<HTMLElement>('.tl-tip')!.hidden);
  return (await h.page.locator('.tl-tip').textContent())!;
}

describe('webview: lints on the timeline', () => {
  let h: Harness;
  let host: LiveHost | undefined;
  eachTestWithLiveHost({ width: 1000, height: 700 }, (page, live) => {
    h = page;
    host = live;
  });

  it('a block spans its interval on the task that held the loop and on the curve; a dropped coroutine marks its moment', async () => {
    const [entry] = host!.store.addRecording([lintedRecording()], { bytes: [], truncated: false });
    host!.bridge.select(entry.state.key);
    await host!.settle(300);
    await h.page.waitForFunction(() => document.querySelectorAll('path.tl-mark.blocked').length === 3);
    // worker-1's lifeline: one block (its two reports are one mark), from 100 to 400 ms.
    assert.equal(await h.page.locator('g.tl-row[data-id="11"] path.tl-mark').count(), 1);
    const [x0, x1] = await span(h, 'g.tl-row[data-id="11"] path.tl-mark.blocked');
    assert.ok(Math.abs(x0 - (await xOf(h, 100)).x) <= 2, `the block starts at 100 ms (${x0})`);
    assert.ok(Math.abs(x1 - (await xOf(h, 400)).x) <= 2, `the block ends at 400 ms (${x1})`);
    // worker-2's lifeline: the warning at 410 ms; worker-3 has none.
    assert.equal(await h.page.locator('g.tl-row[data-id="12"] path.tl-mark').count(), 1);
    const [w] = await span(h, 'g.tl-row[data-id="12"] path.tl-mark.warning');
    assert.ok(Math.abs(w - (await xOf(h, 410)).x) <= 2, `the warning is at 410 ms (${w})`);
    assert.equal(await h.page.locator('g.tl-row[data-id="13"] path.tl-mark').count(), 0, 'no lint, no mark');
    assert.equal(await h.page.locator('g.tl-row[data-id="13"] text.tl-name').textContent(), 'worker-\\u202e3');
    // Across the curve: both blocks, the one outside any task from 500 to 620 ms.
    const top = h.page.locator('.tl-top-lints path.tl-mark.blocked');
    assert.equal(await top.count(), 2);
    const [o0, o1] = await span(h, '.tl-top-lints path.tl-mark.blocked >> nth=1');
    assert.ok(Math.abs(o0 - (await xOf(h, 500)).x) <= 2 && Math.abs(o1 - (await xOf(h, 620)).x) <= 2);
    // The theme's warning colour.
    const colours = await h.page.evaluate(() => {
      const probe = document.createElement('div');
      probe.style.color = 'var(--vscode-editorWarning-foreground)';
      document.body.append(probe);
      const want = getComputedStyle(probe).color;
      probe.remove();
      return [
        want,
        ...['g.tl-row[data-id="12"] path.warning', 'g.tl-row[data-id="11"] path.blocked'].map(
          (sel) => getComputedStyle(document.querySelector(sel)!).fill,
        ),
      ];
    });
    assert.match(colours[0], /^rgb\(/);
    assert.deepEqual(colours.slice(1), [colours[0], colours[0]]);
    mkdirSync(SHOTS, { recursive: true });
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('End'); // nothing dimmed after the cursor
    await host!.settle(200);
    await h.page.screenshot({ path: join(SHOTS, 'timeline-lints.png') });
    assert.deepEqual(h.errors, []);
  });

  it('hovering a lint mark says what, where and for how long, with the program text made visible', async () => {
    const [entry] = host!.store.addRecording([lintedRecording()], { bytes: [], truncated: false });
    host!.bridge.select(entry.state.key);
    await host!.settle(300);
    await h.page.waitForFunction(() => document.querySelectorAll('path.tl-mark.blocked').length === 3);
    const rowY = async (id: number) => {
      const b = (await h.page.locator(`g.tl-row[data-id="${id}"]`).boundingBox())!;
      return b.y + b.height / 2;
    };
    assert.match(
      await hoverText(h, (await xOf(h, 250)).x, await rowY(11)),
      /^worker-1 held the event loop at blocking\.py:12 in worker for 300 ms \(100 ms to 400 ms\): no other task ran meanwhile$/,
    );
    assert.equal(
      await hoverText(h, (await xOf(h, 410)).x, await rowY(12)),
      "worker-2 made coroutine 'fe\\u202etch' at blocking.py:14 in worker and never awaited it: its body never ran (410 ms)",
    );
    const curve = await xOf(h, 560);
    assert.match(
      await hoverText(h, curve.x, curve.y),
      /^Code outside any task held the event loop at a line outside user code for 120 ms \(500 ms to 620 ms\)/,
    );
    // Beside the marks the lifeline speaks as before.
    assert.match(await hoverText(h, (await xOf(h, 600)).x, await rowY(11)), /^worker-1started/);
    assert.deepEqual(h.errors, []);
  });
});
