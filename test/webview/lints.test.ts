// Lints in the panel (issue #17), through the extension's own store: a task
// that held the loop, dropped a coroutine or waits in start() too long wears
// a mark in the warning colour and says why in its hover card and details;
// a runaway task group wears one too; a hint's click (selectTasks) selects
// the first of its tasks and outlines them all until something else is
// selected. Screenshots in light and dark.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LINT_SETTINGS } from '../../extension/store/runLints';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { LiveRun, runsMessage } from './streams';
import { prologue } from './synthetic';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const FILE = '/home/user/app/blocking.py';
const at = (line: number, fn = 'worker') => ({ file: FILE, line, function: fn });

/** A Trio run with three workers, one of which held the loop, one dropped a coroutine; twelve handlers in a runaway nursery. */
function linted(): LiveRun {
  const run = new LiveRun('blk', 'blocking.py').feed(prologue());
  run.feed([
    ...[1, 2, 3].map((i) => ({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id: 10 + i,
      name: `worker-${i}`,
      nursery: 4,
      system: false,
      site: at(22, 'main'),
    })),
    { type: 'loop.blocked', run: 1, ts: 400, block: 1, since: 100, duration: 300, task: 11, at: at(12) },
    {
      type: 'warning',
      run: 1,
      ts: 410,
      category: 'RuntimeWarning',
      message: "coroutine 'fetch' was never awaited",
      kind: 'never_awaited',
      site: at(14),
      task: 12,
    },
    { type: 'nursery.opened', run: 1, ts: 500, id: 30, task: 3, site: at(30, 'main') },
    ...Array.from({ length: 12 }, (_, i) => ({
      type: 'task.spawned',
      run: 1,
      ts: 501,
      id: 40 + i,
      name: 'handle',
      nursery: 30,
      system: false,
      site: at(31, 'main'),
    })),
  ]);
  run.state.lints({ ...DEFAULT_LINT_SETTINGS, runawayChildren: 10 }, Date.now());
  return run;
}

