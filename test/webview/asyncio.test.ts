// An asyncio run in the panel (protocol 1.2, through the extension's store):
// loose tasks hang from the task that made them with a dashed link and say
// so; task groups say their kind; asyncio.timeout counts down and says where
// it was entered; flags show on the task and are explained; the run picker
// names the library. Screenshots in light and dark at 400, 800 and 1600 px.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { LiveRun, runsMessage } from './streams';
import { asyncioClose, asyncioRun } from './synthetic';
import { DEFAULT_LINT_SETTINGS } from '../../extension/store/runLints';

const SHOTS = join(repoRoot, 'screenshots', 'webview');

function live(key = 'aio', anyio?: string, library: 'asyncio' | 'trio' = 'asyncio'): LiveRun {
  return new LiveRun(key, 'ingest.py').feed(asyncioRun(1, library, anyio));
}

/** The stroke-dasharray of the link drawn to the node with this key ('none': a plain line). */
function linkDash(h: Harness, key: string): Promise<string> {
  return h.page.evaluate((k) => {
    const link = Array.from(document.querySelectorAll<SVGPathElement>('.links path.link')).find(
      (p) => (p as unknown as { __data__: { node: { key: string } } }).__data__.node.key === k,
    );
    return link ? getComputedStyle(link).strokeDasharray : 'no link';
  }, key);
}

/** Selects a node with the keyboard from the root (`Home`, then `keys`) and opens its details: it works where the node is out of view. */
async function selectByKeys(h: Harness, ...keys: string[]): Promise<void> {
  await h.page.locator('svg.tree').focus();
  for (const k of ['Home', ...keys, 'Enter']) await h.page.keyboard.press(k);
  await h.settle(50);
}
const TO_AUDIT = ['ArrowRight', 'ArrowRight', 'ArrowRight'];
const TO_FLUSH = ['ArrowRight', 'ArrowDown', 'ArrowDown'];
const TO_HEARTBEAT = ['ArrowRight', 'ArrowDown'];

