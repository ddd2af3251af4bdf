// Why is it stuck (issue #15), in the panel: the deadlock and hang banners
// (from the recorded examples, through the extension's store), wait-for edges
// (the selected task's and a deadlock's by default, all on demand), the
// details' "Waits for … held by … for …", "Blocks", and why a task was
// cancelled. Screenshots in light and dark at 400 and 1100 px.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { eventsOf, LiveRun, readStream, runsMessage } from './streams';
import { prologue } from './synthetic';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
type Ev = Record<string, unknown>;

/** A recorded example fed as a live run up to the moment its --exit-after thread cancels the stuck tasks. */
function stuckRun(fixture: string, key: string, label: string): { run: LiveRun; rest: Ev[] } {
  const events = eventsOf(readStream(`test/fixtures/${fixture}`));
  const stop = events.find((e) => e.type === 'scope.changed' && e.cancel_called)!.ts as number;
  const cut = events.findIndex((e) => typeof e.ts === 'number' && e.ts >= stop);
  const run = new LiveRun(key, label).feed(events.slice(0, cut));
  // the host's timer: a stuck program sends nothing, so the store is asked with the clock moved on
  run.state.judge(Date.now() + 5000);
  return { run, rest: events.slice(cut) };
}

const site = (line: number, fn = 'main') => ({ file: '/home/user/app/bank.py', line, function: fn });
const waits = (id: number, ts: number, w: Ev | null): Ev => ({
  type: 'task.state',
  run: 1,
  ts,
  id,
  state: 'waiting',
  at: site(40 + id, 'work'),
  waits: w,
});

/** main's nursery (4) holds a `keeper` holding Lock db and three `client-N` waiting for it. */
function lockQueue(): LiveRun {
  const ev: Ev[] = [...prologue()];
  ev.push({ type: 'task.spawned', run: 1, ts: 2, id: 10, name: 'keeper', nursery: 4, system: false, site: site(20) });
  for (let i = 0; i < 3; i++)
    ev.push({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id: 11 + i,
      name: `client-${i}`,
      nursery: 4,
      system: false,
      site: site(21),
    });
  ev.push(waits(10, 50, { kind: 'sleep', label: 'trio.sleep', until: 60_000, wakes: true }));
  for (let i = 0; i < 3; i++) ev.push(waits(11 + i, 50, { kind: 'lock', obj: 30, label: 'Lock db', holders: [10] }));
  return new LiveRun('locks', 'bank.py').feed(ev);
}

/** A failing child, an explicit cancel() with a reason, and a deadline, each cancelling a task (protocol 1.2 causes). */
function cancelled(): LiveRun {
  const ev: Ev[] = [...prologue()];
  const spawn = (id: number, name: string, nursery = 4): Ev => ({
    type: 'task.spawned',
    run: 1,
    ts: 2,
    id,
    name,
    nursery,
    system: false,
    site: site(20 + id),
  });
  ev.push(spawn(10, 'parse feed'), spawn(11, 'download'));
  ev.push(
    { type: 'nursery.opened', run: 1, ts: 3, id: 12, task: 3, site: site(50) },
    spawn(13, 'poller', 12),
    spawn(14, 'crawler', 12),
  );
  ev.push({
    type: 'scope.changed',
    run: 1,
    ts: 3,
    id: 15,
    task: 3,
    deadline: 900,
    shield: false,
    cancel_called: false,
    site: site(49),
    call: 'move_on_after',
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 300,
    id: 10,
    outcome: 'raised',
    error: { type: 'ValueError', message: 'bad url' },
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 301,
    id: 11,
    outcome: 'cancelled',
    cancel: { source: 'nursery', by: 10, scope: 4, error: { type: 'ValueError', message: 'bad url' } },
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 400,
    id: 13,
    outcome: 'cancelled',
    cancel: { source: 'explicit', by: 3, site: site(30), reason: 'shutting down' },
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 901,
    id: 14,
    outcome: 'cancelled',
    cancel: { source: 'deadline', scope: 15, site: site(49) },
  });
  return new LiveRun('causes', 'feed.py').feed(ev);
}

