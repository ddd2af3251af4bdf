// C: a breakpoint inside a fetch task, set through the editor (Go to Line +
// Toggle Breakpoint). When it hits, the whole program is suspended: the panel
// must still show the tree as it was and stay responsive (select a task, the
// details follow). Continue, and the run finishes.
import { eventually, pressInWorkbench, quickInput, runCommand, goToLine } from '../workbench.mjs';
import { enlargePanel, prepareRoom, taskTreeFrame } from '../taskTree.mjs';
import { readHettinger, SITES, SPEED_ENV, startDebugging, trioWayLines } from './hettinger.mjs';

export default {
  id: 'C-breakpoint',
  name: 'C breakpoint: paused inside a fetch, the panel keeps the tree and answers clicks; continue finishes the run',
  timeoutMs: 100000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('breakpoint', { env: SPEED_ENV });
    state.page = page;
    const lines = trioWayLines(ws.dir);

    // Open trio_way.py, go to `await results.send((url, size))` (reached by
    // each fetch after its site answered), toggle a breakpoint there.
    await runCommand(page, 'Go to File...').catch(async () => {
      await pressInWorkbench(page, 'Control+P');
    });
    await quickInput(page, 'trio_way.py', 'trio_way.py');
    await page.locator('.tab', { hasText: 'trio_way.py' }).first().waitFor({ state: 'visible', timeout: 15000 });
    await goToLine(page, lines.resultsSend);
    await runCommand(page, 'Debug: Toggle Breakpoint');
    await page
      .locator('.monaco-editor .codicon-debug-breakpoint, .monaco-editor .codicon-debug-breakpoint-unverified')
      .first()
      .waitFor({ state: 'attached', timeout: 10000 });

    await prepareRoom(page, runCommand);
    await startDebugging(page, pressInWorkbench);
    // Paused: the debug toolbar offers Continue, and the editor marks the line.
    await page.locator('.debug-toolbar .codicon-debug-continue').first().waitFor({ state: 'visible', timeout: 40000 });
    ctx.log('C: stopped at the breakpoint');
    let frame = await taskTreeFrame(page, { timeout: 20000 });
    ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
    frame = await taskTreeFrame(page);
    const paused = await eventually(
      async () => {
        const t = await readHettinger(frame);
        return t.main && t.nursery && t.fetches.length === SITES && t;
      },
      { timeout: 15000, what: `main task + nursery + ${SITES} fetches while paused` },
    );
    const unfinished = paused.fetches.filter((f) => !['returned', 'raised', 'cancelled'].includes(f.state));
    if (unfinished.length === 0)
      throw new Error(`paused at the first results.send, yet every fetch shows finished: ${paused.describe()}`);
    ctx.log(`C: while paused: ${paused.describe()}`);

    // Responsive while the program is suspended: select a fetch, the selection and details follow.
    const target = unfinished[0];
    const url = /^task fetch\((.*)\), /.exec(target.aria)?.[1] ?? '';
    await frame.locator(`g.node[data-key="${target.key}"]`).click();
    await eventually(
      async () => {
        const node = await frame.locator(`g.node[data-key="${target.key}"]`).getAttribute('aria-selected');
        const details = frame.locator('aside.details');
        return node === 'true' && (await details.isVisible()) && (await details.innerText()).includes(url);
      },
      { timeout: 8000, what: `task ${url} selected and shown in the details pane` },
    );
    await ctx.shot(page, 'C-breakpoint-paused');

    // Still paused (the click did not resume anything), then: no more stops, continue.
    await runCommand(page, 'Remove All Breakpoints');
    await pressInWorkbench(page, 'F5');
    const done = await eventually(
      async () => {
        const t = await readHettinger(frame);
        return t.states.returned === SITES && t.main?.state === 'returned' && t;
      },
      { timeout: 40000, what: 'every fetch returned after Continue' },
    );
    ctx.log(`C: after continue: ${done.describe()}`);
    await ctx.shot(page, 'C-breakpoint-finished');
  },
};
