// G: F5 on "Hettinger: asyncio TaskGroup" (examples/hettinger/asyncio_way.py,
// unmodified: no import of the lens). The panel opens by itself and shows
// the same shape as the Trio way: the main task `crawl`, one TaskGroup with
// 14 fetch tasks; while the crawl runs, the fetches waiting at the
// Semaphore are told apart from those reading a page; at the end every
// task has returned.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pressInWorkbench, runCommand } from '../workbench.mjs';
import { prepareRoom, treeBesideItsSource } from '../taskTree.mjs';
import { followCrawl, launchFirst, SITES, SPEED_ENV, startDebugging } from './hettinger.mjs';

const LAUNCH = 'Hettinger: asyncio TaskGroup';
const PROGRAM = 'asyncio_way.py';

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

/**
 * The example's launch configuration first, at most five fetches at once: with its ten, the four queued at
 * the Semaphore waited only for the first four answers, and a loaded CI machine's first look came after.
 */
function prepare(ws) {
  launchFirst(LAUNCH)(ws);
  ws.launch.configurations[0].args = ['--limit', '5'];
  writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
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
    await treeBesideItsSource(page, PROGRAM, 'trio_way.py');

    const { shaped, split, last } = await followCrawl(ctx, page, {
      letter: 'G',
      lines,
      at: awaitLine,
      waitsAt: 'the Semaphore',
      onEnlarged: () => ctx.shot(page, 'G-asyncio-session-running'),
    });
    const groupLabel = shaped?.nursery.aria ?? '';
    if (!shaped) throw new Error(`never saw main task + TaskGroup + ${SITES} fetch tasks; last: ${last?.describe()}`);
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
