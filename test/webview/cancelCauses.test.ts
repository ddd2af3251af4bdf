// Why a task was cancelled (issue #15), in the panel: the failing sibling,
// cancel() with where, by whom and why, a deadline and its scope, their
// edges; and direction controls in wait and cancel words shown escaped.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, suitePage, type Harness, type Theme } from './browser';
import { LiveRun } from './streams';
import { prologue } from './synthetic';
import { cancelled, edges, keyOf, show, site, spawned, text, waits, type Ev } from './stuckRuns';

const SHOTS = join(repoRoot, 'screenshots', 'webview');

/** WCAG contrast of two computed colours: rgb(r, g, b) or, from color-mix, color(srgb r g b) in 0..1. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const unit = c.startsWith('color(srgb') ? 1 : 255;
    const [r, g, bl] = (c.replace('color(srgb', '').match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / unit;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** In `theme`, with a cancelled task shown: `property` of the first `selector`, and the panel's background. */
async function colourOnPanel(
  h: Harness,
  theme: Theme,
  selector: string,
  property: 'fill' | 'stroke',
): Promise<string[]> {
  await h.reset(theme);
  await show(h, cancelled());
  return h.page.evaluate(
    ([sel, prop]) => [
      getComputedStyle(document.querySelector(sel)!)[prop as 'fill' | 'stroke'],
      getComputedStyle(document.body).backgroundColor,
    ],
    [selector, property],
  );
}

describe('webview: why a task was cancelled, and program text in waits', function () {
  let h: Harness;
  suitePage((page) => (h = page), { width: 1100, height: 650 });
  before(() => mkdirSync(SHOTS, { recursive: true }));

  it('a cancelled task\'s "← cause" reads at 4.5:1 or more against the panel, in light and dark', async () => {
    for (const theme of ['vscode-light', 'vscode-dark'] as const) {
      const [fg, bg] = await colourOnPanel(h, theme, 'g.node tspan.extra.cause', 'fill');
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `${theme}: contrast ${ratio.toFixed(2)}:1`);
    }
  });

  it("a cancelled task's icon is opaque and reads at 3:1 or more, though today's VS Code makes charts.orange a third opaque", async () => {
    for (const theme of ['vscode-light', 'vscode-dark'] as const) {
      const [stroke, bg] = await colourOnPanel(h, theme, 'g.node.s-cancelled .shape', 'stroke');
      assert.doesNotMatch(stroke, /rgba|\/ 0?\.\d/, `${theme}: ${stroke} is see-through`);
      const ratio = contrast(stroke, bg);
      assert.ok(ratio >= 3, `${theme}: contrast ${ratio.toFixed(2)}:1`);
    }
  });

  it('why a task was cancelled: the failing sibling and its exception, cancel() with where, by whom and why, a deadline and its scope', async () => {
    await h.reset('vscode-dark');
    const run = cancelled();
    await show(h, run);
    await h.task('download').locator('tspan.name').click();
    await h.settle();
    assert.match(
      await text(h, 'aside.details'),
      /Cancelledbecause parse feed raised ValueError: bad url \(its nursery #4 cancelled the rest\)/,
    );
    assert.deepEqual(
      await edges(h, 'cause'),
      [`${await keyOf(h, 'parse feed')}>4`],
      'an edge from the failing task to the nursery it cancelled',
    );
    await h.page.locator('aside.details [data-action="select-10"]').click();
    await h.settle();
    assert.equal(await h.task('parse feed').getAttribute('aria-selected'), 'true');
    await h.task('poller').locator('tspan.name').click();
    await h.settle();
    assert.match(
      await text(h, 'aside.details'),
      /Cancelledby cancel\(\) called by main at main:30: “shutting down”|Cancelledby cancel\(\) called by main at main:30: "shutting down"|Cancelledby cancel\(\) called by main at main:30: shutting down/,
    );
    // The task named as the tree names it, its whole name on hover.
    const mainLink = h.page.locator('aside.details .task-link', { hasText: /^main$/ }).first();
    assert.equal(await mainLink.getAttribute('title'), '__main__.main');
    // main did not fail: it cancelled the poller with cancel() (not "Its failure cancelled").
    await mainLink.click();
    await h.settle();
    const mainPane = await text(h, 'aside.details');
    assert.match(mainPane, /It cancelled.*poller/s);
    assert.doesNotMatch(mainPane, /Its failure cancelled/);
    await h.task('poller').locator('tspan.name').click();
    await h.settle();
    await h.clearPosted();
    await h.page.locator('aside.details [data-action="cause-site"]').click();
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'openSite'),
      [{ type: 'openSite', file: '/home/user/app/bank.py', line: 30 }],
    );
    await h.task('crawler').locator('tspan.name').click();
    await h.settle();
    assert.match(
      await text(h, 'aside.details'),
      /Cancelledbecause the deadline of trio\.move_on_after at main:49 expired/,
    );
    await h.page.screenshot({ path: join(SHOTS, 'waits-cause-vscode-dark-1100.png') });
    // on demand, every cause at once: the failure to the nursery it cancelled, main's cancel() to the task it cancelled; a deadline has no task to point from
    await h.page.keyboard.press('Escape');
    await h.settle();
    assert.deepEqual(await edges(h, 'cause'), [], 'nothing selected: no cause edges');
    await h.page.locator('button.show-waits').click();
    await h.settle();
    assert.deepEqual(
      await edges(h, 'cause'),
      [`${await keyOf(h, 'parse feed')}>4`, `${await keyOf(h, '__main__.main')}>${await keyOf(h, 'poller')}`].sort(),
    );
  });

  it('direction controls in wait labels, holder names, verdicts and cancel causes are shown escaped (programText visible)', async () => {
    const ev: Ev[] = [...prologue()];
    ev.push(spawned(10, 'alice\u202Eevil'), spawned(11, 'bob'), spawned(12, 'stopper'));
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
    await show(h, run);
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
    const pane = await text(h, 'aside.details');
    clean(pane);
    assert.match(pane, /Waits forLock a\\u202elice held by alice\\u202eevil/);
    assert.match(pane, /Blocksalice\\u202eevil waits for Lock b\\u202eob/);
    await h.task('alice\\u202eevil').locator('tspan.name').click();
    await h.settle();
    assert.match(await text(h, 'aside.details'), /owner\\u2066 x/);
    await h.task('stopper').locator('tspan.name').click();
    await h.settle();
    const cause = await text(h, 'aside.details');
    clean(cause);
    assert.match(cause, /quit\\u202enow/);
    assert.match(cause, /st\\u202eop:30/);
  });
});
