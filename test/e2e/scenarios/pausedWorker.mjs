// E: fifty workers, a source breakpoint (set in the editor) that only
// worker-37 reaches. When it hits, the panel marks exactly that worker
// "paused here" and selects it, and the Tasks view in Run and Debug shows it
// marked and selected too. Continuing clears the mark. A second stop, with
// the task tree in front, in a file no editor shows: the debugger opens it in
// another group, and the tree stays in sight (the file covered it). A third,
// in that file open behind the tree: it moves to the other group.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../codeServer.mjs';
import { eventually, pressInWorkbench, quickInput, runCommand, goToLine } from '../workbench.mjs';
import { activateTreeGroup, editorGroups, taskTreeFrame, treeNodes } from '../taskTree.mjs';
import { startDebugging } from './hettinger.mjs';

const PROGRAM = 'paused_worker.py';
const HELPER = 'paused_helper.py';
const LAUNCH = 'Fifty workers, one at a breakpoint';
const TARGET = 'worker-37';

/** The program in the workspace, and its launch configuration first (the one F5 starts). */
function prepare(ws) {
  for (const file of [PROGRAM, HELPER])
    copyFileSync(join(repoRoot, 'test', 'e2e', 'programs', file), join(ws.dir, file));
  const template = ws.launch.configurations.find((c) => c.type === 'debugpy');
  const config = { ...template, name: LAUNCH, program: `\${workspaceFolder}/${PROGRAM}`, args: [] };
  ws.launch.configurations.unshift(config);
  writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
}

/** The Tasks view's rows as the workbench draws them: label, description, ARIA label, selected. */
async function tasksViewRows(page) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header h3.title', { hasText: /^Tasks$/ }) }).first();
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane.locator('.monaco-list-row').evaluateAll((els) =>
    els.map((el) => ({
      label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
      aria: el.getAttribute('aria-label') ?? '',
      selected: el.getAttribute('aria-selected') === 'true' || el.classList.contains('selected'),
    })),
  );
}

/**
 * Continue with the task tree in front (the last thing clicked): the mark goes. Then the program's second
 * stop, in a file no editor shows, and its third, in that file put behind the tree: the file never covers it.
 */
async function laterStops(ctx, page, ws, frame) {
  // Continue with the task tree in front (the last thing clicked): the mark goes.
  await runCommand(page, 'Remove All Breakpoints');
  if (!(await activateTreeGroup(page, runCommand))) throw new Error("could not make the task tree's group active");
  await pressInWorkbench(page, 'F5');
  await eventually(async () => (await treeNodes(frame)).every((n) => !n.classes.includes('paused')), {
    timeout: 15000,
    what: 'the paused mark to go after Continue',
  });
  await eventually(async () => (await tasksViewRows(page)).every((x) => !/paused here/.test(x.description)), {
    timeout: 15000,
    what: 'the Tasks view mark to go after Continue',
  });

  // Its second stop, a `breakpoint()` in a file no editor shows: the debugger opens it in the group that
  // holds the source, and the tree stays in front of its own (it opened over the tree, in the active group).
  const groups = await eventually(
    async () => {
      const g = await editorGroups(page);
      return g.some((x) => x.front === HELPER) && g;
    },
    { timeout: 20000, what: `${HELPER} opened by the second stop` },
  );
  ctx.log(`E: second stop: ${groups.map((g) => `[${g.tabs.join(', ')}; front: ${g.front}]`).join(' ')}`);
  const treeGroup = groups.find((g) => g.tabs.some((t) => /task tree/i.test(t)));
  if (!treeGroup || !/task tree/i.test(treeGroup.front))
    throw new Error(`the task tree is not in front of its group: ${JSON.stringify(groups)}`);
  if (treeGroup.tabs.includes(HELPER)) throw new Error(`${HELPER} opened in the task tree's group`);
  frame = await taskTreeFrame(page, { timeout: 10000 });
  await eventually(
    async () =>
      (await treeNodes(frame)).some((n) => n.classes.includes('paused') && n.aria.startsWith(`task ${TARGET},`)),
    { timeout: 15000, what: `${TARGET} marked paused again, in the tree in sight` },
  );
  await page.mouse.move(700, 10);
  await ctx.shot(page, 'E-second-stop');

  // The third stop, in the same file, now open behind the tree in the tree's own group: VS Code reveals an
  // open editor where it is, over the tree. The file goes to the other group, at its line; the tree comes back.
  // (the second stop left it in front of the first group: moved into the tree's, then the tree's tab in front)
  await runCommand(page, 'View: Focus First Editor Group');
  await runCommand(page, 'View: Move Editor into Next Group');
  await runCommand(page, 'View: Open Previous Editor in Group');
  const before = await editorGroups(page);
  const treeFirst = before.find((g) => g.tabs.some((t) => /task tree/i.test(t)));
  if (!treeFirst?.tabs.includes(HELPER) || !/task tree/i.test(treeFirst.front))
    throw new Error(`could not put ${HELPER} behind the task tree: ${JSON.stringify(before)}`);
  await pressInWorkbench(page, 'F5');
  const third = await eventually(
    async () => {
      const g = await editorGroups(page);
      const tree = g.find((x) => x.tabs.some((t) => /task tree/i.test(t)));
      const source = g.find((x) => x !== tree && x.front === HELPER);
      return tree && source && /task tree/i.test(tree.front) && !tree.tabs.includes(HELPER) && g;
    },
    { timeout: 20000, what: `${HELPER} moved off the tree's group by the third stop, the tree in front` },
  ).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify(await editorGroups(page))}`);
  });
  ctx.log(`E: third stop: ${third.map((g) => `[${g.tabs.join(', ')}; front: ${g.front}]`).join(' ')}`);
  // …at the stopped line (the cursor there, in the editor that has the focus): the line after `breakpoint()`
  const stopLine =
    readFileSync(join(ws.dir, HELPER), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('went on from its third stop')) + 1;
  await page
    .locator('.statusbar')
    .getByText(new RegExp(`^Ln ${stopLine}, Col \\d+`))
    .waitFor({ timeout: 5000 })
    .catch(() => {
      throw new Error(`${HELPER} moved, but the cursor is not at its third stop's line ${stopLine}`);
    });
  await page.mouse.move(700, 10);
  await ctx.shot(page, 'E-third-stop');
}

