// In step with the debugger (#14 item 3), in the page: the task paused at a
// breakpoint is marked (arrow + words), selected and brought into view, even
// inside a fold; the Call Stack's pick is marked; the details pane shows the
// await chain; selections go back to the host for the Tasks view.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostMessage } from '../../contract/messages';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { LiveRun, runsMessage } from './streams';
import { prologue } from './synthetic';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const FILE = '/home/user/app/workers.py';
const TRIO = '/venv/lib/python3.11/site-packages/trio/_timer.py';
const at = (line: number, fn = 'worker', file = FILE) => ({ file, line, function: fn });

/** `count` workers in main's nursery (4), ids 10…, waiting in trio.sleep called by nap() (util.py:3) from line 12; `names(i)` names them. */
function workers(count: number, names: (i: number) => string): LiveRun {
  const events: Array<Record<string, unknown>> = [...prologue()];
  for (let i = 0; i < count; i++) {
    events.push({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id: 10 + i,
      name: names(i),
      nursery: 4,
      system: false,
      site: at(30, 'main'),
    });
    events.push({
      type: 'task.state',
      run: 1,
      ts: 3,
      id: 10 + i,
      state: 'waiting',
      at: at(3, 'nap', '/home/user/app/util.py'),
      chain: [
        at(12),
        at(3, 'nap', '/home/user/app/util.py'),
        at(80, 'sleep', TRIO),
        at(90, 'sleep_until', TRIO),
        at(60, 'wait_task_rescheduled', TRIO),
      ],
    });
  }
  return new LiveRun('c1.r1', 'workers.py').feed(events);
}

const marks = (paused: number | null, focus: number | null = null, run: string | null = 'c1.r1'): HostMessage => ({
  type: 'debugMarks',
  run,
  paused,
  focus,
  reason: paused === null ? null : 'breakpoint',
});

