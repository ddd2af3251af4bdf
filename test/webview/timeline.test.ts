// The timeline strip and the time cursor (issue #16) in real Chromium, with
// the extension's own store and bridge behind the page (liveHost.ts): a
// recording opens at its first task; dragging the cursor back before the
// failure shows the siblings alive; keys step event by event; hovering says
// what a mark or lifeline is; clicking a lifeline selects its task; play
// runs to the end; a live run follows now, and stops there while the
// debugger pauses it; the tree's search and collapse reach the rows; zoom.
// Screenshots in light and dark at 400, 800 and 1600 px.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, repoRoot, type Session, type Theme } from './browser';
import { RunState } from '../../extension/store/runState';
import { eachTestWithLiveHost, LiveHost } from './liveHost';
import { prologue, swarm } from './synthetic';
import { dragTo, rowNames, xOf } from './timelineAxis';
import { readStream, runsMessage } from './streams';
import { stuckRun } from './stuckRuns';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const FAILING = 'test/fixtures/failing_child.ndjson';

/** The bar's moment, e.g. "at 200 ms of 303 ms · …". */
const barTime = (h: Harness) => h.page.locator('.tl-time').textContent();
const stateOf = async (h: Harness, name: string) =>
  /s-(\w+)/.exec((await h.task(name).getAttribute('class')) ?? '')?.[1];

/** Waits until the bar's moment matches. */
async function waitBar(h: Harness, re: RegExp): Promise<void> {
  await h.page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector('.tl-time')?.textContent ?? ''),
    re.source,
    { timeout: 5000 },
  );
}

/** The tree's drawn task names. */
const treeTasks = (h: Harness) =>
  h.page.$$eval('g.node[data-kind="task"]', (els) =>
    els.map((e) => e.querySelector('.name')?.textContent ?? '').sort(),
  );

