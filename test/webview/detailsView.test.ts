// Closing a task's details puts the view back. The user pass (code-server,
// the Hettinger example at ~700 px): the tree fitted; a click on
// fetch(http://www.reuters.com/) opened the details, the tree area narrowed
// and the view panned to the task; closing the details with × left that pan:
// crawl cut at the left (only its pinned label) and ~350 px empty at the
// right. The view from before the pane opened comes back, unless the user
// moved the view meanwhile. Screenshots in light and dark, wide and narrow
// (at 525 px the pane opens under the tree).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import { eventsOf, LiveRun, readStream, runsMessage } from './streams';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
const REUTERS = 'fetch(http://www.reuters.com/)';

const viewOf = async (h: Harness) => (await h.page.locator('svg.tree > g').first().getAttribute('transform')) ?? '';

/** Whether the root's (crawl's) node and label are whole inside the tree's area (not cut at an edge). */
const crawlWhole = (h: Harness) =>
  h.page.evaluate(() => {
    const area = document.querySelector('svg.tree')!.getBoundingClientRect();
    const node = document.querySelector('g.node[aria-level="1"]');
    if (!node) return false;
    const r = node.getBoundingClientRect();
    return r.left >= area.left && r.right <= area.right && r.top >= area.top && r.bottom <= area.bottom;
  });

describe('webview: closing the details puts the view back as it was', function () {
  let s: Session;
  before(async () => {
    s = await openSession();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());

  /** The Hettinger recording, finished, in a page of this size; `body` runs with it shown. */
  async function showcase(width: number, theme: Theme, body: (h: Harness) => Promise<void>): Promise<void> {
    const h = await Harness.open(s, { width, height: 600, theme });
    try {
      const run = new LiveRun('hettinger', 'Hettinger: the Trio way').feed(
        eventsOf(readStream('test/fixtures/hettinger_trio.ndjson')),
      );
      await h.send(runsMessage([run.state]), run.snapshot());
      await h.settle(200);
      await body(h);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.page.close();
    }
  }

  /** Clicks the Reuters fetch and waits for the pane and its pan; the view then. */
  async function openReuters(h: Harness): Promise<string> {
    await h.task(REUTERS).click();
    await h.page.locator('aside.details').waitFor();
    await h.settle(200);
    return viewOf(h);
  }

  async function closeDetails(h: Harness): Promise<void> {
    await h.page.locator('aside.details button.close').click();
    await h.page.locator('aside.details').waitFor({ state: 'hidden' });
    await h.settle(200);
  }

  for (const [width, theme] of [
    [700, 'vscode-light'],
    [700, 'vscode-dark'],
    [525, 'vscode-dark'],
    [525, 'vscode-light'],
  ] as const)
    it(`at ${width} px (${theme}): × on the details gives back the first view, crawl whole`, async () => {
      await showcase(width, theme, async (h) => {
        const first = await viewOf(h);
        assert.ok(await crawlWhole(h), 'the first view shows crawl whole');
        const opened = await openReuters(h);
        await h.page.screenshot({ path: join(SHOTS, `details-view-${width}-${theme}-open.png`) });
        if (width === 700) assert.notEqual(opened, first, 'the pane narrowed the tree and the view panned to the task');
        await closeDetails(h);
        await h.page.screenshot({ path: join(SHOTS, `details-view-${width}-${theme}-closed.png`) });
        assert.equal(await viewOf(h), first, 'the view from before the details opened');
        assert.ok(await crawlWhole(h), 'crawl whole again');
        assert.equal(await h.page.locator('.root-pin').isVisible(), false, 'no pinned label: the root is in view');
      });
    });

  it('after Fit, × on the details gives back the fitted view', async () => {
    await showcase(700, 'vscode-dark', async (h) => {
      await h.page.getByRole('button', { name: 'Fit' }).click();
      await h.settle(200);
      const fitted = await viewOf(h);
      await openReuters(h);
      await closeDetails(h);
      assert.equal(await viewOf(h), fitted);
    });
  });

  it('arrow keys to another task while the details are open: × gives back the view, the task still in sight', async () => {
    await showcase(700, 'vscode-light', async (h) => {
      const first = await viewOf(h);
      await openReuters(h);
      await h.page.keyboard.press('ArrowUp');
      await h.settle(200);
      await closeDetails(h);
      assert.equal(await viewOf(h), first);
      const selected = await h.page.locator('g.node[aria-selected="true"]').getAttribute('aria-label');
      assert.match(selected ?? '', /^task fetch\(http:\/\/arstechnica\.com\/\),/);
    });
  });

  it('a view the user dragged while the details were open stays where they left it', async () => {
    await showcase(700, 'vscode-dark', async (h) => {
      await openReuters(h);
      const area = (await h.page.locator('svg.tree').boundingBox())!;
      await h.page.mouse.move(area.x + 100, area.y + 60);
      await h.page.mouse.down();
      await h.page.mouse.move(area.x + 160, area.y + 90, { steps: 4 });
      await h.page.mouse.up();
      await h.settle(100);
      const dragged = await viewOf(h);
      await closeDetails(h);
      assert.equal(await viewOf(h), dragged, "the user's view is kept");
    });
  });

  it('Tab in the details goes as the eye does: Focus, then Close (both top right), then the links below', async () => {
    await showcase(700, 'vscode-dark', async (h) => {
      await openReuters(h);
      const stops = await h.page.$$eval('aside.details button, aside.details a, aside.details [tabindex="0"]', (els) =>
        els
          .filter((e) => (e as HTMLElement).tabIndex >= 0)
          .map((e) => ({ name: e.getAttribute('aria-label') ?? e.textContent, left: e.getBoundingClientRect().left })),
      );
      assert.deepEqual(
        stops.slice(0, 2).map((s) => s.name),
        ['Focus', 'Close details'],
        JSON.stringify(stops),
      );
      assert.ok(stops[0].left < stops[1].left, 'Focus is drawn left of Close');
      assert.ok(stops.length > 2, 'the body has links after them');
      // what a screen reader reads first is still the task's name
      const first = await h.page.$eval('aside.details', (el) => el.querySelector('h2, button')?.tagName);
      assert.equal(first, 'H2');
    });
  });

  it("a long name in the details' title wraps after its punctuation, not mid-word", async () => {
    await showcase(700, 'vscode-light', async (h) => {
      await h.task('fetch(http://www.macrumors.com/)').click();
      await h.page.locator('aside.details').waitFor();
      const lines = await h.page.$eval('aside.details .title-text', (el) => {
        const whole = document.createRange();
        whole.selectNodeContents(el);
        const tops = new Set(Array.from(whole.getClientRects(), (r) => Math.round(r.top)));
        // a text node between two <wbr>s that wraps inside itself was cut mid-word
        const cut = Array.from(el.childNodes)
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .filter((n) => {
            const r = document.createRange();
            r.selectNodeContents(n);
            return new Set(Array.from(r.getClientRects(), (q) => Math.round(q.top))).size > 1;
          })
          .map((n) => n.textContent);
        return { count: tops.size, cut, text: el.textContent };
      });
      assert.equal(lines.text, 'fetch(http://www.macrumors.com/)', 'the name as it is (copied as it is)');
      assert.ok(lines.count >= 2, `the name wraps in the pane (${lines.count} line)`);
      assert.deepEqual(lines.cut, [], 'no piece of it is cut across lines');
    });
  });
});
