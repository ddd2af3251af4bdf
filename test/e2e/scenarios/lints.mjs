// F: F5 on examples/blocking.py (issue #17). Its report task holds the event
// loop 300 ms per board: the Problems panel shows the warning at the line
// that held it, naming the task; the editor shows the live count at the end
// of the pollers' start_soon line ("3 live"), and a Ctrl+click on it selects
// the three pollers in the task tree.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, pressInWorkbench, quickInput, runCommand, goToLine } from '../workbench.mjs';
import { taskTreeFrame, treeNodes } from '../taskTree.mjs';
import { startDebugging } from './hettinger.mjs';

const PROGRAM = 'blocking.py';
const LAUNCH = 'Blocking: a synchronous call holds the event loop';
/** Clicks on the hint, each of which must pick (here about one in seven was lost: five find that half the time; in CI every one was). */
const CLICKS = 5;

/** The example's launch configuration first (the one F5 starts), rendering until stopped. */
function prepare(ws) {
  const i = ws.launch.configurations.findIndex((c) => c.name === LAUNCH);
  if (i < 0) throw new Error(`examples/.vscode/launch.json has no "${LAUNCH}"`);
  const [config] = ws.launch.configurations.splice(i, 1);
  ws.launch.configurations.unshift({ ...config, args: ['--hold'] });
  writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
}

/** What a click on the hint met, and what the panel last said and shows: read when a click picked nothing. */
async function missedClick(page, hint, frame) {
  const box = await hint.boundingBox().catch(() => null);
  const under = box
    ? await page.evaluate(
        ([x, y]) => {
          const el = document.elementFromPoint(x, y);
          return el
            ? `<${el.tagName.toLowerCase()} class="${el.className}">${(el.textContent ?? '').slice(0, 40)}`
            : 'nothing';
        },
        [box.x + box.width / 2, box.y + box.height / 2],
      )
    : 'no hint';
  const said = await frame
    .evaluate(() => document.querySelector('[role=status]')?.textContent ?? '')
    .catch((e) => `(${e.message})`);
  const nodes = await treeNodes(frame).catch(() => []);
  const marked = nodes.filter((n) => n.selected || n.classes.includes('picked')).map((n) => n.aria.split(',')[0]);
  const where = box
    ? `${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)}`
    : '';
  const toasts = await page
    .locator('.notification-list-item-message')
    .allTextContents()
    .catch(() => []);
  return `hint at ${where}; under its middle: ${under}; the panel said "${said}"; selected or picked: ${marked.join(' | ') || 'none'} of ${nodes.length} nodes; notifications: ${toasts.join(' | ') || 'none'}`;
}