describe('webview: the timeline and the time cursor', () => {
  let s: Session;
  let h: Harness;
  let host: LiveHost | undefined;
  eachTestWithLiveHost({ width: 1000, height: 760 }, (page, live, session) => {
    h = page;
    host = live;
    s = session;
  });

  it('a recording opens at its first task, with the strip open: tasks in the tree order, lanes, ends, bands', async () => {
    host!.open(FAILING);
    await host!.settle(300);
    await waitBar(h, /^at 0\.22 ms of 303 ms/);
    assert.deepEqual(await treeTasks(h), ['main'], "at its first task the run had only main (Trio's own hidden)");
    assert.match(
      (await h.page.locator('.past-badge').textContent())!,
      /^0\.22 ms — the run as it was then · L: back to the end$/,
    );
    await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length === 7);
    assert.deepEqual(await rowNames(h), [
      'main', // as the tree names it
      'check config',
      'download',
      'parse feed',
      'uploader',
      'upload chunk 0',
      'upload chunk 1',
    ]);
    await h.page.waitForFunction(() =>
      document.querySelector('g.tl-row[data-id="9"] path.tl-seg.s-waiting')?.getAttribute('d'),
    );
    assert.equal(await h.page.locator('g.tl-row[data-id="10"] g.tl-end').getAttribute('class'), 'tl-end s-raised');
    assert.equal(await h.page.locator('g.tl-row[data-id="9"] g.tl-end').getAttribute('class'), 'tl-end s-cancelled');
    assert.equal(await h.page.locator('rect.tl-band').count(), 2, "main's nursery and the uploader's");
    assert.equal(await h.page.locator('.tl-live').textContent(), 'End');
    assert.deepEqual(h.errors, []);
  });

  it('a recording cut short (the program stopped: no run.finished) opens at its first task too', async () => {
    // It opened at 0 with "This run has no tasks to show": its frozen time was never stamped.
    const lines = readStream('test/fixtures/deadlock.ndjson').split('\n');
    const cut = lines.filter((l) => l.trim() && !l.includes('"run.finished"')).join('\n') + '\n';
    host!.openText(cut);
    await host!.settle(300);
    await waitBar(h, /^at 0\.40 ms of 2\.060 s/);
    assert.deepEqual(await treeTasks(h), ['main']);
  });
  it('until the host answers where a recording opens, the tree shows nothing (busy), never the end the bar does not name', async () => {
    // The host's answers to seeks are held back: the page has the run's end (its snapshot) and the cursor at 0.22 ms.
    const held: unknown[] = [];
    const bridge = host!.bridge;
    const handle = bridge.handle.bind(bridge);
    bridge.handle = async (m: unknown) => {
      if ((m as { type?: string }).type === 'seek') held.push(m);
      else await handle(m);
    };
    host!.open(FAILING);
    await host!.settle(300);
    await waitBar(h, /^at 0\.22 ms of 303 ms/);
    assert.ok(held.length > 0, 'the page asked for the moment');
    assert.deepEqual(await treeTasks(h), [], "the end's tasks are not drawn under a bar that says 0.22 ms");
    assert.equal(await h.page.locator('svg.tree').getAttribute('aria-busy'), 'true');
    await handle(held[held.length - 1]);
    await host!.settle(100);
    assert.deepEqual(await treeTasks(h), ['main']);
    assert.equal(await h.page.locator('svg.tree').getAttribute('aria-busy'), null);
    assert.deepEqual(h.errors, []);
  });

  it('scrub back to before the failure: the siblings are alive; End and L come back to the end', async () => {
    host!.open(FAILING);
    await host!.settle(300);
    await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length === 7);
    await dragTo(h, 200);
    await host!.settle(200);
    await waitBar(h, /^at (19\d|20\d) ms/);
    assert.deepEqual(await treeTasks(h), [
      'check config',
      'download',
      'main',
      'parse feed',
      'upload chunk 0',
      'upload chunk 1',
      'uploader',
    ]);
    for (const name of ['download', 'parse feed', 'uploader', 'upload chunk 0'])
      assert.equal(await stateOf(h, name), 'waiting', name);
    assert.equal(await stateOf(h, 'check config'), 'returned');
    assert.equal(await h.page.locator('path.cancel-link').count(), 0, 'nothing cancelled yet');
    // the seven drawn tasks, six of them alive then (the hidden system tasks are not counted): started by then
    assert.equal(await h.page.locator('.toolbar .counts').textContent(), '6 live · 7 so far');
    // A long drag over the axis and the names scrubs; it selects no text.
    const [a, b] = [await xOf(h, 280), await xOf(h, 20)];
    await h.page.mouse.move(a.x, a.y);
    await h.page.mouse.down();
    await h.page.mouse.move(b.x - 150, b.y + 80, { steps: 8 });
    await h.page.mouse.up();
    assert.equal(await h.page.evaluate(() => String(window.getSelection())), '', 'dragging the cursor selected text');
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('End');
    await host!.settle(200);
    await waitBar(h, /^at the end, 303 ms/);
    assert.equal(await h.page.locator('.past-badge').isVisible(), false, 'the end is no past moment');
    assert.equal(await stateOf(h, 'download'), 'cancelled');
    assert.equal(await h.page.locator('path.cancel-link').count(), 2);
    await dragTo(h, 100);
    await host!.settle(100);
    await h.page.keyboard.press('l');
    await host!.settle(100);
    await waitBar(h, /^at the end, 303 ms · /);
    assert.equal(await h.page.locator('.past-badge').isHidden(), true);
    assert.equal(await stateOf(h, 'parse feed'), 'raised');
    assert.ok((await h.posted()).some((m) => m.type === 'live'));
  });

  it('keys step event by event and say which; Home goes to the start', async () => {
    host!.open(FAILING);
    await host!.settle(300);
    await h.page.locator('.tl-top-svg').focus();
    const said = (text: string) =>
      h.page.waitForFunction((t) => document.querySelector('.tl-event')?.textContent === t, text);
    // The events after main's spawn, Trio's own task (hidden in the tree, Hide system) stepped over: main's
    // nursery, named as the tree names it, in Trio's word; the first children.
    for (const text of ['main opened a nursery', 'check config started', 'download started']) {
      await h.page.keyboard.press(']');
      await host!.settle(50);
      await said(text);
    }
    assert.deepEqual(await treeTasks(h), ['check config', 'download', 'main']);
    await h.page.keyboard.press('[');
    await host!.settle(100);
    await said('check config started');
    assert.deepEqual(await treeTasks(h), ['check config', 'main']);
    await h.page.keyboard.press('Shift+BracketRight');
    await host!.settle(100);
    await h.page.waitForFunction(() => document.querySelectorAll('g.node[data-kind="task"]').length >= 6);
    await h.page.keyboard.press('Home');
    await host!.settle(100);
    await waitBar(h, /^at 0 ms of 303 ms/);
    assert.match((await h.page.locator('.past-badge').textContent())!, /^0 ms — the run as it was then/);
  });

  it('hover says what a mark or a lifeline is; clicking a lifeline selects its task, at a moment it lived', async () => {
    host!.open(FAILING);
    await host!.settle(300);
    await h.page.waitForFunction(() =>
      document.querySelector('g.tl-row[data-id="10"] path.tl-seg.s-waiting')?.getAttribute('d'),
    );
    const end = await h.page.locator('g.tl-row[data-id="10"] g.tl-end').boundingBox();
    await h.page.mouse.move(end!.x + end!.width / 2, end!.y + end!.height / 2);
    await h.page.waitForFunction(() => !document.querySelector<HTMLElement>('.tl-tip')!.hidden);
    const tip = (await h.page.locator('.tl-tip').textContent())!;
    assert.match(tip, /^parse feed/);
    assert.match(tip, /raised 302 ms/);
    assert.match(tip, /ValueError: feed item 3 has no date/);
    const p = await xOf(h, 150);
    const row = await h.page.locator('g.tl-row[data-id="14"]').boundingBox();
    await h.page.mouse.move(p.x, row!.y + row!.height / 2);
    await h.page.waitForFunction(() =>
      /at the pointer: waiting/.test(document.querySelector('.tl-tip')?.textContent ?? ''),
    );
    assert.match(
      (await h.page.locator('.tl-tip').textContent())!,
      /upload chunk 1.*cancelled because parse feed failed/s,
    );
    // The cursor is at 0.22 ms, where upload chunk 1 did not exist yet: the click goes to 150 ms and selects it.
    await h.page.mouse.click(p.x, row!.y + row!.height / 2);
    await host!.settle(300);
    await waitBar(h, /^at 1[45]\d ms/);
    assert.equal(await h.task('upload chunk 1').getAttribute('aria-selected'), 'true');
    assert.match((await h.page.locator('aside.details').textContent())!, /upload chunk 1/);
    assert.equal(await h.page.locator('g.tl-row.selected').getAttribute('data-id'), '14');
  });

  it("play runs the cursor to the end and stops; the speed is the user's", async () => {
    host!.open(FAILING);
    await host!.settle(300);
    // The slowest speed: the 303 ms run plays for 3 s, so a loaded host cannot reach its end before the pause
    // (a second click there would play it again from the start).
    await h.page.locator('.tl-speed').selectOption('0.1');
    await h.page.locator('.tl-play').click();
    await h.page.waitForTimeout(250);
    assert.equal(await h.page.locator('.tl-play').getAttribute('aria-label'), 'Pause');
    const mid = (await barTime(h))!;
    assert.match(mid, /^at \d+(\.\d+)? ms/);
    await h.page.locator('.tl-play').click();
    await host!.settle(50);
    const paused = await barTime(h);
    await h.page.waitForTimeout(200);
    assert.equal(await barTime(h), paused, 'paused: the cursor stays');
    await h.page.locator('.tl-speed').selectOption('10');
    await h.page.locator('.tl-play').click();
    await waitBar(h, /^at 303 ms of 303 ms/);
    await h.page.waitForFunction(() => document.querySelector('.tl-play')?.getAttribute('aria-label') === 'Play');
    await host!.settle(200);
    assert.equal(await stateOf(h, 'parse feed'), 'raised');
  });

  it("switching runs in the picker draws each run's lifelines by state (another run's rows have the same ids)", async () => {
    const segments = () =>
      h.page.$$eval('g.tl-row', (rows) =>
        rows.map((r) => Array.from(r.querySelectorAll('path.tl-seg')).filter((p) => p.getAttribute('d')).length),
      );
    const drawn = async (what: string) => {
      await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length > 0);
      await host!.settle(300);
      const counts = await segments();
      assert.ok(counts.length > 0 && counts.every((n) => n > 0), `${what}: a row without its state bars (${counts})`);
    };
    const first = host!.open(FAILING);
    await host!.settle(300);
    await drawn('the first recording');
    const second = host!.open('test/fixtures/deadlines.ndjson');
    await host!.settle(300);
    await drawn('the second recording');
    await h.page.locator('.toolbar select').first().selectOption(first.key);
    await drawn('the first again');
    await h.page.locator('.toolbar select').first().selectOption(second.key);
    await drawn('the second again');
    assert.deepEqual(h.errors, []);
  });

  it('a live run: the cursor follows now; while the debugger pauses the program it stays at the pause', async () => {
    const run = await host!.liveWithStrip([...prologue(), ...swarm(5, 'worker')], 5);
    assert.match((await barTime(h))!, /^now /);
    const cursorX = () =>
      h.page.$eval('g.tl-cursor', (g) => Number(/translate\(([-\d.]+)/.exec(g.getAttribute('transform')!)![1]));
    const x0 = await cursorX();
    assert.equal(await h.page.locator('g.tl-cursor.live').count(), 1);
    // A waiting worker's details: "waiting … for 1.2 s", counting while the program runs.
    await h.task('worker').first().click();
    const waited = () => h.page.locator('aside.details .elapsed').first().textContent();
    await h.page.waitForFunction(() => document.querySelector('aside.details .elapsed') !== null);
    host!.bridge.paused(run.key, true);
    await host!.settle(300);
    await waitBar(h, /^paused at /);
    const p0 = await cursorX();
    const w0 = await waited();
    await h.page.waitForTimeout(600);
    assert.equal(await cursorX(), p0, 'the cursor stays at the pause');
    assert.equal(await waited(), w0, 'the wait reads at the pause, as the bar does, not on in wall time');
    assert.ok(p0 >= x0 - 1);
    host!.bridge.paused(run.key, false);
    await host!.settle(100);
    await waitBar(h, /^now /);
    await h.page.waitForFunction((w) => document.querySelector('aside.details .elapsed')?.textContent !== w, w0);
    // More tasks arrive: the timeline lists them within a second or so.
    for (const e of swarm(3, 'late', 40)) run.apply({ ...e, ts: 9 } as never);
    host!.store.changed();
    await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length >= 8, undefined, { timeout: 5000 });
    assert.deepEqual(h.errors, []);
  });

  it('a run past its history budget: the strip says from when the history is coarse, and a moment there says so', async () => {
    // Waves of 40 short tasks with state samples (~60,000 events) into a history allowed 1.5 MB: the oldest pages go.
    const run = new RunState('coarse.r1', 'long.py', {
      retainFinished: 100,
      history: { budget: 1_500_000, minSpacing: 1000, dense: true },
    });
    const events: Array<Record<string, unknown>> = [...prologue()];
    let id = 10;
    let ts = 2;
    while (events.length < 60_000) {
      const wave = Array.from({ length: 40 }, () => id++);
      for (const t of wave)
        events.push({
          type: 'task.spawned',
          run: 1,
          ts: (ts += 0.01),
          id: t,
          name: `w${t % 7}`,
          nursery: 4,
          system: false,
          site: null,
        });
      for (const t of wave)
        events.push(
          { type: 'task.state', run: 1, ts: (ts += 0.01), id: t, state: 'running' },
          { type: 'task.state', run: 1, ts: (ts += 0.01), id: t, state: 'waiting' },
        );
      for (const t of wave) events.push({ type: 'task.exited', run: 1, ts: (ts += 0.01), id: t, outcome: 'returned' });
    }
    for (const e of events) run.apply(e as never);
    run.markRecording();
    const history = run.history!;
    assert.ok(history.exactFrom > history.since, 'the run outgrew its budget');
    const [entry] = host!.store.addRecording([run], { bytes: [], truncated: false });
    host!.bridge.select(entry.state.key);
    await host!.settle(300);
    await h.page.waitForFunction(
      () => /history before .* is coarse/.test(document.querySelector('.tl-note')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await h.page.waitForFunction(() => document.querySelector('rect.tl-coarse') !== null);
    // The recording opened at its first task, inside the coarse part: the moment shown is a checkpoint, and says so.
    await h.page.waitForFunction(
      () => /coarse here/.test(document.querySelector('.tl-note')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('End');
    await host!.settle(200);
    await h.page.waitForFunction(() => !/coarse here/.test(document.querySelector('.tl-note')?.textContent ?? ''));
    assert.deepEqual(h.errors, []);
  });

  it('collapsed, the bar keeps the time of a live run that sends nothing (a hung program)', async () => {
    const page = await Harness.open(s, { width: 1000, height: 700 }); // a page of its own: no host store behind it
    try {
      const { run } = stuckRun('hang.ndjson', 'hang', 'hang.py');
      await page.send(runsMessage([run.state]), run.snapshot());
      await waitBar(page, /^now\s\d/);
      assert.equal(await page.page.locator('.tl-body').isHidden(), true, 'the strip is collapsed');
      const seconds = async () => {
        const m = /^now\s([\d.]+)\s(m?s)\b/.exec((await barTime(page)) ?? '');
        return m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : NaN;
      };
      const first = await seconds();
      await page.page.waitForTimeout(1500);
      const later = await seconds();
      assert.ok(later - first >= 1, `the bar's time went on: ${first} s, then ${later} s`);
    } finally {
      await page.page.close();
    }
  });

  it("the tree's search and collapsed nodes reach the rows; the wheel zooms and 0 shows the whole run", async () => {
    host!.open(FAILING);
    await host!.settle(300);
    await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length === 7);
    await h.page.locator('input.search').fill('upload');
    await host!.settle(200);
    assert.deepEqual(await rowNames(h), ['uploader', 'upload chunk 0', 'upload chunk 1']);
    await h.page.locator('input.search').fill('');
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('End');
    await host!.settle(300);
    // Collapse the uploader in the tree: its chunks leave the timeline too.
    await h.task('uploader').locator('.shape').click({ force: true });
    await host!.settle(200);
    await h.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length === 5);
    assert.ok(!(await rowNames(h)).includes('upload chunk 0'));
    const labels = () => h.page.$$eval('g.tl-tick text', (els) => els.map((e) => e.textContent));
    const whole = await labels();
    const p = await xOf(h, 100);
    await h.page.mouse.move(p.x, p.y);
    for (let i = 0; i < 6; i++) await h.page.mouse.wheel(0, -100);
    await host!.settle(200);
    assert.notDeepEqual(await labels(), whole, 'zoomed in: finer ticks');
    await h.page.locator('.tl-top-svg').focus();
    await h.page.keyboard.press('0');
    await host!.settle(200);
    assert.deepEqual(await labels(), whole);
  });

  it('in a narrow panel, names are cut in their middle and keep their ends (the fetches of URLs stay apart)', async () => {
    const page = await Harness.open(s, { width: 520, height: 720 });
    const own = await LiveHost.attach(page);
    try {
      own.open('test/fixtures/hettinger_trio.ndjson');
      await own.settle(300);
      // (only the rows the strip's height shows are drawn)
      await page.page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('g.tl-row text.tl-name')).filter((t) =>
            t.textContent?.startsWith('fetc'),
          ).length >= 4,
      );
      const names = (await page.page.locator('g.tl-row text.tl-name').allTextContents()).filter((n) =>
        n.startsWith('fetc'),
      );
      assert.ok(
        names.every((n) => /^fetc.*….{6,}\)$/.test(n) || /^fetc….{6,}…$/.test(n)),
        `cut in the middle, their ends kept (or where they differ): ${names.join(' | ')}`,
      );
      assert.ok(
        names.some((n) => n.endsWith('ahoo.com)')) && names.some((n) => n.endsWith('cnn.com)')),
        names.join(' | '),
      );
      // www.python.org and www.jython.org differ 11 characters from their end: cut alike, they keep where they differ
      assert.equal(new Set(names).size, names.length, `told apart: ${names.join(' | ')}`);
      assert.deepEqual(page.errors, []);
    } finally {
      own.dispose();
      await page.page.close();
    }
  });

  for (const theme of ['vscode-light', 'vscode-dark'] as Theme[]) {
    for (const width of [400, 800, 1600]) {
      it(`looks right in ${theme} at ${width} px, before the failure (screenshots)`, async () => {
        mkdirSync(SHOTS, { recursive: true });
        const page = await Harness.open(s, { theme, width, height: 720 });
        const own = await LiveHost.attach(page);
        try {
          own.open(FAILING);
          await own.settle(300);
          await page.page.waitForFunction(() => document.querySelectorAll('g.tl-row').length === 7);
          await dragTo(page, 250);
          await own.settle(400);
          await page.page.waitForFunction(() =>
            document.querySelector('g.tl-row[data-id="9"] path.tl-seg.s-waiting')?.getAttribute('d'),
          );
          await page.page.screenshot({ path: join(SHOTS, `timeline-${theme}-${width}.png`) });
          assert.equal(await page.page.evaluate(() => String(window.getSelection())), '', 'scrubbing selected text');
          const bar = await page.page.locator('.tl-bar').boundingBox();
          assert.ok(bar && bar.width <= width, 'the bar fits the panel');
          assert.ok((await page.page.locator('.tl-live').boundingBox())!.x + 10 < width, 'Live stays on screen');
          // the curve's label keeps to the names' gutter: over the curve it hid the run's first moments
          const label = await page.page.evaluate(() => {
            const text = document.querySelector<SVGTextElement>('text.tl-curve-label')!;
            const box = text.getBBox();
            return { right: box.x + box.width, x0: Number(document.querySelector('line.tl-axis')!.getAttribute('x1')) };
          });
          assert.ok(label.right <= label.x0, `the label ends at ${label.right}, the curve starts at ${label.x0}`);
          assert.deepEqual(page.errors, []);
        } finally {
          own.dispose();
          await page.page.close();
        }
      });
    }
  }
});
