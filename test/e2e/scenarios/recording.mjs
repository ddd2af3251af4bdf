// D: "Run Python File with Task Tree" on trio_way.py (an integrated terminal,
// no debugger); save what the program sent with "Save Recording…", clear the
// finished run, and "Open Recording…" the file: the same tree comes back
// (the recording opens at its first task; End on the timeline shows its end).
// Opened a second time, unchanged, it adds no twin run. Both file dialogs
// are code-server's simple quick-input file picker: type the path, Enter.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { answerFileDialog, eventually, quickInput, runCommand } from '../workbench.mjs';
import { enlargePanel, prepareRoom, recordingToEnd, rootText, taskTreeFrame } from '../taskTree.mjs';
import { readHettinger, SITES } from './hettinger.mjs';

/** What must be equal between the live run and its replay: every node's kind and label. */
function signature(t) {
  const parts = [t.main, t.nursery, ...t.fetches].map((n) => `${n.kind}:${n.aria}`);
  return [parts[0], parts[1], ...parts.slice(2).sort()];
}

/** The toolbar's task count: "3 live · 15 total", or "all 15 finished" for a run that is over. */
const totalOf = (text) => {
  const m = /(\d+) total|all (\d+) finished/.exec(text);
  return m ? (m[1] ?? m[2]) : undefined;
};

/** The program ended: its terminal (the user's shell, with what the program printed) is still there. */
async function outputKept(page, ctx) {
  await page.waitForTimeout(2500); // the old terminal (the program as its process) closed ~1 s after the end
  await runCommand(page, 'Terminal: Focus Terminal');
  // Its text is drawn on a canvas: the terminal's name says it is the program's.
  await page
    .locator('.part.panel')
    .getByText(/Task Tree: trio_way\.py/)
    .first()
    .waitFor({ state: 'visible', timeout: 10000 })
    .catch(() => {
      throw new Error('the "Task Tree: trio_way.py" terminal closed when the program ended, and its output with it');
    });
  await ctx.shot(page, 'D-terminal-kept');
  await runCommand(page, 'View: Hide Panel', { timeout: 5000 }).catch(() => undefined);
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
    const live = await eventually(
      async () => {
        const t = await readHettinger(frame);
        return t.main?.state === 'returned' && t.nursery && t.states.returned === SITES && t;
      },
      { timeout: 40000, what: 'the terminal run to finish with every fetch returned' },
    );
    await outputKept(page, ctx);
    const liveTotal = totalOf(await rootText(frame));
    ctx.log(`D: live run: ${live.describe()}; panel says ${liveTotal} total`);
    await ctx.shot(page, 'D-run-file');

    const file = join(ws.dir, 'trio_way.ndjson');
    await runCommand(page, 'Nursery Lens: Save Recording…');
    await answerFileDialog(page, file);
    await eventually(() => existsSync(file) && statSync(file).size > 0, {
      timeout: 15000,
      what: `the recording at ${file}`,
    });
    ctx.log(`D: saved ${file} (${statSync(file).size} bytes)`);
    // It says so, as Copy does: briefly, in the status bar.
    await page
      .locator('.statusbar')
      .getByText(/Nursery Lens: saved the recording of .* to trio_way\.ndjson/)
      .first()
      .waitFor({ state: 'visible', timeout: 5000 })
      .catch(() => {
        throw new Error('no "saved the recording … to trio_way.ndjson" in the status bar after Save Recording…');
      });

    await runCommand(page, 'Nursery Lens: Clear Finished Runs');
    // (runs were shown in this panel: not "yet")
    await eventually(async () => /no runs to show/i.test(await rootText(frame)), {
      timeout: 10000,
      what: 'the empty state after Clear Finished Runs ("No runs to show")',
    });

    // The terminal's panel (Run Python File's) below an opened timeline leaves
    // the tree ~200 px: fitted into that it is drawn without labels, which
    // the checks below read. A user makes room the same way.
    await runCommand(page, 'View: Hide Panel', { timeout: 5000 }).catch(() => undefined);
    await runCommand(page, 'Nursery Lens: Open Recording…');
    await answerFileDialog(page, file);
    // It opens at its first task, to be played or scrubbed; End shows it as it ended.
    const first = await recordingToEnd(frame);
    ctx.log(`D: the recording opened ${first.split('·')[0].trim()}, then End`);
    const replay = await eventually(
      async () => {
        const t = await readHettinger(frame);
        return t.main && t.nursery && t.fetches.length === SITES && t;
      },
      { timeout: 20000, what: 'the recording drawn in the panel' },
    );
    const a = signature(live);
    const b = signature(replay);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`replayed tree differs from the live one:\nlive:   ${a.join(' ; ')}\nreplay: ${b.join(' ; ')}`);
    }
    // Not only the shape: the panel's task count of the replay matches the live run's.
    const replayTotal = await eventually(async () => totalOf(await rootText(frame)), {
      timeout: 5000,
      what: 'the task count of the replay',
    });
    if (liveTotal !== replayTotal)
      throw new Error(`live run showed ${liveTotal} tasks in total, its replay ${replayTotal}`);
    ctx.log(`D: replay: ${replay.describe()}; panel says ${replayTotal} total`);
    await ctx.shot(page, 'D-recording');

    // Opened again unchanged, it shows the run it gave: the run picker does not gain a twin.
    const runs = () => frame.locator('select.run-picker option').count();
    const before = await runs();
    await runCommand(page, 'Nursery Lens: Open Recording…');
    await answerFileDialog(page, file);
    // Watched for 3 s: a second copy would be in the picker by then (the first came in well under 1 s).
    for (const end = Date.now() + 3000; Date.now() < end; await page.waitForTimeout(100)) {
      const now = await runs();
      if (now !== before) throw new Error(`opening ${file} again made ${now} runs of the ${before} there were`);
    }
    ctx.log(`D: opened again: still ${before} run(s)`);
  },
};
