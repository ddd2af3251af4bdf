// S: stepping through an asyncio program under the lens. A breakpoint on
// `return rows` in load() (examples/asyncio_taskgroup.py), F5, then Step
// Over past the end of the task: with justMyCode the debugger goes on to
// the program's next line, as it does without the lens, and never stops in
// the runtime's own frames (its selector wrapper, beat.py, runs between
// every two steps of the loop; debugpy took the runtime, which is not in
// site-packages, for the user's code). The paused task is marked meanwhile.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, pressInWorkbench, quickInput, runCommand, goToLine } from '../workbench.mjs';
import { prepareRoom, taskTreeFrame } from '../taskTree.mjs';
import { launchFirst, startDebugging } from './hettinger.mjs';

const LAUNCH = 'asyncio TaskGroup: a loose task and a failing child';
const PROGRAM = 'asyncio_taskgroup.py';
const STEPS = 5;

/** The 1-based line of `return rows` in load(): the end of a loader task. */
function returnInLoad(dir) {
  const lines = readFileSync(join(dir, PROGRAM), 'utf8').split('\n');
  const load = lines.findIndex((l) => l.startsWith('async def load('));
  const at = lines.findIndex((l, i) => i > load && l === '    return rows');
  if (load < 0 || at < 0) throw new Error(`${PROGRAM} has no 'return rows' in load()`);
  return at + 1;
}

/** The Call Stack's top frame as the view shows it (function, file, line), once the program is stopped. */
async function topFrame(page) {
  if (!(await page.locator('.debug-toolbar .codicon-debug-continue').first().isVisible())) return null;
  const text = await page
    .locator('.debug-call-stack .monaco-list-row .stack-frame')
    .first()
    .textContent({ timeout: 500 })
    .catch(() => null);
  return text ? text.replace(/\s+/g, ' ').trim() : null;
}

export default {
  id: 'S-asyncio-step',
  name: "S asyncio step: Step Over past a task's end goes on in the program, never into the runtime's frames",
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('asyncio-step', { prepare: launchFirst(LAUNCH) });
    state.page = page;
    await runCommand(page, 'Go to File...').catch(async () => {
      await pressInWorkbench(page, 'Control+P');
    });
    await quickInput(page, PROGRAM, PROGRAM);
    await page.locator('.tab', { hasText: PROGRAM }).first().waitFor({ state: 'visible', timeout: 15000 });
    await goToLine(page, returnInLoad(ws.dir));
    await runCommand(page, 'Debug: Toggle Breakpoint');
    await prepareRoom(page, runCommand);
    await startDebugging(page, pressInWorkbench);
    await runCommand(page, 'View: Show Run and Debug');
    let last = await eventually(async () => topFrame(page), { timeout: 40000, what: 'stopped at the breakpoint' });
    if (!/^load.*asyncio_taskgroup\.py/.test(last)) throw new Error(`stopped elsewhere than load(): ${last}`);
    const frame = await taskTreeFrame(page, { timeout: 20000 });
    await eventually(async () => (await frame.locator('g.node.paused').count()) === 1, {
      timeout: 15000,
      what: 'the loader at the breakpoint marked paused here',
    });
    await runCommand(page, 'Remove All Breakpoints');
    const stops = [last];
    for (let i = 1; i <= STEPS; i++) {
      await runCommand(page, 'Debug: Step Over');
      const before = last;
      last = await eventually(
        async () => {
          const top = await topFrame(page);
          return top && top !== before ? top : null;
        },
        { timeout: 15000, what: `stopped again after Step Over ${i} (${stops.join(' → ')})` },
      );
      stops.push(last);
      if (/nursery_lens|beat\.py|hooks\.py/.test(last) || !last.includes('.py'))
        throw new Error(`Step Over ${i} stopped in the runtime's frames: ${stops.join(' → ')}`);
    }
    ctx.log(`S: stops: ${stops.join(' → ')}`);
    await ctx.shot(page, 'S-asyncio-step');
    await runCommand(page, 'Debug: Stop');
  },
};