describe('webview: an asyncio run', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s, { width: 1100, height: 600 });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  async function show(run = live()): Promise<LiveRun> {
    await h.send(runsMessage([run.state]), run.snapshot());
    return run;
  }

  it("a loose task's name stays whole when a badge comes after its label already grew (outlived its maker)", async () => {
    // warm cache, alone in its column under write_audit (which raised): its await site comes, then the lint's badge.
    const site = (line: number, fn: string) => ({ file: '/home/user/app/ingest.py', line, function: fn });
    const run = live().feed([
      {
        type: 'task.spawned',
        run: 1,
        ts: 2.5,
        id: 20,
        name: 'warm cache',
        nursery: null,
        parent: 8,
        system: false,
        site: site(40, 'write_audit'),
      },
    ]);
    await show(run);
    await h.settle(200);
    run.feed([
      { type: 'task.state', run: 1, ts: 2.6, id: 20, state: 'waiting', at: site(57, 'warm_cache_with_a_long_name') },
    ]);
    await h.send(runsMessage([run.state]), run.delta()!);
    await h.settle(300);
    run.state.lints(DEFAULT_LINT_SETTINGS, Date.now()); // the host's look a moment later: the maker is gone
    await h.send(runsMessage([run.state]), run.delta()!);
    // The badge, then the relayout it asks for: waited for (a slow machine takes more frames), then read.
    await h.page
      .waitForFunction(
        () =>
          Array.from(document.querySelectorAll('g.node text')).some((t) =>
            /^warm cache .*outlived/.test(t.textContent ?? ''),
          ),
        undefined,
        { timeout: 3000 },
      )
      .catch(() => undefined);
    const label = await h.task('warm cache').locator('text').first().textContent();
    assert.match(label!, /^warm cache .*⚠ outlived its maker$/, 'the name whole beside its badge (it read "wa…he")');
    assert.deepEqual(h.errors, []);
  });

  it('draws a loose task under the task that made it, with a dashed link, and says it is loose', async () => {
    await show();
    const nodes = await h.nodes();
    const byName = (name: string) => nodes.find((n) => n.aria.startsWith(`task ${name},`))!;
    assert.equal(byName('heartbeat').parent, '1', 'heartbeat hangs from main, which made it');
    assert.equal(byName('flush_cache').parent, '1');
    assert.equal(byName('write_audit').parent, '4', 'under the fetch that made it, not the TaskGroup');
    assert.equal(byName('fetch(users)').parent, '3', 'a TaskGroup child hangs from its TaskGroup');
    assert.match(byName('heartbeat').aria, /, loose \(owned by no task group\)/);
    assert.doesNotMatch(byName('fetch(users)').aria, /loose/);
    assert.match(byName('heartbeat').cls, /\bloose\b/);
    const dash = (key: string) => linkDash(h, key);
    assert.notEqual(await dash('7'), 'none', 'the link to a loose task is dashed');
    assert.notEqual(await dash('8'), 'none');
    assert.equal(await dash('4'), 'none', 'a TaskGroup child hangs by a plain line');
    assert.equal(await dash('3'), 'none', 'so does a TaskGroup from its owner');

    await h.task('heartbeat').locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    assert.match((await h.page.locator('.tooltip').textContent())!, /Loose task: made by main outside any task group/);

    await h.task('write_audit').click();
    await h.settle();
    const pane = h.page.locator('aside.details');
    const text = (await pane.textContent())!;
    assert.match(
      text,
      /Loose task: made by fetch\(users\) outside any task group \(create_task, ensure_future, gather…\); no task group owns it\./,
    );
    assert.match(text, /loose task/);
    assert.match(text, /Made byfetch\(users\) · owned by no task group/);
    await pane.getByRole('button', { name: 'fetch(users)' }).click();
    await h.settle();
    assert.equal(await h.task('fetch(users)').getAttribute('aria-selected'), 'true', 'the maker is one click away');
    assert.deepEqual(h.errors, []);
  });

  it('labels a TaskGroup by its kind in the tree, the hover card, the details and the legend', async () => {
    await show();
    const group = h.page.locator('g.node[data-key="3"]');
    assert.equal((await group.locator('tspan.name').textContent())!.trim(), 'TaskGroup');
    assert.equal((await group.locator('tspan.extra').textContent())!.trim(), 'ingest.py:16');
    assert.equal(await group.getAttribute('aria-label'), 'TaskGroup at ingest.py line 16');
    await group.locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    assert.match((await h.page.locator('.tooltip').textContent())!, /^TaskGroup\/home\/user\/app\/ingest\.py:16$/);
    await group.click();
    await h.settle();
    const text = (await h.page.locator('aside.details').textContent())!;
    assert.match(text, /^TaskGroupFocus×/);
    assert.match(text, /Opened withasyncio\.TaskGroup\(\)/);
    await h.task('fetch(users)').click();
    await h.settle();
    assert.match((await h.page.locator('aside.details').textContent())!, /TaskGroup#3 ingest\.py:16 of main/);
    // Focused, the breadcrumb names the group in asyncio's word too (it said "nursery ingest.py:16").
    await h.page.locator('aside.details').getByRole('button', { name: 'Focus' }).click();
    await h.settle();
    assert.match(
      (await h.page.locator('nav.breadcrumbs').textContent())!,
      /main›TaskGroup ingest\.py:16›fetch\(users\)/,
    );
    await h.page.locator('nav.breadcrumbs').getByRole('button', { name: 'Whole run' }).click();
    await h.settle();
    await h.page.getByRole('button', { name: 'Legend' }).click();
    const legend = (await h.page.locator('.legend').textContent())!;
    await h.page.screenshot({ path: join(SHOTS, 'asyncio-legend-vscode-dark.png') });
    assert.match(legend, /nursery \(Trio\), TaskGroup \(asyncio\), task group \(AnyIO\)/);
    assert.match(legend, /loose task: made by the task on its left, no task group owns it/);
    // the debugger's marks and a lint's badge are told too
    assert.match(legend, /paused here: the debugger stopped in this task/);
    assert.match(legend, /⚠ blocked the loop 300 ms: a lint, in the Problems panel at its line/);
    assert.match(legend, /⚠ pending at close, ⚠ never retrieved \(asyncio\)/);
    // and the timeline's marks
    assert.match(
      legend,
      /Timelinea task's lane: running, scheduled, waiting over time; at its end, the mark of how it ended/,
    );
    assert.match(legend, /events the program dropped there/);

    // AnyIO's task group says so too.
    await h.reset();
    await show(live('any', '4.9.0'));
    assert.equal((await h.page.locator('g.node[data-key="3"] tspan.name').textContent())!.trim(), 'task group');
  });

  it('counts down an asyncio.timeout on its task and says what made it and where', async () => {
    await show();
    const main = h.task('main');
    const badge = main.locator('tspan.badge');
    assert.match((await badge.textContent())!.trim(), /^(29|30)s$/);
    assert.match((await badge.getAttribute('class'))!, /deadline/);
    assert.match((await main.getAttribute('aria-label'))!, /deadline in (29|30)s/);
    await main.click();
    await h.settle();
    const pane = h.page.locator('aside.details');
    assert.match((await pane.locator('ul.scopes').textContent())!, /^asyncio\.timeout at main:14 deadline (29|30)s$/);
    await h.page.screenshot({ path: join(SHOTS, 'asyncio-timeout-details-vscode-dark.png') });
    await h.clearPosted();
    await pane.getByRole('button', { name: 'main:14' }).click();
    assert.deepEqual(await h.posted(), [{ type: 'openSite', file: '/home/user/app/ingest.py', line: 14 }]);
  });

  it("a TaskGroup's child cancelled by main's asyncio.timeout says so in asyncio's words", async () => {
    const run = live();
    // The timeout's deadline passed: the TaskGroup (3) cancelled its children.
    const cancelled = {
      type: 'task.exited',
      run: 1,
      ts: 30_002,
      id: 5,
      outcome: 'cancelled',
      cancel: { source: 'deadline', scope: 3, site: { file: '/home/user/app/ingest.py', line: 14, function: 'main' } },
    };
    run.feed([cancelled]);
    await show(run);
    const orders = h.task('fetch(orders)');
    // On the tree: what cancelled it, as a failing sibling's name is shown.
    assert.equal((await orders.locator('tspan.extra').textContent())!.trim(), '← deadline');
    assert.match(
      (await orders.getAttribute('aria-label'))!,
      /^task fetch\(orders\), cancelled, cancelled by a deadline/,
    );
    await orders.click();
    await h.settle();
    assert.match(
      (await h.page.locator('aside.details').textContent())!,
      /Cancelledbecause the deadline of asyncio\.timeout at main:14 expired/,
    );
    // The scope gone from the rows (main left its block): still a timeout, not Trio's "cancel scope".
    await h.reset();
    const gone = live('aio2');
    gone.feed([{ type: 'scope.closed', run: 1, ts: 30_001, id: 2 }, cancelled]);
    await show(gone);
    await h.task('fetch(orders)').click();
    await h.settle();
    assert.match(
      (await h.page.locator('aside.details').textContent())!,
      /Cancelledbecause the deadline of a timeout at main:14 expired/,
    );
  });

  it('shows flags on the task and explains them; the end of the run is said in words', async () => {
    const run = await show();
    run.feed(asyncioClose());
    await h.send(runsMessage([run.state]), run.delta()!);
    const audit = h.task('write_audit');
    assert.equal((await audit.locator('tspan.badge').textContent())!.trim(), '⚠ never retrieved');
    assert.match((await audit.locator('tspan.badge').getAttribute('class'))!, /flag/);
    assert.match((await audit.getAttribute('aria-label'))!, /raised, ValueError.*, never retrieved$/);
    const flush = h.task('flush_cache');
    assert.equal((await flush.locator('tspan.badge').textContent())!.trim(), '⚠ pending at close');
    await selectByKeys(h, ...TO_FLUSH);
    const pane = h.page.locator('aside.details');
    assert.match(
      (await pane.locator('.flag-note').textContent())!,
      /^Still pending when the loop closed: it never finished\.$/,
    );
    assert.match((await pane.textContent())!, /Statewaiting when the loop closed; it never finished/);
    await selectByKeys(h, ...TO_AUDIT);
    const text = (await pane.textContent())!;
    assert.match(text, /Exception never retrieved: nothing awaited the task or asked for its result\./);
    assert.match(text, /ValueError: audit row 17 has no user id\s*raised at write_audit:36/, 'and where it was raised');
    await h.clearPosted();
    await pane.getByRole('button', { name: 'write_audit:36' }).click();
    assert.deepEqual(await h.posted(), [{ type: 'openSite', file: '/home/user/app/ingest.py', line: 36 }]);
    await selectByKeys(h, ...TO_HEARTBEAT);
    assert.match((await pane.textContent())!, /Cancelledwhen the run ended/);
    assert.deepEqual(h.errors, []);
  });

  it('the run picker names the library of each run', async () => {
    const runs = [live('a'), live('b', '4.9.0'), live('c', '4.9.0', 'trio')].map((r) => r.state);
    await h.send(runsMessage(runs), live('a').snapshot());
    const options = await h.page.locator('select.run-picker option').allTextContents();
    assert.deepEqual(
      options.map((o) => o.replace(/ · \d.*? —/, ' —')),
      ['ingest.py · asyncio — live', 'ingest.py · AnyIO on asyncio — live', 'ingest.py · AnyIO on Trio — live'],
    );
  });

  it("a long run name keeps its library in sight in a wide panel, and the picker's tooltip says it whole", async () => {
    await h.page.setViewportSize({ width: 1220, height: 700 });
    try {
      const run = new LiveRun('a', 'Hettinger: asyncio TaskGroup, at most ten fetches').feed(asyncioRun(1, 'asyncio'));
      await h.send(runsMessage([run.state]), run.snapshot());
      const picker = h.page.locator('select.run-picker');
      const text = (await picker.locator('option').textContent())!;
      assert.match(text, /· asyncio — live$/);
      assert.equal(await picker.getAttribute('title'), `Run to show: ${text}`);
      const room = await picker.evaluate((el: HTMLSelectElement, t: string) => {
        const c = document.createElement('canvas').getContext('2d')!;
        c.font = getComputedStyle(el).font;
        return el.clientWidth - c.measureText(t).width;
      }, text);
      assert.ok(room > 0, `the picker is ${-room} px short of its run's name`);
    } finally {
      await h.page.setViewportSize({ width: 1100, height: 600 });
    }
  });

  it('a task no line of the user made (a server handler a library spawned) says so, with no button to a site', async () => {
    const run = new LiveRun('srv', 'server.py').feed([
      ...asyncioRun(1, 'asyncio'),
      { type: 'task.spawned', run: 1, ts: 5, id: 500, name: 'handle', nursery: null, system: false, site: null },
    ]);
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle();
    await h.nodeByText('handle').click();
    await h.settle();
    const pane = h.page.locator('aside.details');
    assert.match((await pane.textContent())!, /Spawnedby library code, from no line of yours/);
    assert.equal(await pane.getByRole('button', { name: 'Go to spawn site' }).count(), 0);
    assert.deepEqual(h.errors, []);
  });

  it('folds many same-named loose tasks of one maker, and the keyboard walks from a loose task to its maker', async () => {
    const run = live();
    run.feed(
      Array.from({ length: 30 }, (_, i) => ({
        type: 'task.spawned',
        run: 1,
        ts: 6 + i,
        id: 100 + i,
        name: 'handle_request',
        nursery: null,
        parent: 1,
        system: false,
        site: null,
      })),
    );
    await show(run);
    const fold = h.page.locator('g.node.fold[aria-label^="handle_request ×30"]');
    assert.match((await fold.textContent())!, /×30/);
    assert.equal(await fold.getAttribute('data-parent'), '1', 'under their maker');
    assert.notEqual(
      await linkDash(h, (await fold.getAttribute('data-key'))!),
      'none',
      'the fold hangs by a dashed link too',
    );
    await h.task('heartbeat').click();
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('ArrowLeft');
    await h.settle();
    assert.equal(await h.page.locator('g.node[aria-selected="true"]').getAttribute('data-key'), '1');
  });

  it("a task asyncio named Task-N shows its coroutine; its details keep asyncio's name, as text", async () => {
    const run = live().feed([
      {
        type: 'task.spawned',
        run: 1,
        ts: 3,
        id: 40,
        name: 'ingest.retry_later',
        default_name: 'Task-\u202e9',
        nursery: null,
        parent: 1,
        system: false,
        site: { file: '/home/user/app/ingest.py', line: 30, function: 'main' },
      },
    ]);
    await show(run);
    const node = h.task('ingest.retry_later');
    // as a Trio task's `module.function`, the tree says the function; the details the whole name
    assert.equal((await node.locator('tspan.name').textContent())!.trim(), 'retry_later');
    await node.click();
    await h.settle();
    const text = (await h.page.locator('aside.details').textContent())!;
    assert.match(text, /asyncio nameTask-\\u202e9/, "asyncio's own name, its direction control made visible");
    assert.match(text, /ingest\.retry_later/);
    assert.doesNotMatch(text, /\u202e/);
    assert.deepEqual(h.errors, []);
  });

  it('the empty state names every library', async () => {
    const text = (await h.page.locator('.empty-state').textContent())!;
    assert.match(text, /No run yet/);
    assert.match(text, /Trio or asyncio program \(AnyIO on either\)/);
    assert.match(text, /asyncio\.run\(\)/);
  });

  for (const theme of ['vscode-light', 'vscode-dark'] as Theme[]) {
    for (const width of [400, 800, 1600]) {
      it(`looks right in ${theme} at ${width} px (screenshots)`, async () => {
        const page = await Harness.open(s, { width, height: 600, theme });
        const run = live();
        await page.send(runsMessage([run.state]), run.snapshot());
        await selectByKeys(page, ...TO_AUDIT);
        await page.settle(300);
        await page.page.screenshot({ path: join(SHOTS, `asyncio-live-${theme}-${width}.png`) });
        run.feed(asyncioClose());
        await page.send(runsMessage([run.state]), run.delta()!);
        await selectByKeys(page, ...TO_FLUSH);
        await page.settle(300);
        await page.page.screenshot({ path: join(SHOTS, `asyncio-closed-${theme}-${width}.png`) });
        const badge = await page
          .task('flush_cache')
          .locator('tspan.badge')
          .evaluate((e) => getComputedStyle(e).fill);
        const bg = await page.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.notEqual(badge, bg, 'the flag is drawn in a colour of its own');
        await page.page.getByRole('button', { name: 'Legend' }).click();
        const box = (await page.page.locator('.legend').boundingBox())!;
        assert.ok(
          box.x >= 0 && box.x + box.width <= width,
          `the legend fits in ${width} px (${box.x}..${box.x + box.width})`,
        );
        await page.page.screenshot({ path: join(SHOTS, `asyncio-legend-${theme}-${width}.png`) });
        assert.deepEqual(page.errors, []);
        await page.page.close();
      });
    }
  }
});