export default {
  id: 'E-paused-worker',
  name: 'E paused worker: a breakpoint in one of fifty workers marks and selects exactly that worker, in the panel and the Tasks view',
  timeoutMs: 120000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('paused-worker', { prepare });
    state.page = page;
    const line =
      readFileSync(join(ws.dir, PROGRAM), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('# the breakpoint line')) + 1;

    await runCommand(page, 'Go to File...').catch(async () => pressInWorkbench(page, 'Control+P'));
    await quickInput(page, PROGRAM, PROGRAM);
    await page.locator('.tab', { hasText: PROGRAM }).first().waitFor({ state: 'visible', timeout: 15000 });
    await goToLine(page, line);
    await runCommand(page, 'Debug: Toggle Breakpoint');
    await page
      .locator('.monaco-editor .codicon-debug-breakpoint, .monaco-editor .codicon-debug-breakpoint-unverified')
      .first()
      .waitFor({ state: 'attached', timeout: 10000 });

    await startDebugging(page, pressInWorkbench);
    await page.locator('.debug-toolbar .codicon-debug-continue').first().waitFor({ state: 'visible', timeout: 40000 });
    ctx.log(`E: stopped at ${PROGRAM}:${line}`);

    // The panel: one task marked, the target, selected and drawn.
    let frame = await taskTreeFrame(page, { timeout: 20000 });
    const marked = await eventually(
      async () => {
        const nodes = await treeNodes(frame).catch(async (e) => {
          if (/detached|closed|destroyed/i.test(String(e.message))) frame = await taskTreeFrame(page);
          throw e;
        });
        const paused = nodes.filter((n) => n.classes.includes('paused'));
        return paused.length > 0 && { nodes, paused };
      },
      { timeout: 20000, what: 'a task marked paused in the panel' },
    );
    const workers = marked.nodes.filter((n) => /^task worker-\d+,/.test(n.aria));
    ctx.log(`E: panel: ${marked.paused.map((n) => n.aria).join(' | ')} (${workers.length} workers drawn)`);
    if (marked.paused.length !== 1)
      throw new Error(`${marked.paused.length} tasks marked paused: ${marked.paused.map((n) => n.aria).join(' | ')}`);
    const [paused] = marked.paused;
    if (!paused.aria.startsWith(`task ${TARGET},`))
      throw new Error(`the task marked paused is not ${TARGET}: ${paused.aria}`);
    if (!/paused here/.test(paused.aria)) throw new Error(`the paused task does not say so: ${paused.aria}`);
    if (!paused.selected) throw new Error(`${TARGET} is marked but not selected`);
    const selected = marked.nodes.filter((n) => n.selected);
    if (selected.length !== 1) throw new Error(`${selected.length} nodes selected in the panel`);
    // Its details: why it is marked, and its await chain down to the breakpoint's line (the runtime's stack of the task).
    const details = await eventually(
      async () => {
        const text = await frame.locator('aside.details').innerText();
        return (
          text.includes(TARGET) &&
          /Paused here/.test(text) &&
          new RegExp(`Await chain[\\s\\S]*worker:${line}`).test(text) &&
          text
        );
      },
      { timeout: 10000, what: `${TARGET}'s details with "Paused here" and its await chain down to worker:${line}` },
    );
    ctx.log(`E: details: ${details.replace(/\s+/g, ' ').slice(0, 240)}`);

    // The Tasks view in Run and Debug: the same worker, marked and selected.
    await runCommand(page, 'View: Show Run and Debug');
    const rows = await eventually(
      async () => {
        const r = await tasksViewRows(page);
        return r.some((x) => x.label === TARGET && x.selected) && r;
      },
      { timeout: 15000, what: `${TARGET} selected in the Tasks view` },
    );
    const row = rows.find((x) => x.label === TARGET);
    ctx.log(`E: Tasks view: ${rows.length} rows drawn; ${row.label} — ${row.description}`);
    if (!/paused here/.test(row.description))
      throw new Error(`the Tasks view does not mark ${TARGET}: ${row.description}`);
    const others = rows.filter((x) => x.label !== TARGET && /paused here/.test(x.description));
    if (others.length)
      throw new Error(`other rows marked paused in the Tasks view: ${others.map((x) => x.label).join(', ')}`);
    // For the picture: the other Run and Debug sections folded so the Tasks view has room, no hover card.
    for (const title of ['Variables', 'Watch', 'Breakpoints']) {
      const header = page
        .locator('.pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`) }) })
        .first();
      if ((await header.getAttribute('aria-expanded').catch(() => null)) === 'true') await header.click();
    }
    await page.mouse.move(700, 10);
    await ctx.shot(page, 'E-paused-worker');

    // The selection follows both ways: a worker picked in the panel is selected in the Tasks view…
    frame = await taskTreeFrame(page);
    // The other 49 workers are one fold of their kind (the paused one stands beside it): opened, a page of 50 shows them.
    await frame.locator('g.node.fold').first().click();
    // Far down the open page, worker-36 is below the tree area (Playwright cannot scroll an SVG viewport):
    // find it as a user would, by name, then clear the filter.
    const search = frame.getByRole('searchbox', { name: 'Filter tasks by name' });
    await search.fill('worker-36');
    await frame.locator('g.node[aria-label^="task worker-36,"]').click();
    await search.fill('');
    await eventually(async () => (await tasksViewRows(page)).some((x) => x.label === 'worker-36' && x.selected), {
      timeout: 10000,
      what: 'worker-36 (picked in the panel) selected in the Tasks view',
    });
    const chain = await eventually(
      async () => {
        const text = await frame.locator('aside.details').innerText();
        return /Await chain[\s\S]*library frames/.test(text) && text;
      },
      { timeout: 10000, what: "worker-36's await chain, its Trio frames folded" },
    );
    ctx.log(`E: a waiting worker's details: ${chain.replace(/\s+/g, ' ').slice(0, 240)}`);
    // …and one picked in the Tasks view is selected in the panel.
    const pane = page.locator('.pane', { has: page.locator('.pane-header h3.title', { hasText: /^Tasks$/ }) }).first();
    await pane.locator('.monaco-list-row', { hasText: 'worker-35' }).first().click();
    await eventually(
      async () => (await treeNodes(frame)).some((n) => n.selected && n.aria.startsWith('task worker-35,')),
      { timeout: 10000, what: 'worker-35 (picked in the Tasks view) selected in the panel' },
    );
    await page.mouse.move(700, 10);
    await ctx.shot(page, 'E-selection-both-ways');

    await laterStops(ctx, page, ws, frame);
    await runCommand(page, 'Debug: Stop');
  },
};