describe('webview: in step with the debugger', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    // 40 px taller than the tree alone needs: the timeline's bar sits under the tree, and the opened fold's page must stay above it.
    h = await Harness.open(s, { width: 1100, height: 640 });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  async function inView(key: string): Promise<boolean> {
    const box = await h.page.locator(`g.node[data-key="${key}"]`).boundingBox();
    const area = await h.page.locator('svg.tree').boundingBox();
    return (
      !!box &&
      !!area &&
      box.y >= area.y &&
      box.y + box.height <= area.y + area.height &&
      box.x >= area.x &&
      box.x < area.x + area.width
    );
  }

  it('marks the paused worker of fifty with the arrow and "paused here", selects it, brings it into view and says why', async () => {
    const run = workers(50, (i) => `worker-${i}`);
    run.feed([{ type: 'task.state', run: 1, ts: 4, id: 57, state: 'running', at: at(11), chain: [at(11)] }]);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.clearPosted();
    await h.send(marks(57), { type: 'select', run: 'c1.r1', id: 57 });
    await h.settle(400);
    const paused = h.page.locator('g.node.paused');
    assert.equal(await paused.count(), 1, 'exactly one task is marked');
    assert.equal(await paused.getAttribute('data-key'), '57');
    assert.equal(await paused.getAttribute('aria-selected'), 'true');
    assert.match((await paused.getAttribute('aria-label'))!, /^task worker-47, running, paused here$/);
    assert.match((await paused.locator('text').textContent())!, /paused here/);
    assert.ok(await paused.locator('path.debug-mark.paused').getAttribute('d'), 'the arrow is drawn');
    assert.ok(await inView('57'), 'the paused task was scrolled into view');
    const details = h.page.locator('aside.details');
    assert.match((await details.textContent())!, /Paused here \(breakpoint\): the debugger stopped in this task\./);
    // The host set it: no echo back.
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'selected'),
      [],
    );
    await h.page.screenshot({ path: join(SHOTS, 'paused-here-dark.png') });
    // Continue: the mark goes, the selection stays.
    await h.send(marks(null, null, null));
    assert.equal(await h.page.locator('g.node.paused').count(), 0);
    assert.equal(await h.page.locator('g.node[data-key="57"]').getAttribute('aria-selected'), 'true');
    // The other workers are one fold beside it; opened, its page shows worker-36, and picking it tells the host (e2e E does this).
    await h.page.locator('g.node.fold').click();
    await h.settle(200);
    await h.page.locator('g.node[aria-label^="task worker-36,"]').click();
    await h.settle(100);
    assert.equal(
      (await h.posted())
        .filter((m) => m.type === 'selected')
        .map((m) => (m as { id: number | null }).id)
        .at(-1),
      46,
    );
  });

  it('lifts the paused task out of the fold that hides it, beside the fold', async () => {
    const run = workers(30, () => 'worker');
    await h.send(runsMessage([run.state]), run.snapshot());
    assert.equal(await h.page.locator('g.node.fold').getAttribute('aria-expanded'), 'false');
    assert.equal(await h.page.locator('g.node[data-key="33"]').count(), 0);
    await h.send(marks(33), { type: 'select', run: 'c1.r1', id: 33 });
    await h.settle(400);
    // The other 29 stay folded: one task is shown, not a column of thirty.
    assert.equal(await h.page.locator('g.node.fold').getAttribute('aria-expanded'), 'false');
    assert.match((await h.page.locator('g.node.fold').getAttribute('aria-label'))!, /^worker ×30/);
    assert.equal(await h.page.locator('g.node.task').count(), 2, 'main and the paused worker');
    assert.equal(await h.page.locator('g.node[data-key="33"]').getAttribute('aria-selected'), 'true');
    assert.equal(await h.page.locator('g.node.paused').getAttribute('data-key'), '33');
    assert.ok(await inView('33'));
  });

  it('opens the node the user collapsed over the paused task', async () => {
    const run = workers(5, (i) => `worker-${i}`);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.page.locator('g.node[data-key="3"]').click();
    await h.page.keyboard.press('-');
    await h.settle(200);
    assert.equal(await h.page.locator('g.node[data-key="3"]').getAttribute('aria-expanded'), 'false');
    assert.equal(await h.page.locator('g.node[data-key="12"]').count(), 0);
    await h.send(marks(12), { type: 'select', run: 'c1.r1', id: 12 });
    await h.settle(400);
    assert.equal(await h.page.locator('g.node[data-key="3"]').getAttribute('aria-expanded'), 'true');
    assert.equal(await h.page.locator('g.node[data-key="12"]').getAttribute('aria-selected'), 'true');
    assert.ok(await inView('12'));
  });

  it('waits for the run and the row a selection names, and ignores marks of another run', async () => {
    const run = workers(5, (i) => `worker-${i}`);
    // The host's select can arrive before the snapshot of its run.
    await h.send({ type: 'select', run: 'c1.r1', id: 12 }, marks(12, null, 'c9.r1'));
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle(300);
    assert.equal(await h.page.locator('g.node[data-key="12"]').getAttribute('aria-selected'), 'true');
    assert.equal(await h.page.locator('g.node.paused').count(), 0, 'the marks were for another run');
  });

  it('says the run is paused in a banner, with the task paused or with none on the stopped thread, and only for its run', async () => {
    const run = workers(5, (i) => `worker-${i}`);
    await h.send(runsMessage([run.state]), run.snapshot());
    const banner = h.page.locator('.notices .banner.paused');
    assert.equal(await banner.count(), 0, 'a running program has no pause banner');
    // The pause button while the loop sat in its selector: no task owns the stopped thread.
    await h.send({ type: 'debugMarks', run: 'c1.r1', paused: null, focus: null, reason: 'pause' });
    await h.settle(100);
    assert.equal(await banner.textContent(), 'Paused in the debugger — no task owns the stopped thread');
    assert.equal(await h.page.locator('g.node.paused').count(), 0, 'no task is marked');
    assert.match(
      (await banner.getAttribute('title'))!,
      /It stopped between task steps, in the event loop itself[^]*a timeout or deadline that passes meanwhile fires when it continues/,
    );
    assert.match((await h.page.locator('[role=status]').textContent())!, /^Paused in the debugger/);
    await h.send(marks(12));
    await h.settle(100);
    assert.equal(await banner.textContent(), 'Paused in the debugger (breakpoint) in task worker-2');
    await h.send(marks(12, null, 'c9.r1'));
    await h.settle(100);
    assert.equal(await banner.count(), 0, "another run's pause");
    await h.send(marks(null, null, null));
    await h.settle(100);
    assert.equal(await banner.count(), 0, 'continued');
  });

  it('marks the task owning the frame picked in the Call Stack, apart from the paused one', async () => {
    const run = workers(5, (i) => `worker-${i}`);
    await h.send(runsMessage([run.state]), run.snapshot(), marks(10, 13));
    assert.equal(await h.page.locator('g.node.paused').getAttribute('data-key'), '10');
    const focus = h.page.locator('g.node.stack-focus');
    assert.equal(await focus.getAttribute('data-key'), '13');
    assert.match((await focus.getAttribute('aria-label'))!, /selected frame$/);
  });

  it('tells the host which task the user selects, once per change, and nothing for a fold', async () => {
    const run = workers(30, () => 'worker');
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.clearPosted();
    await h.page.locator('g.node.fold').click();
    await h.page.locator('g.node[data-key="3"]').click();
    await h.page.locator('g.node[data-key="3"]').click();
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'selected'),
      [
        { type: 'selected', run: 'c1.r1', id: null },
        { type: 'selected', run: 'c1.r1', id: 3 },
      ],
    );
  });

  it("shows the whole await chain, outermost first, the program's frames bold, library frames folded and dimmed, each a link", async () => {
    const run = workers(3, (i) => `worker-${i}`);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.page.locator('g.node[data-key="11"]').click();
    const chain = h.page.locator('aside.details ol.await-chain').first();
    await chain.waitFor();
    assert.deepEqual(
      await chain
        .locator(':scope > li')
        .evaluateAll((els) => els.map((e) => `${e.className}:${(e as HTMLElement).innerText.trim()}`)),
      ['user:worker:12 · workers.py', 'user:nap:3 · util.py', 'library fold:3 library frames'],
    );
    assert.equal(await chain.locator('details').getAttribute('open'), null, 'library frames start folded');
    await chain.locator('summary').click();
    assert.deepEqual(await chain.locator('details li').allTextContents(), [
      'sleep:80 · _timer.py',
      'sleep_until:90 · _timer.py',
      'wait_task_rescheduled:60 · _timer.py',
    ]);
    // One numbering for the whole chain: the fold has no marker of its own, its frames go on from 3.
    assert.deepEqual(
      await chain
        .locator('li')
        .evaluateAll((els) =>
          els.map((e) =>
            e.classList.contains('fold') ? getComputedStyle(e).listStyleType : (e as HTMLLIElement).value,
          ),
        ),
      [1, 2, 'none', 3, 4, 5],
    );
    await h.clearPosted();
    await chain.getByRole('button', { name: 'nap:3' }).click();
    await chain.getByRole('button', { name: 'sleep_until:90' }).click();
    assert.deepEqual(await h.posted(), [
      { type: 'openSite', file: '/home/user/app/util.py', line: 3 },
      { type: 'openSite', file: TRIO, line: 90 },
    ]);
    const chainTerm = () =>
      h.page
        .locator('aside.details dt')
        .evaluateAll((dts) => dts.map((d) => d.textContent).filter((t) => /chain/i.test(t ?? '')));
    assert.deepEqual(await chainTerm(), ['Await chain']);
    // Once the task has returned, the chain is its last one, as "Last await" above it says.
    run.feed([{ type: 'task.exited', run: 1, ts: 5, id: 11, outcome: 'returned' }]);
    await h.send(runsMessage([run.state]), run.delta()!);
    await h.page.waitForFunction(() =>
      Array.from(document.querySelectorAll('aside.details dt')).some((d) => d.textContent === 'Last await'),
    );
    assert.deepEqual(await chainTerm(), ['Last await chain']);
  });

  for (const theme of ['vscode-light', 'vscode-high-contrast', 'vscode-high-contrast-light'] as Theme[]) {
    it(`"paused here" reads in ${theme} (screenshot)`, async () => {
      await h.reset(theme);
      const run = workers(8, (i) => `worker-${i}`);
      await h.send(runsMessage([run.state]), run.snapshot(), marks(14, 12), { type: 'select', run: 'c1.r1', id: 14 });
      await h.settle(300);
      const colours = await h.page.locator('g.node.paused path.debug-mark').evaluate((el) => getComputedStyle(el).fill);
      assert.notEqual(colours, 'none');
      await h.page.screenshot({ path: join(SHOTS, `paused-here-${theme}.png`) });
    });
  }
});
