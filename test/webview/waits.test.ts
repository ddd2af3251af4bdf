// Why is it stuck (issue #15), in the panel: the deadlock and hang banners
// (from the recorded examples, through the extension's store), wait-for edges
// (the selected task's and a deadlock's by default, all on demand), the
// details' "Waits for … held by … for …" and "Blocks". Screenshots in light
// and dark at 400 and 1100 px; why a task was cancelled is in cancelCauses.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, repoRoot, suitePage, type Session, type Theme } from './browser';
import { replayNdjson } from '../../extension/collector/replay';
import { eventsOf, readStream, runsMessage, snapshotMessage } from './streams';
import { edges, keyOf, lockQueue, show, site, spawned, stuckRun, text, waits, type Ev } from './stuckRuns';
import { prologue } from './synthetic';
import { LiveRun } from './streams';
import { LiveHost } from './liveHost';

const SHOTS = join(repoRoot, 'screenshots', 'webview');

/** The hang example's recording to where it hung, ended by the collector's run.stopped (1.5) at 10 s with `stop`'s fields. */
function hungRecording(stop: { reason: string; running?: boolean }) {
  const lines = readStream('test/fixtures/hang.ndjson').split('\n').filter(Boolean);
  const cancelled = eventsOf(lines.join('\n')).find((e) => e.type === 'scope.changed' && e.cancel_called)!;
  const kept = lines.filter((l) => !/"ts":/.test(l) || (JSON.parse(l) as { ts: number }).ts < (cancelled.ts as number));
  const end = { type: 'run.stopped', run: 1, ts: 10_000, ...stop };
  return replayNdjson([...kept, JSON.stringify(end)].join('\n')).runs[0];
}