describe('webview: why is it stuck (wait-for edges, verdicts, cancel causes)', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s, { width: 1100, height: 650 });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  const show = async (run: LiveRun): Promise<void> => h.send(runsMessage([run.state]), run.snapshot());
  const text = async (sel: string): Promise<string> => (await h.page.locator(sel).textContent()) ?? '';
  const edges = (cls: string) =>
    h.page.$$eval(`.wait-links path.wait-link.${cls}`, (ps) =>
      ps.map((p) => `${p.getAttribute('data-from')}>${p.getAttribute('data-to')}`).sort(),
    );
  const keyOf = async (name: string): Promise<string> => (await h.task(name).getAttribute('data-key'))!;

  it('a deadlock: the banner names the tasks and locks, the cycle is drawn and ringed, and its links select', async () => {
    const { run } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await show(run);
    const banner = h.page.locator('.banner.verdict.deadlock');
    await banner.waitFor();
    const words = (await banner.textContent())!;
    assert.match(words, /^Deadlock since \d+ ms into the run\. Each waits for the next; nothing else can wake them\./);
    assert.match(words, /transfer alice->bob waits for Lock bob\.lock held by transfer bob->alice/);
    assert.match(words, /transfer bob->alice waits for Lock alice\.lock held by transfer alice->bob/);
    assert.match(words, /Stuck behind them: main/);
    assert.equal(await banner.getAttribute('role'), 'alert');
    const [ab, ba] = [await keyOf('transfer alice->bob'), await keyOf('transfer bob->alice')];
    assert.deepEqual(
      await edges('deadlock'),
      [`${ab}>${ba}`, `${ba}>${ab}`].sort(),
      'each waits for the other: two arrows',
    );
    assert.match((await h.task('transfer alice->bob').getAttribute('class'))!, /\bstuck\b/);
    assert.doesNotMatch((await h.task('auditor').getAttribute('class'))!, /\bstuck\b/, 'the auditor keeps running');
    // the tree names the lock it waits on, not only the line
    assert.equal((await h.task('transfer alice->bob').locator('tspan.extra').textContent())!.trim(), 'Lock bob.lock');

    await banner.locator('[data-action^="verdict-select-"]', { hasText: 'transfer bob->alice' }).first().click();
    await h.settle();
    assert.equal(await h.task('transfer bob->alice').getAttribute('aria-selected'), 'true');
    const pane = await text('aside.details');
    assert.match(pane, /Waits forLock alice\.lock held by transfer alice->bob for \d/);
    assert.match(pane, /only another task can wake it/);
    assert.match(pane, /Blockstransfer alice->bob waits for Lock bob\.lock/);
    for (const theme of ['vscode-dark', 'vscode-light'] as Theme[]) {
      await h.reset(theme);
      await show(run);
      await h.page.locator('.banner.verdict').waitFor();
      await h.page.screenshot({ path: join(SHOTS, `waits-deadlock-${theme}-1100.png`) });
    }
  });

  it('"Show them" brings the cycle into view, selected; dismissing hides the banner', async () => {
    const { run } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await show(run);
    // pan far away first
    await h.page.evaluate(() =>
      document
        .querySelector('svg.tree')!
        .dispatchEvent(new WheelEvent('wheel', { deltaY: 4000, deltaX: 3000, bubbles: true })),
    );
    await h.settle(50);
    await h.page.locator('[data-action="show-verdict"]').click();
    await h.settle(400);
    const area = (await h.page.locator('svg.tree').boundingBox())!;
    for (const name of ['transfer alice->bob', 'transfer bob->alice']) {
      const box = (await h.task(name).boundingBox())!;
      assert.ok(box.y >= area.y && box.y + box.height <= area.y + area.height && box.x >= area.x, `${name} in view`);
    }
    assert.equal(await h.task('transfer alice->bob').getAttribute('aria-selected'), 'true');
    await h.page.locator('[data-action="dismiss-verdict"]').click();
    await h.settle();
    assert.equal(await h.page.locator('.banner.verdict').count(), 0);
  });

  it('when the deadlock ends (Ctrl-C, the run finishes) the banner speaks in the past and the marks go', async () => {
    const { run, rest } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await show(run);
    run.feed(rest);
    await h.send(runsMessage([run.state]), run.delta()!);
    const words = await text('.banner.verdict');
    assert.match(words, /^Was deadlocked since \d+ ms into the run until 2\.\d s\./);
    assert.equal(await h.page.locator('g.node.stuck').count(), 0);
    assert.equal(await h.page.locator('.wait-links path.wait-link.deadlock').count(), 0);
  });

  it('a hang: every task waits for an Event nobody sets; the banner lists each, the details say who could wake it', async () => {
    const { run } = stuckRun('hang.ndjson', 'hang', 'hang.py');
    await show(run);
    const banner = h.page.locator('.banner.verdict.hang');
    await banner.waitFor();
    const words = (await banner.textContent())!;
    assert.match(words, /^Hung since \d+ ms into the run\. Every task waits, and nothing can wake them/);
    assert.match(
      words,
      /worker-0, worker-1, worker-2 wait for Event state\.ready \(until set\(\) is called\)/,
      'tasks waiting alike, on one line',
    );
    assert.match(words, /main waits for nursery/);
    assert.equal(await h.page.locator('g.node.stuck').count(), 4);
    await h.task('worker-1').locator('tspan.name').click();
    await h.settle();
    const pane = await text('aside.details');
    assert.match(pane, /Waits forEvent state\.ready for \d/);
    assert.match(pane, /until set\(\) is called; 3 tasks wait on it; only another task can wake it/);
    for (const theme of ['vscode-dark', 'vscode-light'] as Theme[]) {
      const narrow = await Harness.open(s, { theme, width: 400, height: 700 });
      await narrow.send(runsMessage([run.state]), run.snapshot());
      await narrow.page.locator('.banner.verdict').waitFor();
      await narrow.page.screenshot({ path: join(SHOTS, `waits-hang-${theme}-400.png`) });
      assert.deepEqual(narrow.errors, []);
      await narrow.page.close();
    }
  });

  it("wait-for edges: the selected task's by default (both ways), every one with the toolbar toggle, remembered", async () => {
    await show(lockQueue());
    assert.deepEqual(await edges('wait'), [], 'nothing selected, no verdict: no edges');
    const keeper = await keyOf('keeper');
    await h.task('client-1').locator('tspan.name').click();
    await h.settle();
    assert.deepEqual(await edges('wait'), [`${await keyOf('client-1')}>${keeper}`]);
    assert.match(await text('aside.details'), /Waits forLock db held by keeper for \d.*3 tasks wait on it/s);
    await h.task('keeper').locator('tspan.name').click();
    await h.settle();
    const clients = await Promise.all([0, 1, 2].map((i) => keyOf(`client-${i}`)));
    assert.deepEqual(
      await edges('wait'),
      clients.map((c) => `${c}>${keeper}`).sort(),
      'the holder: every task waiting for it',
    );
    assert.match(
      await text('aside.details'),
      /Blocksclient-0 waits for Lock dbclient-1 waits for Lock dbclient-2 waits for Lock db/,
    );
    assert.match(await text('aside.details'), /Waits fortrio\.sleep for .*a deadline wakes it in/s);
    await h.page.keyboard.press('Escape');
    await h.page.locator('button.show-waits').click();
    await h.settle();
    assert.equal(await h.page.locator('button.show-waits').getAttribute('aria-pressed'), 'true');
    assert.equal((await edges('wait')).length, 3);
    await h.page.screenshot({ path: join(SHOTS, 'waits-edges-all-1100.png') });
    await h.reload();
    await h.send(runsMessage([lockQueue().state]), lockQueue().snapshot());
    assert.equal(
      await h.page.locator('button.show-waits').getAttribute('aria-pressed'),
      'true',
      'remembered across a reload',
    );
    assert.equal((await edges('wait')).length, 3);
    // each arrow points at the holder: its path ends at the keeper's marker
    const end = await h.page.$eval('.wait-links path.wait-link', (p) => p.getAttribute('marker-end'));
    assert.equal(end, 'url(#nl-arrow-wait)');
  });

  it('why a task was cancelled: the failing sibling and its exception, cancel() with where, by whom and why, a deadline and its scope', async () => {
    await h.reset('vscode-dark');
    const run = cancelled();
    await show(run);
    await h.task('download').locator('tspan.name').click();
    await h.settle();
    assert.match(
      await text('aside.details'),
      /Cancelledbecause parse feed raised ValueError: bad url \(its nursery #4 cancelled the rest\)/,
    );
    assert.deepEqual(
      await edges('cause'),
      [`${await keyOf('parse feed')}>4`],
      'an edge from the failing task to the nursery it cancelled',
    );
    await h.page.locator('aside.details [data-action="select-10"]').click();
    await h.settle();
    assert.equal(await h.task('parse feed').getAttribute('aria-selected'), 'true');
    await h.task('poller').locator('tspan.name').click();
    await h.settle();
    assert.match(
      await text('aside.details'),
      /Cancelledby cancel\(\) called by __main__\.main at main:30: “shutting down”|Cancelledby cancel\(\) called by __main__\.main at main:30: "shutting down"|Cancelledby cancel\(\) called by __main__\.main at main:30: shutting down/,
    );
    await h.clearPosted();
    await h.page.locator('aside.details [data-action="cause-site"]').click();
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'openSite'),
      [{ type: 'openSite', file: '/home/user/app/bank.py', line: 30 }],
    );
    await h.task('crawler').locator('tspan.name').click();
    await h.settle();
    assert.match(
      await text('aside.details'),
      /Cancelledbecause the deadline of trio\.move_on_after at main:49 expired/,
    );
    await h.page.screenshot({ path: join(SHOTS, 'waits-cause-vscode-dark-1100.png') });
    // on demand, every cause at once: the failure to the nursery it cancelled, main's cancel() to the task it cancelled; a deadline has no task to point from
    await h.page.keyboard.press('Escape');
    await h.settle();
    assert.deepEqual(await edges('cause'), [], 'nothing selected: no cause edges');
    await h.page.locator('button.show-waits').click();
    await h.settle();
    assert.deepEqual(
      await edges('cause'),
      [`${await keyOf('parse feed')}>4`, `${await keyOf('__main__.main')}>${await keyOf('poller')}`].sort(),
    );
  });

  it('direction controls in wait labels, holder names, verdicts and cancel causes are shown escaped (programText visible)', async () => {
    const ev: Ev[] = [...prologue()];
    const spawn = (id: number, name: string): Ev => ({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id,
      name,
      nursery: 4,
      system: false,
      site: site(20 + id),
    });
    ev.push(spawn(10, 'alice\u202Eevil'), spawn(11, 'bob'), spawn(12, 'stopper'));
    ev.push(waits(10, 50, { kind: 'lock', obj: 30, label: 'Lock b\u202Eob', holders: [11], detail: 'owner\u2066 x' }));
    ev.push(waits(11, 50, { kind: 'lock', obj: 31, label: 'Lock a\u202Elice', holders: [10] }));
    ev.push({
      type: 'scope.changed',
      run: 1,
      ts: 3,
      id: 15,
      task: 12,
      deadline: null,
      shield: false,
      cancel_called: true,
      call: 'move\u202Eon',
      cause: { source: 'explicit', by: 3, reason: 'quit\u202Enow', site: site(30, 'st\u202Eop') },
    });
    ev.push({
      type: 'task.exited',
      run: 1,
      ts: 60,
      id: 12,
      outcome: 'cancelled',
      cancel: { source: 'explicit', by: 3, scope: 15, site: site(30, 'st\u202Eop'), reason: 'quit\u202Enow' },
    });
    const run = new LiveRun('spoof', 'spoof.py').feed(ev);
    run.state.judge(Date.now() + 5000);
    await show(run);
    const banner = h.page.locator('.banner.verdict.deadlock');
    await banner.waitFor();
    const clean = (t: string): void =>
      assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(t), `no direction control reaches the page: ${t}`);
    const words = (await banner.textContent())!;
    clean(words);
    assert.match(words, /alice\\u202eevil waits for Lock b\\u202eob held by bob/);
    assert.match(words, /bob waits for Lock a\\u202elice held by alice\\u202eevil/);
    clean((await h.page.locator('svg.tree').textContent()) ?? '');
    await h.task('bob').locator('tspan.name').click();
    await h.settle();
    const pane = await text('aside.details');
    clean(pane);
    assert.match(pane, /Waits forLock a\\u202elice held by alice\\u202eevil/);
    assert.match(pane, /Blocksalice\\u202eevil waits for Lock b\\u202eob/);
    await h.task('alice\\u202eevil').locator('tspan.name').click();
    await h.settle();
    assert.match(await text('aside.details'), /owner\\u2066 x/);
    await h.task('stopper').locator('tspan.name').click();
    await h.settle();
    const cause = await text('aside.details');
    clean(cause);
    assert.match(cause, /quit\\u202enow/);
    assert.match(cause, /st\\u202eop:30/);
  });

  it('the legend says what the arrows mean', async () => {
    await show(lockQueue());
    await h.page.locator('.legend-button').click();
    const legend = await text('.legend');
    assert.match(legend, /waits for the task it points to/);
    assert.match(legend, /deadlock: tasks waiting for each other/);
    assert.match(legend, /its failure or cancel\(\) cancelled what it points to/);
  });
});