/** Ctrl+clicks on the "3 live" hint, each of which must select the three pollers in the panel. */
async function clickEachTime(ctx, page, hint, frame) {
  // Its click selects the three pollers in the panel, every time: CLICKS clicks, the pick cleared
  // between them (another task selected in the panel). The hints are redrawn about three times a
  // second here (the pollers' "waiting here" count moves): a click's command that lived only as
  // long as its hints was lost on about one click in seven ("Actual command not found"; in the
  // project's CI on every click). A miss logs what was under the pointer, what the panel last
  // said and VS Code's notifications.
  const nodesNow = async () =>
    treeNodes(frame).catch(async (e) => {
      if (/detached|closed|destroyed/i.test(String(e.message))) frame = await taskTreeFrame(page);
      throw e;
    });
  const pickedNow = async () => {
    const p = (await nodesNow()).filter((n) => n.classes.includes('picked'));
    return p.length === 3 && p;
  };
  for (let click = 1; click <= CLICKS; click++) {
    if (click > 1) {
      await frame.locator('g.node[aria-label^="task report,"]').click();
      await eventually(async () => !(await nodesNow()).some((n) => n.classes.includes('picked')), {
        timeout: 5000,
        what: 'the pick cleared by selecting report',
      });
    }
    await hint.hover();
    await page.waitForTimeout(200 + 150 * (click % 3)); // the pointer rests a moment, as a user's does
    const before = await hint.boundingBox().catch(() => null);
    await hint.click({ modifiers: ['Control'] });
    const picked = await eventually(pickedNow, {
      timeout: 10000,
      what: `three tasks picked in the panel (click ${click})`,
    }).catch(async (err) => {
      const at = before ? `${Math.round(before.x)},${Math.round(before.y)}` : 'nowhere';
      ctx.log(`F: click ${click} on "3 live" (at ${at}) picked nothing; ${await missedClick(page, hint, frame)}`);
      throw err;
    });
    ctx.log(`F: click ${click} picked: ${picked.map((n) => n.aria.split(',')[0]).join(' | ')}`);
    if (!picked.every((n) => /^task poll\(/.test(n.aria)))
      throw new Error(`picked tasks are not the pollers: ${picked.map((n) => n.aria).join(' | ')}`);
    if (!picked.some((n) => n.selected)) throw new Error('none of the pollers is selected');
  }
}

export default {
  id: 'F-lints',
  name: 'F lints: F5 on blocking.py; the loop blocked by report in the Problems panel at its line; "3 live" at the pollers\' spawn line selects them',
  timeoutMs: 120000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('lints', { prepare });
    state.page = page;
    const source = readFileSync(join(ws.dir, PROGRAM), 'utf8').split('\n');
    const lineOf = (marker) => source.findIndex((l) => l.includes(marker)) + 1;
    const blockedLine = lineOf('# BLOCKS THE LOOP');
    const spawnLine = lineOf('# SPAWNS POLLERS');

    await runCommand(page, 'Go to File...').catch(async () => pressInWorkbench(page, 'Control+P'));
    await quickInput(page, PROGRAM, PROGRAM);
    const tab = page.locator('.tab', { hasText: PROGRAM }).first();
    await tab.waitFor({ state: 'visible', timeout: 15000 });
    await startDebugging(page, pressInWorkbench);
    let frame = await taskTreeFrame(page, { timeout: 30000 });

    // The Problems panel: the block, at the line that held the loop, by task 'report'.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)').catch(() =>
      pressInWorkbench(page, 'Control+Shift+M'),
    );
    let lastRows = [];
    const problem = await eventually(
      async () => {
        const rows = await page
          .locator('.markers-panel .monaco-list-row')
          .evaluateAll((els) => els.map((el) => `${el.getAttribute('aria-label') ?? ''} ${el.textContent ?? ''}`));
        // At the report's line: a loaded machine can stretch the pollers' short parse past the threshold too
        // (its own warning, rightly: the doc string's near miss).
        const blocked = rows.filter((r) => /event loop was blocked here/.test(r));
        lastRows = blocked;
        return blocked.find((r) => new RegExp(`(Ln|line) ${blockedLine}\\b`, 'i').test(r)) ?? false;
      },
      { timeout: 30000, what: `the loop-blocked warning at ${PROGRAM}:${blockedLine}` },
    ).catch((e) => {
      throw new Error(`${e.message}; the blocked warnings shown: ${lastRows.join(' | ') || 'none'}`);
    });
    ctx.log(`F: Problems: ${problem.replace(/\s+/g, ' ').slice(0, 300)}`);
    if (!/by task 'report'/.test(problem)) throw new Error(`the warning does not name task 'report': ${problem}`);

    // The editor: "3 live" after the pollers' start_soon line (wrapped, so the end of the long line is in
    // view; the editor draws spaces as U+00A0, hence \s).
    await tab.click();
    await runCommand(page, 'View: Toggle Word Wrap');
    await goToLine(page, spawnLine);
    const hint = page
      .locator('.monaco-editor .view-line span')
      .filter({ hasText: /^\s*3\s+live\s*$/ })
      .last();
    await eventually(async () => hint.isVisible(), { timeout: 20000, what: `"3 live" at ${PROGRAM}:${spawnLine}` });
    // (The line is the hint's own ancestor: a `has` locator would look for `.monaco-editor` inside the line.)
    const lineText = (await hint.evaluate((el) => el.closest('.view-line')?.textContent ?? '')).replace(/\s+/g, ' ');
    if (!/POLLERS/.test(lineText)) throw new Error(`"3 live" is not on the pollers' spawn line: ${lineText}`);
    ctx.log(`F: editor: ${lineText.trim()}`);
    await ctx.shot(page, 'F-lints');

    await clickEachTime(ctx, page, hint, frame);
    await pressInWorkbench(page, 'Shift+F5');
  },
};