describe('webview: why is it stuck (wait-for edges, verdicts)', function () {
  let s: Session;
  let h: Harness;
  suitePage(
    (page, session) => {
      h = page;
      s = session;
    },
    { width: 1100, height: 650 },
  );
  before(() => mkdirSync(SHOTS, { recursive: true }));

  it('a deadlock: the banner names the tasks and locks, the cycle is drawn and ringed, and its links select', async () => {
    const { run } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await show(h, run);
    const banner = h.page.locator('.banner.verdict.deadlock');
    await banner.waitFor();
    const words = (await banner.textContent())!;
    assert.match(words, /^Deadlock since \d+ ms into the run\./);
    assert.match(words, /Each waits for the next; nothing else can wake them\.$/, 'what it means, after the tasks');
    assert.match(words, /transfer alice->bob waits for Lock bob\.lock held by transfer bob->alice/);
    assert.match(words, /transfer bob->alice waits for Lock alice\.lock held by transfer alice->bob/);
    assert.match(words, /Stuck behind them: main/);
    assert.equal(await banner.getAttribute('role'), 'alert');
    const [ab, ba] = [await keyOf(h, 'transfer alice->bob'), await keyOf(h, 'transfer bob->alice')];
    assert.deepEqual(
      await edges(h, 'deadlock'),
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
    const pane = await text(h, 'aside.details');
    assert.match(pane, /Waits forLock alice\.lock held by transfer alice->bob \(waiting \d/);
    assert.match(pane, /only another task can wake it/);
    assert.match(pane, /Blockstransfer alice->bob waits for Lock bob\.lock/);
    for (const theme of ['vscode-dark', 'vscode-light'] as Theme[]) {
      await h.reset(theme);
      await show(h, run);
      await h.page.locator('.banner.verdict').waitFor();
      await h.page.screenshot({ path: join(SHOTS, `waits-deadlock-${theme}-1100.png`) });
    }
  });

  it('"Show them" brings the cycle into view, selected; dismissing hides the banner', async () => {
    const { run } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await show(h, run);
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
    await show(h, run);
    run.feed(rest);
    await h.send(runsMessage([run.state]), run.delta()!);
    const words = await text(h, '.banner.verdict');
    assert.match(words, /^Was deadlocked since \d+ ms into the run until 2\.\d s\./);
    assert.equal(await h.page.locator('g.node.stuck').count(), 0);
    assert.equal(await h.page.locator('.wait-links path.wait-link.deadlock').count(), 0);
  });

  it('"Show them" on a deadlock that ended shows the tasks as they were then, stuck, not cancelled at the end', async () => {
    const host = await LiveHost.attach(h, { recordingsOpenAt: 'end' });
    try {
      const run = host.open('test/fixtures/deadlock.ndjson');
      await host.settle(300);
      await h.page
        .locator('.banner.verdict')
        .getByText(/^Was deadlocked/)
        .waitFor();
      const v = run.info().verdict!;
      assert.ok(v.endedAt !== undefined && v.confirmedAt < v.endedAt, 'the deadlock ended before the run did');
      await h.page.locator('[data-action="show-verdict"]').click();
      // The moment it was claimed: the badge names it, the first transfer selected, its details say what it waits for.
      await h.page.waitForFunction(
        () =>
          document.querySelector('g.node.selected')?.getAttribute('aria-label')?.startsWith('task transfer') ?? false,
      );
      await h.page
        .locator('aside.details')
        .getByText(/Waits for/)
        .waitFor();
      assert.match((await h.page.locator('.past-badge').textContent())!, /the run as it was then/);
      const area = (await h.page.locator('svg.tree').boundingBox())!;
      const box = (await h.page.locator('g.node.selected').boundingBox())!;
      assert.ok(box.y >= area.y && box.y + box.height <= area.y + area.height, 'the selected transfer is in view');
      assert.deepEqual(h.errors, []);
    } finally {
      host.dispose();
    }
  });

  it('a program stopped while deadlocked keeps its cycle drawn and ringed, the banner in the past tense', async () => {
    const { run } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await show(h, run);
    await h.page.locator('.wait-links path.wait-link.deadlock').first().waitFor();
    const rings = await h.page.locator('g.node.stuck').count();
    const links = await h.page.locator('.wait-links path.wait-link.deadlock').count();
    assert.ok(rings >= 2 && links >= 2, `a cycle drawn while live (${rings} rings, ${links} links)`);
    run.state.markDisconnected('the debug session ended');
    run.state.sessionEnded();
    await h.send(runsMessage([run.state]), run.delta() ?? run.snapshot());
    await h.page
      .locator('.banner.verdict')
      .getByText(/until the program stopped/)
      .waitFor();
    assert.match(
      await text(h, '.banner.verdict'),
      /^Was deadlocked since \d+ ms into the run, until the program stopped\./,
    );
    assert.equal(await h.page.locator('g.node.stuck').count(), rings, 'the stuck tasks keep their rings');
    assert.equal(
      await h.page.locator('.wait-links path.wait-link.deadlock').count(),
      links,
      'and the cycle its arrows',
    );
  });

  it('a hang: every task waits for an Event nobody sets; the banner lists each, the details say who could wake it', async () => {
    const { run } = stuckRun('hang.ndjson', 'hang', 'hang.py');
    await show(h, run);
    const banner = h.page.locator('.banner.verdict.hang');
    await banner.waitFor();
    const words = (await banner.textContent())!;
    assert.match(words, /^Hung since \d+ ms into the run\./);
    assert.match(words, /Every task waits, and nothing can wake them/);
    assert.match(
      words,
      /worker-0, worker-1, worker-2 wait for Event state\.ready \(until set\(\) is called\)/,
      'tasks waiting alike, on one line',
    );
    assert.match(words, /main waits for nursery/);
    assert.deepEqual(
      await banner.locator('.verdict-tasks li').allTextContents(),
      [
        'worker-0, worker-1, worker-2 wait for Event state.ready (until set() is called)',
        'main waits for nursery (until its children finish)',
      ],
      "what the workers wait for first (a narrow panel shows the banner's first lines); main only waits for them",
    );
    assert.equal(await h.page.locator('g.node.stuck').count(), 4);
    await h.task('worker-1').locator('tspan.name').click();
    await h.settle();
    const pane = await text(h, 'aside.details');
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

  it('a recording saved after a hung program was stopped opens as the run ended: "Was hung", until the stop', async () => {
    // What Save Recording… writes (1.5): the program's lines to where it hung, then the collector's run.stopped.
    const run = hungRecording({ reason: 'The program disconnected before its run finished.' });
    await h.send(runsMessage([run]), snapshotMessage(run));
    const banner = h.page.locator('.banner.verdict.hang');
    await banner.waitFor();
    assert.match(
      (await banner.textContent())!,
      /^Was hung since \d+ ms into the run, until the program stopped\..*Every task waits/s,
    );
    assert.equal(await h.page.locator('g.node.stuck').count(), 4, 'the hung tasks ringed as they were');
    await h.task('worker-1').locator('tspan.name').click();
    await h.settle();
    assert.match(await text(h, 'aside.details'), /Waits forEvent state\.ready for 9\.\d s/, 'waiting until the stop');
  });

  it('a recording saved while the hung program ran on says it was hung until the save', async () => {
    const run = hungRecording({ reason: 'saved', running: true });
    await h.send(runsMessage([run]), snapshotMessage(run));
    const banner = h.page.locator('.banner.verdict.hang');
    await banner.waitFor();
    assert.match(
      (await banner.textContent())!,
      /^Was hung since \d+ ms into the run, until the recording was saved \(the program went on\)\./,
    );
    assert.match(
      (await h.page.locator('.notices').textContent())!,
      /recording — the run was saved while the program was still running/,
    );
    assert.equal(await h.page.locator('.notices .banner.problem').count(), 0, 'nothing was lost');
  });

  // boss awaits the clerk's task, which waits for the lock boss holds: a deadlock. The runtime labels an awaited
  // task by its own name (said once); older recordings by the variable holding it (the holder follows).
  for (const [label, says] of [
    ['task clerk', 'task clerk: clerk_work'],
    ['task clerk_work', 'task clerk_work'],
  ]) {
    it(`a task awaiting another labelled "${label}": "boss waits for ${says}"`, async () => {
      const run = new LiveRun('await', 'office.py').feed([
        ...prologue(),
        spawned(10, 'boss'),
        spawned(11, 'clerk_work'),
        waits(10, 50, { kind: 'task', obj: 60, label, holders: [11], detail: 'until it finishes' }),
        waits(11, 50, { kind: 'lock', obj: 61, label: 'Lock ledger', holders: [10] }),
      ]);
      run.state.judge(Date.now() + 5000);
      await show(h, run);
      const banner = h.page.locator('.banner.verdict.deadlock');
      await banner.waitFor();
      const said = (await banner.textContent())!;
      assert.match(said, new RegExp(`boss waits for ${says}clerk_work waits for`)); // (one line each)
      await banner.getByRole('button', { name: 'clerk_work' }).first().waitFor(); // the clerk is a link
      await h.task('boss').locator('tspan.name').click();
      await h.settle();
      assert.match(await text(h, 'aside.details'), new RegExp(`Waits for${says} \\(waiting \\d`));
    });
  }

  it('a wait whose own detail counts its waiters ("value 0; 3 waiting") does not count them again', async () => {
    await show(h, lockQueue('value 0; 3 waiting'));
    await h.task('client-1').locator('tspan.name').click();
    await h.settle();
    const pane = await text(h, 'aside.details');
    assert.match(pane, /value 0; 3 waiting; only another task can wake it/);
    assert.doesNotMatch(pane, /tasks wait on it/);
  });

  it("wait-for edges: the selected task's by default (both ways), every one with the toolbar toggle, remembered", async () => {
    await show(h, lockQueue());
    assert.deepEqual(await edges(h, 'wait'), [], 'nothing selected, no verdict: no edges');
    const keeper = await keyOf(h, 'keeper');
    await h.task('client-1').locator('tspan.name').click();
    await h.settle();
    assert.deepEqual(await edges(h, 'wait'), [`${await keyOf(h, 'client-1')}>${keeper}`]);
    assert.match(await text(h, 'aside.details'), /Waits forLock db held by keeper \(waiting \d.*3 tasks wait on it/s);
    await h.task('keeper').locator('tspan.name').click();
    await h.settle();
    const clients = await Promise.all([0, 1, 2].map((i) => keyOf(h, `client-${i}`)));
    assert.deepEqual(
      await edges(h, 'wait'),
      clients.map((c) => `${c}>${keeper}`).sort(),
      'the holder: every task waiting for it',
    );
    assert.match(
      await text(h, 'aside.details'),
      /Blocksclient-0 waits for Lock dbclient-1 waits for Lock dbclient-2 waits for Lock db/,
    );
    assert.match(await text(h, 'aside.details'), /Waits fortrio\.sleep for .*a deadline wakes it in \d/s);
    await h.page.keyboard.press('Escape');
    await h.page.locator('button.show-waits').click();
    await h.settle();
    assert.equal(await h.page.locator('button.show-waits').getAttribute('aria-pressed'), 'true');
    assert.equal((await edges(h, 'wait')).length, 3);
    await h.page.screenshot({ path: join(SHOTS, 'waits-edges-all-1100.png') });
    await h.reload();
    await h.send(runsMessage([lockQueue().state]), lockQueue().snapshot());
    assert.equal(
      await h.page.locator('button.show-waits').getAttribute('aria-pressed'),
      'true',
      'remembered across a reload',
    );
    assert.equal((await edges(h, 'wait')).length, 3);
    // each arrow points at the holder: its path ends at the keeper's marker
    const end = await h.page.$eval('.wait-links path.wait-link', (p) => p.getAttribute('marker-end'));
    assert.equal(end, 'url(#nl-arrow-wait)');
  });

  it('a wait whose deadline passed long before the last sample says so (not "wakes it in expired", not "now")', async () => {
    const run = lockQueue();
    run.state.markDisconnected('the program stopped', Date.now() + 120_000); // its clock ends past keeper's 60-s sleep
    await show(h, run);
    await h.task('keeper').locator('tspan.name').click();
    await h.settle();
    const pane = await text(h, 'aside.details');
    assert.match(pane, /its deadline passed 1m \d+s ago; not sampled since/);
    assert.doesNotMatch(pane, /in expired|any moment/);
  });

  it("server_like's worker: how long it has waited counts from its present wait, not its first", async () => {
    // The sampler saw it wait for the lock, sleep, and wait for the lock again: never running in between.
    const lockAt = (ts: number, holders: number[]) =>
      waits(10, ts, { kind: 'lock', obj: 30, label: 'Lock lock', holders });
    const sleep = (ts: number, until: number) => ({
      ...waits(10, ts, { kind: 'sleep', label: 'trio.sleep', until, wakes: true }),
      at: site(43, 'worker'),
    });
    const pane = async (events: Ev[], stopAt: number): Promise<string> => {
      const stop = { type: 'run.stopped', run: 1, ts: stopAt, reason: 'The program disconnected.' };
      const lines = [...prologue(), spawned(10, 'worker-0'), spawned(11, 'worker-1939'), ...events, stop];
      const run = replayNdjson(lines.map((e) => JSON.stringify(e)).join('\n')).runs[0];
      await h.send(runsMessage([run]), snapshotMessage(run));
      await h.task('worker-0').locator('tspan.name').click();
      await h.settle();
      return text(h, 'aside.details');
    };
    let words = await pane([lockAt(1_000, [3]), sleep(1_500, 5_500), lockAt(75_327, [11])], 76_000);
    assert.match(words, /Statewaiting for 673 ms/, 'not since its first wait, 1m 15s before');
    assert.match(words, /Waits forLock lock held by worker-1939 \(waiting 673 ms\)/);
    // Successive sleeps differ only in their deadline.
    words = await pane([sleep(1_000, 4_000), sleep(23_000, 27_000)], 25_600);
    assert.match(words, /Statewaiting for 2\.6 s/);
    assert.match(words, /Waits fortrio\.sleep for 2\.6 s.*a deadline wakes it in 1\.4s/s);
    words = await pane([sleep(23_000, 27_000)], 27_400);
    assert.match(words, /its deadline has come: it wakes any moment/, 'within a sample round of its deadline');
    words = await pane([sleep(23_000, 27_000)], 35_000);
    assert.match(words, /its deadline passed 8\.0 s ago; not sampled since/, 'its sample is stale by now');
  });

  it('the legend says what the arrows mean', async () => {
    await show(h, lockQueue());
    await h.page.locator('.legend-button').click();
    const legend = await text(h, '.legend');
    assert.match(legend, /waits for the task it points to/);
    assert.match(legend, /deadlock: tasks waiting for each other/);
    assert.match(legend, /stuck tasks of a deadlock or hang are ringed/);
    assert.match(legend, /its failure or cancel\(\) cancelled what it points to/);
  });
});
