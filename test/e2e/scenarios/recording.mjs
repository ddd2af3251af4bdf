// D: "Run Python File with Task Tree" on trio_way.py (an integrated terminal,
// no debugger); save what the program sent with "Save Recording…", clear the
// finished run, and "Open Recording…" the file: the same tree comes back.
// Both file dialogs are code-server's simple quick-input file picker: type
// the path, Enter.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, quickInput, runCommand } from '../workbench.mjs';
import { enlargePanel, prepareRoom, rootText, taskTreeFrame } from '../taskTree.mjs';
import { readHettinger, SITES } from './hettinger.mjs';

/** What must be equal between the live run and its replay: every node's kind and label. */
function signature(t) {
  const parts = [t.main, t.nursery, ...t.fetches].map((n) => `${n.kind}:${n.aria}`);
  return [parts[0], parts[1], ...parts.slice(2).sort()];
}

/** Answer code-server's simple file dialog (a quick input holding a path) with `path`. */
async function typePath(page, path) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  // The dialog fills in its starting folder asynchronously; typing before
  // that lands would be overwritten.
  await eventually(async () => (await input.inputValue()).length > 0, { timeout: 10000, what: 'the file dialog to show its folder' });
  await page.waitForTimeout(300);
  for (let attempt = 0; attempt < 3; attempt++) {
    await input.fill(path);
    await page.waitForTimeout(400);
    if ((await input.inputValue()) !== path) continue;
    await page.keyboard.press('Enter');
    try {
      await widget.waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch { /* still open: the dialog navigated instead of accepting; type again */ }
  }
  throw new Error(`the file dialog did not accept ${path} (it shows ${await input.inputValue()})`);
}

export default {
  id: 'D-recording',
  name: 'D recording: Run Python File with Task Tree, Save Recording…, Clear Finished Runs, Open Recording… shows the same tree',
  timeoutMs: 100000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('recording');
    state.page = page;
    await runCommand(page, 'Go to File...');
    await quickInput(page, 'trio_way.py', 'trio_way.py');
    await page.locator('.tab', { hasText: 'trio_way.py' }).first().waitFor({ state: 'visible', timeout: 15000 });
    await prepareRoom(page, runCommand);
    await runCommand(page, 'Nursery Lens: Run Python File with Task Tree');

    let frame = await taskTreeFrame(page, { timeout: 30000 });
    ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
    frame = await taskTreeFrame(page);
    const live = await eventually(async () => {
      const t = await readHettinger(frame);
      return t.main?.state === 'returned' && t.nursery && t.states.returned === SITES && t;
    }, { timeout: 40000, what: 'the terminal run to finish with every fetch returned' });
    ctx.log(`D: live run: ${live.describe()}`);
    await ctx.shot(page, 'D-run-file');

    const file = join(ws.dir, 'trio_way.ndjson');
    await runCommand(page, 'Nursery Lens: Save Recording…');
    await typePath(page, file);
    await eventually(() => existsSync(file) && statSync(file).size > 0, { timeout: 15000, what: `the recording at ${file}` });
    ctx.log(`D: saved ${file} (${statSync(file).size} bytes)`);

    await runCommand(page, 'Nursery Lens: Clear Finished Runs');
    await eventually(async () => /no trio run yet/i.test(await rootText(frame)), { timeout: 10000, what: 'the empty state after Clear Finished Runs' });

    await runCommand(page, 'Nursery Lens: Open Recording…');
    await typePath(page, file);
    const replay = await eventually(async () => {
      const t = await readHettinger(frame);
      return t.main && t.nursery && t.fetches.length === SITES && t;
    }, { timeout: 20000, what: 'the recording drawn in the panel' });
    const a = signature(live);
    const b = signature(replay);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`replayed tree differs from the live one:\nlive:   ${a.join(' ; ')}\nreplay: ${b.join(' ; ')}`);
    }
    ctx.log(`D: replay: ${replay.describe()}`);
    await ctx.shot(page, 'D-recording');
  },
};
