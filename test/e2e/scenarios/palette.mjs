// A: a user opens the panel from the command palette before running anything,
// then runs a program that starts no event loop with the task tree (picked
// from the workspace's Python files, no file open): VS Code says why there is
// no tree (the panel had nothing to say). F5 on one that
// fails before its loop says so with the exit code the debugger reported.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, pressInWorkbench, quickInput, runCommand } from '../workbench.mjs';
import { rootText, taskTreeFrame } from '../taskTree.mjs';

// What the empty panel says: it must tell the user how to get a tree.
const EMPTY_STATE = /no (trio )?runs? yet|start a (python )?debug session|run python file with task tree/i;

export default {
  id: 'A-palette',
  name: 'A palette: "Nursery Lens: Show Task Tree" opens the panel with its empty state; Run File on a program with no event loop says so',
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page } = await ctx.window('palette', {
      prepare: (ws) => {
        writeFileSync(
          join(ws.dir, 'no_loop.py'),
          'import threading\n\nt = threading.Thread(target=print, args=("no event loop here",))\nt.start()\nt.join()\n',
        );
        // os._exit: an exception would stop at the debugger's uncaught-exception breakpoint first.
        writeFileSync(
          join(ws.dir, 'no_config.py'),
          'import os\n\nprint("no configuration file: giving up")\nos._exit(3)\n',
        );
        // F5 starts the first configuration of a fresh workspace.
        const first = ws.launch.configurations[0];
        ws.launch.configurations.unshift({ ...first, name: 'No config', program: '${workspaceFolder}/no_config.py' });
        writeFileSync(join(ws.dir, '.vscode', 'launch.json'), JSON.stringify(ws.launch, null, 2));
      },
    });
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

    // Nothing open (the tree closed too): the palette still has the command, and it offers the workspace's
    // Python files (it was missing from the palette, and with the tree in front only said "Open a Python file").
    await runCommand(page, 'View: Close All Editors');
    await page
      .locator('.tab', { hasText: /task tree/i })
      .first()
      .waitFor({ state: 'hidden', timeout: 10000 });
    await runCommand(page, 'Nursery Lens: Run Python File with Task Tree');
    // Programs first: the modules they import (the Hettinger example's sites.py…) and the tests come after.
    const first = await eventually(
      async () => {
        const labels = await page.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
        return labels.length >= 8 ? labels.slice(0, 8).map((l) => l.trim()) : null;
      },
      { what: 'the picker listing the workspace' },
    );
    const notPrograms = first.filter((l) => /^(sites|in_flight|http_body|conftest)\.py$|^test_/.test(l));
    if (notPrograms.length || !first.includes('asyncio_deadlock.py'))
      throw new Error(`the picker's first rows are not the programs: ${first.join(' | ')}`);
    ctx.log(`A: Run File's picker starts with programs: ${first.join(', ')}`);
    await ctx.shot(page, 'A-run-file-picker');
    await quickInput(page, 'no_loop', 'no_loop.py');
    // Said in the panel, where the tree would be (VS Code's notification may be shown or not).
    const words =
      /no_loop\.py ended before starting a Trio, asyncio or AnyIO event loop: there is no task tree to show/;
    let notice = (await taskTreeFrame(page)).locator('.banner.host-notice');
    await notice.getByText(words).waitFor({ state: 'visible', timeout: 40000 });
    ctx.log(
      'A: Run File with no file open: picked no_loop.py from the workspace; it started no event loop, VS Code says so',
    );
    await ctx.shot(page, 'A-no-loop');

    await runCommand(page, 'Go to File...');
    await quickInput(page, 'no_loop.py', 'no_loop.py');
    await page.locator('.tab', { hasText: 'no_loop.py' }).first().waitFor({ state: 'visible', timeout: 15000 });
    await runCommand(page, 'Nursery Lens: Run Python File with Task Tree');
    notice = (await taskTreeFrame(page)).locator('.banner.host-notice'); // the panel may have moved beside the file
    await notice.getByText(words).waitFor({ state: 'visible', timeout: 40000 });

    // F5: the debugger's `exited` event gives the exit code.
    await pressInWorkbench(page, 'F5');
    await notice
      .getByText(/no_config\.py exited with code 3 before starting a Trio, asyncio or AnyIO event loop/)
      .waitFor({ state: 'visible', timeout: 45000 });
    ctx.log('A: F5 on a program that fails before its event loop: the panel gives its exit code');

    // Run File again: the file runs in its terminal again (idle now), not in one more terminal.
    await runCommand(page, 'Nursery Lens: Run Python File with Task Tree');
    await notice.getByText(words).waitFor({ state: 'visible', timeout: 40000 });
    await runCommand(page, 'Terminal: Focus Terminal');
    const named = page.locator('.part.panel').getByText(/Task Tree: no_loop\.py/);
    await named.first().waitFor({ state: 'visible', timeout: 10000 });
    await ctx.shot(page, 'A-run-again');
    const count = await named.count();
    if (count !== 1) throw new Error(`Run File again opened another terminal: ${count} named "Task Tree: no_loop.py"`);
    ctx.log('A: Run File again ran in the same terminal');

    // With the task tree in front (no text editor active), the command still runs the Python file in sight.
    await page
      .locator('.tab', { hasText: /task tree/i })
      .first()
      .click();
    await runCommand(page, 'Nursery Lens: Run Python File with Task Tree');
    await notice.waitFor({ state: 'hidden', timeout: 10000 }); // the new run's launch clears the old news
    await notice.getByText(words).waitFor({ state: 'visible', timeout: 40000 });
    ctx.log('A: Run File from the palette with the task tree in front ran no_loop.py');
  },
};
