// What the Hettinger example (examples/hettinger/trio_way.py) must look like
// in the panel, and the source lines the await sites point at.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enlargePanel, fitTree, hettingerShape, taskTreeFrame, treeNodes } from '../taskTree.mjs';
import { runCommand } from '../workbench.mjs';

export const SITES = 14;
export const LAUNCH_NAME = 'Hettinger: the Trio way';
// Slower local sites (delays / 0.1): four fetches queue at the limiter for
// ~4.5 s and the crawl takes ~14 s, so the 10 Hz state samples and a test on
// a busy 2-core machine both see the queue.
export const SPEED_ENV = { EXAMPLE_SPEED: '0.1' };

/** 1-based line numbers in trio_way.py of the places the test looks for. */
export function trioWayLines(workspaceDir) {
  const lines = readFileSync(join(workspaceDir, 'hettinger', 'trio_way.py'), 'utf8').split('\n');
  const find = (re) => {
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) throw new Error(`trio_way.py has no line matching ${re}`);
    return i + 1;
  };
  const pageSizeStart = find(/^async def page_size/);
  const pageSizeEnd = find(/^\s+return body\.size/);
  return {
    limiter: find(/^\s+async with limiter:/),
    resultsSend: find(/^\s+await results\.send\(\(url, size\)\)/),
    pageSize: [pageSizeStart, pageSizeEnd],
  };
}

/** Where a waiting fetch is, from its ARIA label ("…, waiting, at trio_way.py:78"). */
export function awaitLine(node) {
  const m = /, waiting, at trio_way\.py:(\d+)/.exec(node.aria);
  return m ? Number(m[1]) : null;
}

/** One poll of the tree (fitted into view first, at most once a second): the shape plus a summary for messages. */
export async function readHettinger(frame, { fitEveryMs = 1000 } = {}) {
  await fitTree(frame, fitEveryMs);
  const nodes = await treeNodes(frame);
  const shape = hettingerShape(nodes);
  const states = {};
  for (const f of shape.fetches) states[f.state] = (states[f.state] ?? 0) + 1;
  const describe = () =>
    `main=${shape.main ? shape.main.aria : 'none'}; nursery=${shape.nursery ? 'yes' : 'no'}; ` +
    `fetches=${shape.fetches.length} ${JSON.stringify(states)}; nodes drawn=${nodes.length}`;
  return { nodes, ...shape, states, describe };
}

/**
 * Follows a crawl in the panel (F5 started it) until every task returned, 60 s
 * at most. Reads at once, in whatever room the panel got (Fit makes the small
 * tree readable); gives it the whole window only once fetches queued at
 * `lines.limiter` (`waitsAt`, for the log) were seen next to fetches in
 * page_size, so a slow machine does not spend the queue's seconds moving
 * panels around. `at(node)` is a waiting fetch's line; `onEnlarged()` runs once
 * the panel has the window, `onRead(last, split)` after each later reading.
 * Returns the first such split, the last reading that showed main, its group
 * and all fetches (`shaped`), and the last reading.
 */
export async function followCrawl(ctx, page, { letter, lines, at, waitsAt, onEnlarged, onRead }) {
  let frame = await taskTreeFrame(page, { timeout: 30000 });
  let enlarged = false;
  let shaped = null;
  let split = null;
  let last = null;
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    try {
      last = await readHettinger(frame);
    } catch (e) {
      // The iframe reloads when the panel moves; find it again.
      if (!/detached|closed|destroyed/i.test(String(e.message))) throw e;
      frame = await taskTreeFrame(page);
      continue;
    }
    if (last.main && last.nursery && last.fetches.length === SITES) shaped = last;
    const queued = last.fetches.filter((f) => at(f) === lines.limiter);
    const fetching = last.fetches.filter((f) => {
      const l = at(f);
      return l !== null && l >= lines.pageSize[0] && l <= lines.pageSize[1];
    });
    if (!split && queued.length > 0 && fetching.length > 0) {
      split = { queued: queued.length, fetching: fetching.length };
      ctx.log(
        `${letter}: queued at ${waitsAt}: ${queued.length} (${queued[0].aria}); fetching: ${fetching.length} (${fetching[0].aria})`,
      );
    }
    if (split && !enlarged) {
      enlarged = true;
      ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
      frame = await taskTreeFrame(page);
      await onEnlarged?.();
      continue;
    }
    await onRead?.(last, split);
    if (last.fetches.length === SITES && last.states.returned === SITES && last.main?.state === 'returned') break;
    await page.waitForTimeout(100);
  }
  return { shaped, split, last };
}

/** A window's `prepare`: the configuration named `name` first in launch.json, the one F5 starts in a fresh workspace. */
export function launchFirst(name) {
  return (ws) => {
    const i = ws.launch.configurations.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`examples/.vscode/launch.json has no "${name}"`);
    ws.launch.configurations.unshift(...ws.launch.configurations.splice(i, 1));
    writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
  };
}

/**
 * F5 (the selected launch configuration). In a fresh window the first F5 may
 * only open the Run and Debug view with the configuration selected (no
 * session yet); then its green Start button starts it, as a user would.
 */
export async function startDebugging(page, pressInWorkbench) {
  const toolbar = page.locator('.debug-toolbar').first();
  const startButton = page.locator('.part.sidebar .codicon-debug-start').first();
  await pressInWorkbench(page, 'F5');
  const deadline = Date.now() + 45000;
  let clicked = false;
  while (Date.now() < deadline) {
    if (await toolbar.isVisible().catch(() => false)) return;
    if (!clicked && Date.now() > deadline - 40000 && (await startButton.isVisible().catch(() => false))) {
      await page.waitForTimeout(1000);
      if (await toolbar.isVisible().catch(() => false)) return;
      clicked = true;
      await startButton.click();
    }
    await page.waitForTimeout(250);
  }
  throw new Error('F5 did not start a debug session (no debug toolbar)');
}
