// The task tree in real Chromium: what a user sees and can do with one run.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../contract/messages';
import { Harness, openSession, type Session } from './browser';
import { eventsOf, LiveRun, readStream, recording, runsMessage, snapshotMessage } from './streams';
import { cycleRows, prologue, swarm } from './synthetic';

const LIVE = 'test/webview/streams/live.ndjson';
const FAILING = 'test/webview/streams/failing.ndjson';

describe('webview: task tree', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s);
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  async function showLive(): Promise<LiveRun> {
    const live = new LiveRun('live1', 'crawl.py').feed(eventsOf(readStream(LIVE)));
    await h.send(runsMessage([live.state]), live.snapshot());
    return live;
  }

  it('says ready once, acquires the VS Code API once, and breaks no CSP rule', async () => {
    const posted = await h.posted();
    assert.deepEqual(posted, [{ type: 'ready' }]);
    assert.equal(await h.page.evaluate(() => (window as unknown as { __acquired: number }).__acquired), 1);
    await showLive();
    assert.deepEqual(await h.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(h.errors, []);
  });

  it('explains how to start when there is no run, and its buttons post commands', async () => {
    const empty = h.page.locator('.empty-state');
    assert.ok(await empty.isVisible());
    const text = await empty.textContent();
    assert.match(text!, /F5/);
    assert.match(text!, /trio\.run\(\)/);
    await h.clearPosted();
    await h.page.getByRole('button', { name: 'Run Python File with Task Tree' }).click();
    await h.page.getByRole('button', { name: 'Open Recording…' }).click();
    assert.deepEqual(await h.posted(), [
      { type: 'command', command: 'runFile' },
      { type: 'command', command: 'openRecording' },
    ]);
    await showLive();
    assert.equal(await empty.isVisible(), false);
  });

  it('draws tasks and nurseries as different shapes, with the main task as root and system tasks hidden', async () => {
    await showLive();
    const nodes = await h.nodes();
    const tasks = nodes.filter((n) => n.kind === 'task');
    const nurseries = nodes.filter((n) => n.kind === 'nursery');
    assert.equal(tasks.length, 8, 'main, fetch, slow_fetch, crasher, worker_pool, 3 workers');
    assert.equal(nurseries.length, 2);
    const shapes = await h.page.$$eval('g.node .shape', (els) => [
      ...new Set(els.map((e) => `${(e.parentNode as SVGGElement).dataset.kind}:${e.getAttribute('d')}`)),
    ]);
    assert.equal(new Set(shapes.map((x) => x.split(':')[1])).size, 2, 'one outline per kind');
    const roots = nodes.filter((n) => n.parent === null);
    assert.equal(roots.length, 1);
    assert.match(roots[0].aria, /^task __main__\.main, /);
    assert.equal(roots[0].text.trim(), 'main', 'a qualified name is drawn by its last part');
    assert.ok(!nodes.some((n) => n.text.includes('<init>') || n.text.includes('run_sync_soon')));
    // Children sit right of their parent; siblings are stacked.
    const byKey = new Map(nodes.map((n) => [n.key, n]));
    for (const n of nodes) if (n.parent) assert.ok(n.x > byKey.get(n.parent)!.x, `${n.text} right of its parent`);
    const workers = tasks.filter((t) => t.text.startsWith('worker') && !t.text.startsWith('worker_pool'));
    assert.equal(new Set(workers.map((w) => w.parent)).size, 1);
    assert.equal(new Set(workers.map((w) => w.y)).size, 3);
    const pool = tasks.find((t) => t.text.startsWith('worker_pool'))!;
    assert.equal(byKey.get(workers[0].parent!)!.parent, pool.key, 'workers → nursery → worker_pool');
  });

  it("follows the host's default for system tasks until the user chooses", async () => {
    await h.send({ type: 'config', hideSystemDefault: false });
    await showLive();
    assert.deepEqual(
      (await h.nodes()).filter((n) => n.parent === null).map((n) => n.text.trim()),
      ['<init>'],
    );
    assert.equal(await h.page.getByRole('button', { name: 'Hide system' }).getAttribute('aria-pressed'), 'false');
  });

  it('explains shapes and icons in a legend', async () => {
    await showLive();
    const button = h.page.getByRole('button', { name: 'Legend' });
    await button.click();
    const items = await h.page.locator('.legend li').allTextContents();
    for (const word of [
      'running',
      'scheduled',
      'waiting',
      'returned',
      'raised',
      'cancelled',
      'lost',
      'nursery (Trio), TaskGroup (asyncio), task group (AnyIO)',
    ])
      assert.ok(items.includes(word), word);
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    await button.click();
    assert.equal(await h.page.locator('.legend').isVisible(), false);
  });

  it('shows each state by class and icon, with await sites, countdown and shield', async () => {
    await showLive();
    const nodes = await h.nodes();
    const state = (name: string) => nodes.find((n) => n.text.trim().startsWith(name))!;
    assert.match(state('fetch').cls, /s-waiting/);
    assert.match(state('fetch').text, /fetch:20/, 'where it waits: function and line');
    assert.match(state('fetch').aria, /task fetch, waiting, at crawl\.py:20 in fetch/);
    const icons = await h.page.$$eval('g.node.task', (els) =>
      Object.fromEntries(
        els.map((e) => [/s-(\w+)/.exec(e.getAttribute('class')!)![1], e.querySelector('.icon')!.getAttribute('d')]),
      ),
    );
    assert.ok(icons.running && icons.waiting && icons.scheduled);
    assert.equal(new Set(Object.values(icons)).size, Object.keys(icons).length, 'a distinct icon per state');
    // slow_fetch has a 30 s deadline (run-relative); the run clock is live, so it counts down.
    const badge = () => h.page.locator('g.node', { hasText: 'slow_fetch' }).locator('tspan.badge').textContent();
    const first = (await badge())!.trim();
    assert.match(first, /^\d+(\.\d)?s$/);
    await h.page.waitForTimeout(1100);
    await h.settle();
    const later = (await badge())!.trim();
    assert.ok(parseFloat(later) < parseFloat(first), `${later} < ${first}`);
    assert.match(state('worker_pool').text, /shielded/);
    assert.match(state('worker_pool').cls, /shielded/);
  });

  it('applies deltas: a raising child shows its error type and is linked to the siblings it cancelled', async () => {
    const live = await showLive();
    const rest = eventsOf(readStream(FAILING)).slice(eventsOf(readStream(LIVE)).length);
    live.feed(rest.filter((e) => e.id === 7 || e.id === 5 || e.id === 6));
    await h.send(live.delta()!);
    const nodes = await h.nodes();
    const crasher = nodes.find((n) => n.aria.startsWith('task crasher'))!;
    assert.match(crasher.cls, /s-raised/);
    assert.match(crasher.text, /ValueError/);
    for (const name of ['fetch', 'slow_fetch']) {
      const victim = nodes.find((n) => n.aria.startsWith(`task ${name},`))!;
      assert.match(victim.cls, /s-cancelled/);
      assert.match(victim.text, /← crasher/, 'a cancelled task names its cause');
      assert.match(victim.aria, /cancelled by crasher/);
    }
    const links = await h.page.$$eval('path.cancel-link', (els) =>
      els.map((e) => [e.getAttribute('data-failer'), e.getAttribute('data-victim'), e.getAttribute('class')]),
    );
    assert.equal(links.length, 2);
    assert.ok(links.every(([f, , c]) => f === crasher.key && c === 'cancel-link'));
    await h.page.locator('g.node[aria-label^="task crasher"]').hover();
    await h.settle();
    assert.equal(
      await h.page.locator('path.cancel-link.hl').count(),
      2,
      'hovering the failing task highlights its links',
    );
    await h.page.mouse.move(5, 600);
    await h.settle();
    assert.equal(await h.page.locator('path.cancel-link.hl').count(), 0);
  });

  it('selecting a node opens its details; the site buttons post openSite', async () => {
    await showLive();
    await h.nodeByText('slow_fetch').click();
    await h.settle();
    const pane = h.page.locator('aside.details');
    assert.ok(await pane.isVisible());
    const text = (await pane.textContent())!;
    assert.match(text, /slow_fetch/);
    assert.match(text, /#6/);
    assert.match(text, /waiting/);
    assert.match(text, /Spawnedmain:32 · crawl\.py/);
    assert.match(text, /Waits atslow_fetch:25 · crawl\.py/);
    assert.match(text, /deadline/);
    assert.match(text, /#4 crawl\.py:30 of/);
    await h.clearPosted();
    await pane.getByRole('button', { name: 'Go to spawn site' }).click();
    await pane.getByRole('button', { name: 'Go to await site' }).click();
    assert.deepEqual(await h.posted(), [
      { type: 'openSite', file: '/home/user/app/crawl.py', line: 32 },
      { type: 'openSite', file: '/home/user/app/crawl.py', line: 25 },
    ]);
    assert.equal(await h.nodeByText('slow_fetch').getAttribute('aria-selected'), 'true');
  });

  it('shows the error message and group members of a failed main task', async () => {
    const rec = recording(FAILING);
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    await h.task('__main__.main').click();
    await h.settle();
    const text = (await h.page.locator('aside.details').textContent())!;
    assert.match(text, /ExceptionGroup: Exceptions from Trio nursery/);
    assert.match(text, /ValueError: bad feed: <b>not html<\/b>/);
    assert.equal(await h.page.locator('aside.details b').count(), 0, 'the message is text, not markup');
  });

  it('walks the tree with the keyboard and collapses with -, +, Space', async () => {
    await showLive();
    const tree = h.page.locator('svg.tree');
    await tree.focus();
    const selected = async () => (await h.page.locator('g.node[aria-selected="true"]').textContent())?.trim();
    await h.page.keyboard.press('Home');
    await h.settle();
    assert.equal(await selected(), 'main');
    assert.equal(
      await tree.getAttribute('aria-activedescendant'),
      await h.page.locator('g.node[aria-selected="true"]').getAttribute('id'),
    );
    assert.equal(await tree.getAttribute('role'), 'tree');
    const fetch = h.task('fetch');
    assert.deepEqual(
      [
        await fetch.getAttribute('role'),
        await fetch.getAttribute('aria-level'),
        await fetch.getAttribute('aria-posinset'),
        await fetch.getAttribute('aria-setsize'),
      ],
      ['treeitem', '3', '1', '4'],
    );
    await h.page.keyboard.press('ArrowRight');
    await h.page.keyboard.press('ArrowRight');
    await h.settle();
    assert.match((await selected())!, /^fetch/);
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('ArrowDown');
    await h.settle();
    assert.match((await selected())!, /^worker_pool/);
    await h.page.keyboard.press('ArrowLeft');
    await h.settle();
    assert.equal(await h.page.locator('g.node[aria-selected="true"]').getAttribute('data-kind'), 'nursery');
    await h.page.keyboard.press('ArrowRight');
    for (let i = 0; i < 3; i++) await h.page.keyboard.press('ArrowDown');
    await h.settle();
    const pool = h.nodeByText('worker_pool');
    assert.equal(await pool.getAttribute('aria-expanded'), 'true');
    await h.page.keyboard.press('-');
    await h.settle();
    assert.equal(await pool.getAttribute('aria-expanded'), 'false');
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 5, 'the workers are collapsed away');
    assert.match((await pool.textContent())!, /\+3 tasks in 1 nursery/, 'a collapsed node says what it hides');
    await h.page.keyboard.press('+');
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 8);
    await h.page.keyboard.press(' ');
    await h.settle();
    assert.equal(await pool.getAttribute('aria-expanded'), 'false');
    await h.page.keyboard.press('Enter');
    await h.settle();
    assert.match((await h.page.locator('aside.details').textContent())!, /worker_pool/);
    await h.page.keyboard.press('/');
    assert.equal(await h.page.evaluate(() => document.activeElement?.className), 'search');
  });

  it('filters by name, keeping the path to each match', async () => {
    await showLive();
    await h.page.locator('input.search').fill('work');
    await h.settle();
    const nodes = await h.nodes();
    const names = nodes.filter((n) => n.kind === 'task').map((n) => n.text.trim().split(' ')[0]);
    assert.deepEqual(names.sort(), ['main', 'worker', 'worker', 'worker', 'worker_pool']);
    assert.equal(nodes.filter((n) => n.cls.includes('match')).length, 4);
    assert.equal(await h.page.locator('.match-count').textContent(), '4 matches');
    await h.page.locator('input.search').press('Enter');
    await h.settle();
    assert.match((await h.page.locator('g.node[aria-selected="true"]').textContent())!, /worker/);
    await h.page.locator('input.search').fill('no such task');
    await h.settle();
    assert.equal(await h.page.locator('.waiting-note').textContent(), 'Nothing matches these filters.');
    await h.page.locator('input.search').press('Escape');
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 8);
  });

  it('folds more than 20 same-named siblings into one ×N node that unfolds and folds back', async () => {
    const live = new LiveRun('wide', 'swarm.py').feed([
      ...prologue(),
      ...swarm(30, 'fetch_one'),
      ...swarm(3, 'other', 100),
    ]);
    await h.send(runsMessage([live.state]), live.snapshot());
    let nodes = await h.nodes();
    const fold = nodes.find((n) => n.kind === 'fold')!;
    assert.ok(fold, 'a fold node');
    assert.match(fold.text, /fetch_one/);
    assert.match(fold.text, /×30/);
    assert.match(fold.aria, /^fetch_one ×30, tasks of one kind, folded: .*running/);
    assert.equal(nodes.filter((n) => n.kind === 'task').length, 4, 'main + 3 others');
    assert.ok((await h.page.locator('g.node.fold .histogram rect').count()) >= 3, 'a state histogram');
    await h.page.locator('g.node.fold').click();
    await h.settle();
    nodes = await h.nodes();
    assert.equal(nodes.filter((n) => n.kind === 'task').length, 34);
    assert.equal(nodes.filter((n) => n.parent === fold.key).length, 30);
    assert.equal(await h.page.locator('g.node.fold').getAttribute('aria-expanded'), 'true');
    await h.page.locator('aside.details').getByRole('button', { name: 'Fold back' }).click();
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 4);
    // Enter on a focused fold unfolds it too.
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Enter');
    await h.settle();
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 34);
  });

  it('hides finished tasks and shows system tasks on request', async () => {
    const rec = recording(FAILING);
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
    assert.equal((await h.nodes()).filter((n) => n.kind === 'task').length, 8);
    await h.page.getByRole('button', { name: 'Hide finished' }).click();
    await h.settle();
    assert.equal(
      (await h.nodes()).filter((n) => n.kind === 'task').length,
      0,
      'everything of this run finished (init is a hidden system task)',
    );
    await h.page.getByRole('button', { name: 'Hide system' }).click();
    await h.settle();
    const nodes = await h.nodes();
    assert.deepEqual(
      nodes.filter((n) => n.parent === null).map((n) => n.text.trim()),
      ['<init>'],
    );
    assert.equal(await h.page.getByRole('button', { name: 'Hide system' }).getAttribute('aria-pressed'), 'false');
  });

  it('shows tasks folded away by retention as one "N finished (folded)" leaf of their nursery', async () => {
    const run = new LiveRun('r', 'r.py', { retainFinished: 5 }).feed([...prologue(), ...swarm(30, 'job')]);
    run.feed(
      Array.from({ length: 30 }, (_, i) => ({
        type: 'task.exited',
        run: 1,
        ts: 50,
        id: 10 + i,
        outcome: i % 10 ? 'returned' : 'raised',
        error: i % 10 ? undefined : { type: 'OSError', message: 'x' },
      })),
    );
    await h.send(runsMessage([run.state]), run.snapshot());
    const leaf = h.page.locator('g.node[data-kind="retired"]');
    assert.equal(await leaf.count(), 1);
    assert.match((await leaf.textContent())!, /25 finished \(folded\)/);
    assert.match((await leaf.getAttribute('aria-label'))!, /returned.*raised|raised.*returned/);
    assert.equal(
      await h.page.locator(`g.node[data-key="${await leaf.getAttribute('data-parent')}"]`).getAttribute('data-kind'),
      'nursery',
    );
  });

  it('hover shows the full name; double-click opens the await site; the wheel scrolls and Ctrl+wheel zooms', async () => {
    await showLive();
    const crasher = h.page.locator('g.node[aria-label^="task crasher"]');
    const drawn = (await crasher.locator('tspan.name').textContent())!;
    assert.match(drawn, /^crasher <img.*….*=1>$/, `the long name loses its middle, both ends stay (${drawn})`);
    await crasher.locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    assert.equal(await h.page.locator('.tooltip .strong').textContent(), 'crasher <img src=x onerror=window.__xss=1>');
    await h.clearPosted();
    await h.task('fetch').dblclick();
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'openSite'),
      [{ type: 'openSite', file: '/home/user/app/crawl.py', line: 20 }],
    );
    const transform = async () => {
      const t = (await h.page.locator('g.viewport').getAttribute('transform'))!;
      const m = /translate\(([-\d.e]+),([-\d.e]+)\)(?: scale\(([-\d.e]+)\))?/.exec(t)!;
      return { x: Number(m[1]), y: Number(m[2]), k: Number(m[3] ?? 1) };
    };
    const before = await transform();
    await h.page.mouse.move(500, 500);
    await h.page.mouse.wheel(0, 120);
    await h.settle();
    const scrolled = await transform();
    assert.equal(scrolled.k, before.k);
    assert.ok(Math.abs(scrolled.y - (before.y - 120)) < 1, `scrolled up by 120 px (${before.y} → ${scrolled.y})`);
    await h.page.keyboard.down('Control');
    await h.page.mouse.wheel(0, -200);
    await h.page.keyboard.up('Control');
    await h.settle();
    assert.ok((await transform()).k > before.k, 'Ctrl+wheel zooms in');
    assert.equal(await h.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'false');
  });

  it('renders program strings as text: a task named like markup runs nothing', async () => {
    await showLive();
    const node = h.page.locator('g.node[aria-label^="task crasher"]');
    assert.match((await node.getAttribute('aria-label'))!, /<img src=x onerror=window\.__xss=1>/);
    await node.click();
    await h.settle(100);
    assert.equal(await h.page.locator('img').count(), 0);
    assert.equal(await h.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.match((await h.page.locator('aside.details .title').textContent())!, /<img src=x onerror=window\.__xss=1>/);
  });

  it('shows direction controls in program strings escaped, so a name cannot pose as another (issue #12 item 8)', async () => {
    const live = await showLive();
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

  it('follows new activity until the user pans; Follow resumes it', async () => {
    const live = await showLive();
    const follow = h.page.getByRole('button', { name: 'Follow' });
    assert.equal(await follow.getAttribute('aria-pressed'), 'true');
    // Far-away new tasks: 60 more workers under worker_pool's nursery push the newest off screen
    // (each of its own kind: spawned from a line of its own, so nothing folds; a long list keeps its newest in sight).
    const more = Array.from({ length: 60 }, (_, i) => ({
      type: 'task.spawned',
      run: 1,
      ts: 50 + i,
      id: 200 + i,
      name: `late_${i}`,
      nursery: 9,
      system: false,
      site: { file: '/home/user/app/crawl.py', line: 100 + i, function: 'worker_pool' },
    }));
    live.feed(more);
    await h.send(live.delta()!);
    await h.settle(700);
    const newest = await h.page.locator('g.node', { hasText: 'late_59' }).boundingBox();
    assert.ok(newest, 'the newest task is drawn (in view)');
    const vp = h.page.viewportSize()!;
    assert.ok(newest.y > 0 && newest.y < vp.height, `newest task in view (y=${newest.y})`);
    // A user drag pans and stops following.
    await h.page.mouse.move(300, 400);
    await h.page.mouse.down();
    await h.page.mouse.move(360, 300, { steps: 4 });
    await h.page.mouse.up();
    await h.settle();
    assert.equal(await follow.getAttribute('aria-pressed'), 'false');
    await follow.click();
    await h.settle();
    assert.equal(await follow.getAttribute('aria-pressed'), 'true');
  });

  it('draws the rest of the tree within a second when parents form a cycle (a cancel link leads into it)', async () => {
    const live = new LiveRun('loop', 'crawl.py').feed(eventsOf(readStream(LIVE)));
    const snapshot = live.snapshot() as Extract<HostMessage, { type: 'snapshot' }>;
    const messages: HostMessage[] = [
      runsMessage([live.state]),
      { ...snapshot, rows: [...snapshot.rows, ...cycleRows()] },
    ];
    const t0 = Date.now();
    await h.page.evaluate((ms) => {
      for (const m of ms) window.postMessage(m, '*');
    }, messages as unknown[]);
    // A page stuck in a loop never draws, and this wait gives up after the second.
    await h.page.waitForFunction(() => document.querySelectorAll('g.node').length > 0, undefined, { timeout: 1000 });
    assert.ok(Date.now() - t0 < 1000, `drawn after ${Date.now() - t0} ms`);
    await h.settle();
    const names = (await h.nodes())
      .filter((n) => n.kind === 'task')
      .map((n) => /^task (.*?),/.exec(n.aria)![1])
      .sort();
    assert.deepEqual(names, [
      '__main__.main',
      'cancelled_by_loop',
      'crasher <img src=x onerror=window.__xss=1>',
      'fetch',
      'slow_fetch',
      'under_the_loop',
      'worker',
      'worker',
      'worker',
      'worker_pool',
    ]);
    // Following the newest task (in the loop) and opening the details of the loop's victim leave the page alive.
    await h.task('cancelled_by_loop').click();
    await h.settle();
    assert.match((await h.page.locator('aside.details').textContent())!, /cancelled_by_loop/);
    assert.deepEqual(h.errors, []);
  });
});
