// W: F5 on "Deadlock: two transfers, two locks" (examples/deadlock.py). The
// panel opens by itself and, once nothing has moved for a second, says
// Deadlock: a banner naming both transfers and the locks each waits for,
// the two tasks ringed, red wait-for arrows between them. Stopping the
// session leaves the banner in the past tense. Pausing it (the loop idle in
// its selector, in no task) says so in a banner until Continue. The configuration runs the
// program by `module` here (as `python -m`, like a uvicorn launch), with no
// editor open: the panel opens beside an empty group, which takes the files
// opened during the session.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, pressInWorkbench, quickInput, runCommand } from '../workbench.mjs';
import { enlargePanel, prepareRoom, taskTreeFrame, treeBesideItsSource, treeNodes } from '../taskTree.mjs';
import { startDebugging } from './hettinger.mjs';

const LAUNCH = 'Deadlock: two transfers, two locks';

/** The configuration launches `python -m deadlock` instead of the file. */
function prepare(ws) {
  const c = ws.launch.configurations.find((x) => x.name === LAUNCH);
  if (!c) throw new Error(`examples/.vscode/launch.json has no "${LAUNCH}"`);
  delete c.program;
  Object.assign(c, { module: 'deadlock', cwd: '${workspaceFolder}' });
  writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
}

