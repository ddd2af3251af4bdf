// B: F5 on "Hettinger: the Trio way". The panel opens by itself, shows the
// main task, its nursery and 14 fetch tasks; while the crawl runs, the fetches
// queued at the CapacityLimiter are told apart from those fetching; at the
// end every task has returned.
import { pressInWorkbench, runCommand } from '../workbench.mjs';
import { prepareRoom } from '../taskTree.mjs';
import { awaitLine, followCrawl, SITES, SPEED_ENV, startDebugging, trioWayLines } from './hettinger.mjs';

export default {
  id: 'B-debug-session',
  name: 'B debug session: F5 on the Trio example opens the panel; 14 fetches, queued vs fetching, all returned',
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('debug', { env: SPEED_ENV });
    state.page = page;
    const lines = trioWayLines(ws.dir);
    // The first configuration in launch.json is the selected one in a fresh workspace.
    if (ws.launch.configurations[0]?.name !== 'Hettinger: the Trio way') {
      throw new Error(`examples/.vscode/launch.json: first configuration is "${ws.launch.configurations[0]?.name}"`);
    }
    await prepareRoom(page, runCommand);
    await startDebugging(page, pressInWorkbench);

    // Nobody asks for the panel: the debug session opens it.
    let midShot = false;
    const { shaped, split, last } = await followCrawl(ctx, page, {
      letter: 'B',
      lines,
      at: awaitLine,
      waitsAt: 'the limiter',
      onRead: async (reading, seen) => {
        if (!midShot && seen && reading.fetches.some((f) => awaitLine(f) === lines.limiter)) {
          midShot = true;
          // The pointer off the debug toolbar (its tooltips would cover the panel's toolbar in the README's picture).
          await page.mouse.move(1000, 700);
          await ctx.shot(page, 'B-debug-session-running');
        }
      },
    });
    if (!shaped) throw new Error(`never saw main task + nursery + ${SITES} fetch tasks; last: ${last?.describe()}`);
    if (!split) {
      throw new Error(
        `never saw fetches queued at the limiter (trio_way.py:${lines.limiter}) next to fetches in page_size ` +
          `(lines ${lines.pageSize.join('-')}); last: ${last?.describe()}`,
      );
    }
    if (last.states.returned !== SITES || last.main?.state !== 'returned') {
      throw new Error(`the run did not end with every task returned; last: ${last?.describe()}`);
    }
    if (!midShot) ctx.log('B: the queue was gone by the time the panel was enlarged: no running screenshot');
    ctx.log(`B: final: ${last.describe()}`);
    // The status-bar item, as a screen reader says it: in words (it read "Nursery&nbsp;Lens:&nbsp;…").
    const item = page.locator(
      '.statusbar-item [aria-label^="Nursery Lens:"], .statusbar-item[aria-label^="Nursery Lens:"]',
    );
    await item.first().waitFor({ timeout: 10000 });
    const spoken = await item.first().getAttribute('aria-label');
    if (!/^Nursery Lens: \d+ live, 1 run in all/.test(spoken ?? '') || spoken.includes('&nbsp;')) {
      throw new Error(`the status-bar item's label reads "${spoken}"`);
    }
    await ctx.shot(page, 'B-debug-session-finished');
  },
};
