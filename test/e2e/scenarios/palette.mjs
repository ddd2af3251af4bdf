// A: a user opens the panel from the command palette before running anything.
import { eventually, runCommand } from '../workbench.mjs';
import { rootText, taskTreeFrame } from '../taskTree.mjs';

// What the empty panel says: it must tell the user how to get a tree.
const EMPTY_STATE = /no (trio )?runs? yet|start a (python )?debug session|run python file with task tree/i;

export default {
  id: 'A-palette',
  name: 'A palette: "Nursery Lens: Show Task Tree" opens the panel with its empty state',
  timeoutMs: 60000,
  async run(ctx, state) {
    const { page } = await ctx.window('palette');
    state.page = page;
    await runCommand(page, 'Nursery Lens: Show Task Tree');
    await page
      .locator('.tab', { hasText: /task tree/i })
      .first()
      .waitFor({ state: 'visible', timeout: 20000 });
    const frame = await taskTreeFrame(page);
    const text = await eventually(
      async () => {
        const t = await rootText(frame);
        return EMPTY_STATE.test(t) && t;
      },
      { timeout: 20000, what: `the empty-state text (${EMPTY_STATE})` },
    );
    ctx.log(`A: empty state says: ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
    await ctx.shot(page, 'A-palette');
  },
};