export default {
  id: 'W-deadlock',
  name: 'W deadlock: F5 on the deadlock example shows the Deadlock banner, the two transfers ringed and their wait-for arrows',
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page } = await ctx.window('deadlock', { prepare });
    state.page = page;
    // Pick it in the Run and Debug view's list of configurations, then F5 as a user would.
    await runCommand(page, 'View: Show Run and Debug');
    const label = page.locator('.part.sidebar .start-debug-action-item-dropdown-label').first();
    await label.waitFor({ state: 'visible', timeout: 20000 });
    // The view may still be settling when it first shows: open the list again until the item can be clicked.
    await eventually(
      async () => {
        if ((await label.getAttribute('title')) === LAUNCH) return true;
        await page.keyboard.press('Escape');
        await label.click({ timeout: 2000 }).catch(() => undefined);
        const item = page.locator('.context-view').getByText(LAUNCH, { exact: true }).first();
        await item.scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => undefined);
        await item.click({ timeout: 2000 }).catch(() => undefined);
        return (await label.getAttribute('title')) === LAUNCH;
      },
      { timeout: 30000, interval: 500, what: `"${LAUNCH}" selected in Run and Debug` },
    );
    await prepareRoom(page, runCommand);
    await startDebugging(page, pressInWorkbench);
    await treeBesideItsSource(page, null, 'deadlock.py');

    let frame = await taskTreeFrame(page, { timeout: 30000 });
    ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
    frame = await taskTreeFrame(page);
    const banner = await eventually(
      async () => {
        const text = await frame
          .locator('.banner.verdict.deadlock')
          .textContent({ timeout: 500 })
          .catch(() => null);
        return text && /^Deadlock/.test(text) ? text : null;
      },
      { timeout: 30000, what: 'the Deadlock banner' },
    );
    ctx.log(`W: banner: ${banner.replace(/\s+/g, ' ').slice(0, 240)}`);
    for (const want of [
      /transfer alice->bob waits for Lock bob\.lock held by transfer bob->alice/,
      /transfer bob->alice waits for Lock alice\.lock held by transfer alice->bob/,
    ])
      if (!want.test(banner)) throw new Error(`the banner does not say ${want}: ${banner}`);
    const nodes = await treeNodes(frame);
    const stuck = nodes.filter((n) => n.classes.includes('stuck')).map((n) => n.aria.split(',')[0]);
    if (!stuck.includes('task transfer alice->bob') || !stuck.includes('task transfer bob->alice')) {
      throw new Error(`the transfers are not ringed; stuck: ${stuck.join(' | ')}`);
    }
    const arrows = await frame.locator('.wait-links path.wait-link.deadlock').count();
    if (arrows !== 2) throw new Error(`expected the two wait-for arrows of the cycle, found ${arrows}`);
    await ctx.shot(page, 'W-deadlock-banner');

    // Select a transfer from the banner: its details say what it waits for and who holds it.
    await frame
      .locator('.banner.verdict [data-action^="verdict-select-"]', { hasText: 'transfer alice->bob' })
      .first()
      .click();
    const details = async () =>
      (
        (await frame
          .locator('aside.details')
          .textContent({ timeout: 500 })
          .catch(() => '')) ?? ''
      ).replace(/\s+/g, ' ');
    await eventually(
      async () => /Waits for ?Lock bob\.lock held by ?transfer bob->alice \(waiting \d/.test(await details()),
      { timeout: 10000, what: 'the details of transfer alice->bob' },
    );

    // Pause with the tree alone in the window, in front: its source opens in a new group on its left (it
    // was left empty once, with the tree squeezed into half the window). Then: the deadlocked loop sits in
    // its selector, in no task; the panel still says the program is paused.
    await runCommand(page, 'View: Focus First Editor Group'); // deadlock.py's (out of sight while the tree's is maximized)
    await runCommand(page, 'View: Close Editor Group');
    await eventually(async () => (await page.locator('.editor-group-container').count()) === 1, {
      timeout: 10000,
      what: 'the task tree alone in the window',
    });
    await page
      .locator('.tab', { hasText: /task tree/i })
      .first()
      .click();
    await runCommand(page, 'Debug: Pause');
    await eventually(
      async () => {
        const groups = page.locator('.editor-group-container');
        if ((await groups.count()) !== 2) return false;
        const left = await groups.first().locator('.tab').allTextContents();
        const right = await groups.last().locator('.tab').allTextContents();
        return left.some((t) => t.includes('deadlock.py')) && right.some((t) => /task tree/i.test(t));
      },
      { timeout: 15000, what: "deadlock.py opened in a group on the tree's left after Debug: Pause" },
    );
    const paused = frame.locator('.notices .banner.paused');
    const pausedText = await eventually(
      async () => {
        const text = await paused.textContent({ timeout: 500 }).catch(() => null);
        return text && /^Paused in the debugger — no task owns the stopped thread/.test(text) ? text : null;
      },
      { timeout: 15000, what: 'the paused banner after Debug: Pause (the panel read as running)' },
    );
    ctx.log(`W: paused: ${pausedText}`);
    await ctx.shot(page, 'W-deadlock-paused');
    await runCommand(page, 'Debug: Continue');
    await eventually(async () => (await paused.count()) === 0, {
      timeout: 10000,
      what: 'the paused banner gone after Debug: Continue',
    });

    // Pause with another file in front beside the tree: debugpy asks VS Code to keep the focus on a Pause,
    // so VS Code opened no file and where the program stopped was only in the Call Stack. It opens there.
    await runCommand(page, 'View: Focus First Editor Group');
    await runCommand(page, 'Go to File...');
    await quickInput(page, 'hang.py', 'hang.py');
    const sourceTab = () => page.locator('.editor-group-container').first().locator('.tab.active').textContent();
    await eventually(async () => /hang\.py/.test((await sourceTab()) ?? ''), {
      timeout: 10000,
      what: 'hang.py in front',
    });
    await runCommand(page, 'Debug: Pause');
    await eventually(async () => /deadlock\.py/.test((await sourceTab()) ?? ''), {
      timeout: 15000,
      what: 'deadlock.py in front beside the tree after Debug: Pause (hang.py stayed)',
    });
    await ctx.shot(page, 'W-deadlock-paused-source');
    await runCommand(page, 'Debug: Continue');
    await eventually(async () => (await paused.count()) === 0, { timeout: 10000, what: 'continued again' });

    // Stop: the program is gone; the run keeps its verdict, in the past tense.
    await runCommand(page, 'Debug: Stop');
    await eventually(
      async () =>
        /^Was deadlocked since \d+ ms into the run, until the program stopped\./.test(
          (await frame
            .locator('.banner.verdict')
            .textContent({ timeout: 500 })
            .catch(() => '')) ?? '',
        ),
      { timeout: 20000, what: 'the banner in the past tense after Stop' },
    );
    // Stop ended the run with its session: said as news, not as a lost connection (a warning).
    const notice = frame.locator('.banner[data-status="disconnected"]');
    await eventually(
      async () => /the debug session ended before the run did/.test((await notice.textContent()) ?? ''),
      {
        timeout: 10000,
        what: "the notice that the debug session ended (it said 'connection lost')",
      },
    );
    if ((await frame.locator('.banner.problem').count()) > 0)
      throw new Error(`a problem banner after Stop: ${await frame.locator('.banner.problem').first().textContent()}`);
    await ctx.shot(page, 'W-deadlock-stopped');
  },
};
