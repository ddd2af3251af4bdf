// D2: a recording made outside the extension — `python -m nursery_lens
// --record FILE script.py` typed into VS Code's terminal — opens with
// "Open Recording…" and shows the whole finished tree.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { answerFileDialog, eventually, runCommand } from '../workbench.mjs';
import { enlargePanel, prepareRoom, recordingToEnd, taskTreeFrame } from '../taskTree.mjs';
import { readHettinger, SITES } from './hettinger.mjs';

export default {
  id: 'D2-cli-recording',
  name: 'D2 recording from the command line: python -m nursery_lens --record in the terminal, then Open Recording…',
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('cli-record');
    state.page = page;
    await prepareRoom(page, runCommand);
    const file = join(ws.dir, 'cli.ndjson');
    await runCommand(page, 'Terminal: Create New Terminal');
    await page
      .locator('.terminal-wrapper.active .xterm, .terminal .xterm')
      .first()
      .waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForTimeout(1500); // the shell prints its prompt
    await page.keyboard.type(`${ctx.python} -m nursery_lens --record ${file} hettinger/trio_way.py\n`, { delay: 5 });
    // Done when the file exists and has stopped growing.
    let last = -1;
    await eventually(
      () => {
        if (!existsSync(file)) return false;
        const size = statSync(file).size;
        const stable = size > 0 && size === last;
        last = size;
        return stable;
      },
      { timeout: 30000, interval: 1000, what: `the recording ${file}` },
    );
    ctx.log(`D2: recorded ${file} (${statSync(file).size} bytes)`);

    await runCommand(page, 'Nursery Lens: Open Recording…');
    await answerFileDialog(page, file);
    let frame = await taskTreeFrame(page, { timeout: 20000 });
    ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
    frame = await taskTreeFrame(page);
    await recordingToEnd(frame);
    const t = await eventually(
      async () => {
        const r = await readHettinger(frame);
        return (
          r.main?.state === 'returned' && r.nursery && r.fetches.length === SITES && r.states.returned === SITES && r
        );
      },
      { timeout: 20000, what: 'the command-line recording drawn with every task returned' },
    );
    ctx.log(`D2: ${t.describe()}`);
    await ctx.shot(page, 'D2-cli-recording');
  },
};
