// G: F5 on "Hettinger: asyncio TaskGroup" (examples/hettinger/asyncio_way.py,
// unmodified: no import of the lens). The panel opens by itself and shows
// the same shape as the Trio way: the main task `crawl`, one TaskGroup with
// 14 fetch tasks; while the crawl runs, the fetches waiting at the
// Semaphore are told apart from those reading a page; at the end every
// task has returned.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pressInWorkbench, runCommand } from '../workbench.mjs';
import { enlargePanel, prepareRoom, taskTreeFrame } from '../taskTree.mjs';
import { readHettinger, SITES, SPEED_ENV, startDebugging } from './hettinger.mjs';

const LAUNCH = 'Hettinger: asyncio TaskGroup';
const PROGRAM = 'asyncio_way.py';

/** The asyncio configuration first in launch.json: the one F5 starts in a fresh workspace. */
function prepare(ws) {
  const i = ws.launch.configurations.findIndex((c) => c.name === LAUNCH);
  if (i < 0) throw new Error(`examples/.vscode/launch.json has no "${LAUNCH}"`);
  ws.launch.configurations.unshift(...ws.launch.configurations.splice(i, 1));
  writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
}

/** 1-based lines of asyncio_way.py: the Semaphore, and page_size's body. */
function asyncioWayLines(dir) {
  const lines = readFileSync(join(dir, 'hettinger', PROGRAM), 'utf8').split('\n');
  const find = (re) => {
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) throw new Error(`${PROGRAM} has no line matching ${re}`);
    return i + 1;
  };
  return {
    limiter: find(/^\s+async with limiter:/),
    pageSize: [find(/^async def page_size/), find(/^\s+return body\.size/)],
  };
}

const awaitLine = (node) => {
  const m = /, waiting, at asyncio_way\.py:(\d+)/.exec(node.aria);
  return m ? Number(m[1]) : null;
};

export default {
  id: 'G-asyncio-session',
  name: 'G asyncio session: F5 on the asyncio example (no code change) opens the panel; a TaskGroup of 14 fetches, queued vs fetching, all returned',
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('asyncio', { env: SPEED_ENV, prepare });
    state.page = page;
    const lines = asyncioWayLines(ws.dir);
    await prepareRoom(page, runCommand);
    await startDebugging(page, pressInWorkbench);

    let frame = await taskTreeFrame(page, { timeout: 30000 });
    let enlarged = false;
    let sawShape = false;
    let split = null;
    let last = null;
    let groupLabel = '';
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      try {
        last = await readHettinger(frame);
      } catch (e) {
        if (!/detached|closed|destroyed/i.test(String(e.message))) throw e;
        frame = await taskTreeFrame(page);
        continue;
      }
      if (last.main && last.nursery && last.fetches.length === SITES) {
        sawShape = true;
        groupLabel = last.nursery.aria;
      }
      const queued = last.fetches.filter((f) => awaitLine(f) === lines.limiter);
      const fetching = last.fetches.filter((f) => {
        const l = awaitLine(f);
        return l !== null && l >= lines.pageSize[0] && l <= lines.pageSize[1];
      });
      if (!split && queued.length > 0 && fetching.length > 0) {
        split = { queued: queued.length, fetching: fetching.length };
        ctx.log(
          `G: queued at the Semaphore: ${queued.length} (${queued[0].aria}); fetching: ${fetching.length} (${fetching[0].aria})`,
        );
      }
      if (split && !enlarged) {
        enlarged = true;
        ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
        frame = await taskTreeFrame(page);
        await ctx.shot(page, 'G-asyncio-session-running');
        continue;
      }
      if (last.fetches.length === SITES && last.states.returned === SITES && last.main?.state === 'returned') break;
      await page.waitForTimeout(100);
    }
    if (!sawShape) throw new Error(`never saw main task + TaskGroup + ${SITES} fetch tasks; last: ${last?.describe()}`);
    if (!/^TaskGroup at asyncio_way\.py line \d+/.test(groupLabel))
      throw new Error(`the group is not labelled as a TaskGroup: "${groupLabel}"`);
    if (!split) {
      throw new Error(
        `never saw fetches queued at the Semaphore (${PROGRAM}:${lines.limiter}) next to fetches in page_size; last: ${last?.describe()}`,
      );
    }
    if (last.states.returned !== SITES || last.main?.state !== 'returned') {
      throw new Error(`the run did not end with every task returned; last: ${last?.describe()}`);
    }
    ctx.log(`G: group "${groupLabel}"; final: ${last.describe()}`);
    await ctx.shot(page, 'G-asyncio-session-finished');
  },
};