describe('webview: lints on tasks', function () {
  let s: Session;
  let h: Harness;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s, { width: 1100, height: 600 });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());
  beforeEach(async () => h.reset());

  it('marks the task that held the loop and the one that dropped a coroutine, and says why', async () => {
    const run = linted();
    await h.send(runsMessage([run.state]), run.snapshot());
    const held = h.task('worker-1');
    assert.equal((await held.locator('tspan.badge').textContent())!.trim(), '⚠ blocked the loop 300 ms');
    assert.match((await held.locator('tspan.badge').getAttribute('class'))!, /flag/);
    assert.match((await held.getAttribute('aria-label'))!, /, blocked the loop 300 ms$/);
    assert.match((await held.getAttribute('class'))!, /\blinted\b/);
    assert.equal((await h.task('worker-2').locator('tspan.badge').textContent())!.trim(), '⚠ coroutine never awaited');
    assert.equal(await h.task('worker-3').locator('tspan.badge').textContent(), '', 'no lint, no mark');

    await held.locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    assert.match(
      (await h.page.locator('.tooltip').textContent())!,
      /Held the event loop at blocking\.py:12 for 300 ms: no other task ran meanwhile\./,
    );
    await held.click();
    await h.settle();
    const note = h.page.locator('aside.details .lint-note');
    assert.equal(await note.getAttribute('data-lint'), 'loop-blocked');
    assert.equal(
      await note.textContent(),
      '⚠ Held the event loop at blocking.py:12 for 300 ms: no other task ran meanwhile.',
    );
    assert.deepEqual(h.errors, []);
  });

  it('marks a runaway task group, and clears a mark when its lint goes', async () => {
    const run = linted();
    await h.send(runsMessage([run.state]), run.snapshot());
    const group = h.page.locator('g.node[data-key="30"]');
    assert.equal((await group.locator('tspan.badge').textContent())!.trim(), '⚠ 12 live children');
    assert.match((await group.getAttribute('aria-label'))!, /, 12 live children$/);
    run.state.lints({ ...DEFAULT_LINT_SETTINGS, runawayChildren: 10, loopBlocked: false }, Date.now());
    await h.send(runsMessage([run.state]), run.delta()!);
    assert.equal(await h.task('worker-1').locator('tspan.badge').textContent(), '', 'switched off: the mark goes');
  });

  it("a hint's click selects the first of its tasks, outlines them all, and ends when something else is selected", async () => {
    const run = linted();
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.send({ type: 'selectTasks', run: 'blk', ids: [11, 12, 13, 999], label: '3 live · blocking.py:22' });
    await h.settle(50);
    const picked = (await h.nodes()).filter((n) => /\bpicked\b/.test(n.cls)).map((n) => n.key);
    assert.deepEqual(picked, ['11', '12', '13']);
    assert.equal(await h.task('worker-1').getAttribute('aria-selected'), 'true');
    assert.match((await h.page.locator('aside.details').textContent())!, /worker-1/);
    assert.match(
      (await h.page.locator('.sr-only[role=status]').textContent())!,
      /3 tasks selected: 3 live · blocking\.py:22/,
    );
    await h.page.screenshot({ path: join(SHOTS, 'lints-picked-vscode-dark.png') });
    await h.task('worker-3').click();
    await h.settle();
    assert.deepEqual(
      (await h.nodes()).filter((n) => /\bpicked\b/.test(n.cls)).map((n) => n.key),
      ['11', '12', '13'],
      'a picked one keeps the pick',
    );
    await h.page.locator('g.node[data-key="30"]').click();
    await h.settle();
    assert.deepEqual(
      (await h.nodes()).filter((n) => /\bpicked\b/.test(n.cls)),
      [],
      'another node ends it',
    );
    // Escape on the tree (as in VS Code's lists) ends a pick and the selection; the details close.
    await h.send({ type: 'selectTasks', run: 'blk', ids: [11, 12, 13], label: '3 live · blocking.py:22' });
    await h.settle(50);
    assert.equal((await h.nodes()).filter((n) => /\bpicked\b/.test(n.cls)).length, 3);
    await h.page.locator('svg.tree').focus();
    await h.page.keyboard.press('Escape');
    await h.settle(50);
    const marked = (await h.nodes()).filter((n) => /\bpicked\b/.test(n.cls) || n.selected === 'true');
    assert.deepEqual(marked, [], 'Escape: nothing picked or selected');
    assert.equal(await h.page.locator('aside.details').isVisible(), false, 'Escape: the details close');
    await h.send({ type: 'selectTasks', run: 'other-run', ids: [11], label: 'x' });
    assert.deepEqual(
      (await h.nodes()).filter((n) => /\bpicked\b/.test(n.cls)),
      [],
      'a pick for a run not shown is ignored',
    );
    assert.deepEqual(h.errors, []);
  });

  it("shows direction controls in a lint's words and a hint's label escaped", async () => {
    const run = new LiveRun('bidi', 'blocking.py').feed(prologue());
    const spoof = { file: '/home/user/app/x\u202Eyp.py', line: 12, function: 'f\u2066g' };
    run.feed([
      {
        type: 'task.spawned',
        run: 1,
        ts: 2,
        id: 11,
        name: 'worker-1',
        nursery: 4,
        system: false,
        site: at(22, 'main'),
      },
      { type: 'loop.blocked', run: 1, ts: 400, block: 1, since: 100, duration: 300, task: 11, at: spoof },
    ]);
    run.state.lints(DEFAULT_LINT_SETTINGS, Date.now());
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.send({ type: 'selectTasks', run: 'bidi', ids: [11], label: '1 live · x\u202Eyp.py:22' });
    await h.settle(50);
    const note = (await h.page.locator('aside.details .lint-note').textContent())!;
    assert.match(note, /x\\u202eyp\.py:12/, note);
    const status = (await h.page.locator('.sr-only[role=status]').textContent())!;
    assert.match(status, /x\\u202eyp\.py:22/, status);
    for (const text of [note, status, (await h.task('worker-1').getAttribute('aria-label'))!]) {
      assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(text), text);
    }
    assert.deepEqual(h.errors, []);
  });

  for (const theme of ['vscode-light', 'vscode-dark'] as Theme[]) {
    it(`looks right in ${theme} (screenshot)`, async () => {
      const page = await Harness.open(s, { width: 900, height: 500, theme });
      const run = linted();
      await page.send(runsMessage([run.state]), run.snapshot());
      await page.task('worker-1').click();
      await page.settle(300);
      await page.page.screenshot({ path: join(SHOTS, `lints-${theme}.png`) });
      assert.deepEqual(page.errors, []);
      await page.page.close();
    });
  }
});
