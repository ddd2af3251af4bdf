// T: a run's history (issue #16). A colleague's recording of a program whose
// child fails (test/fixtures/failing_child.ndjson) opens with "Open
// Recording…" at its first task, the timeline open; End shows it as it ended
// (the failure cancelled its siblings); dragging the time cursor back to
// before the failure shows those siblings alive and waiting, as they were.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerFileDialog, eventually, runCommand } from '../workbench.mjs';
import { enlargePanel, prepareRoom, recordingToEnd, taskTreeFrame, timelineMoment, treeNodes } from '../taskTree.mjs';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'failing_child.ndjson');
const SIBLINGS = ['download', 'parse feed', 'uploader', 'upload chunk 0'];

/** Drawn tasks: name → state. */
async function taskStates(frame) {
  const out = {};
  for (const n of await treeNodes(frame)) {
    const name = /^task (.+?), /.exec(n.aria)?.[1];
    if (n.kind === 'task' && name) out[name] = n.state;
  }
  return out;
}

/** Page coordinates of moment `ms` on the strip's axis, from its first and last ticks. */
async function axisPoint(frame, ms) {
  const box = await frame.locator('.tl-top-svg').boundingBox();
  const ticks = await frame.$$eval('g.tl-tick', (els) =>
    els.map((g) => [g.querySelector('text').textContent, g.getAttribute('transform')]),
  );
  const val = (s) => (s === '0' ? 0 : s.endsWith(' ms') ? parseFloat(s) : parseFloat(s) * 1000);
  const px = (tr) => Number(/translate\(([-\d.]+)/.exec(tr)[1]);
  const [a, b] = [ticks[0], ticks[ticks.length - 1]];
  const x = px(a[1]) + ((ms - val(a[0])) / (val(b[0]) - val(a[0]))) * (px(b[1]) - px(a[1]));
  return { x: box.x + x, y: box.y + 20 };
}

export default {
  id: 'T-time-travel',
  name: 'T time travel: Open Recording… starts at the first task; End shows the failure and its cancelled siblings; dragging the cursor back shows them alive',
  timeoutMs: 90000,
  async run(ctx, state) {
    const { page, ws } = await ctx.window('time-travel');
    state.page = page;
    await prepareRoom(page, runCommand);
    const file = join(ws.dir, 'failing_child.ndjson');
    // Recorded elsewhere: its program's source is this workspace's copy (Go to spawn site opens it below).
    const program = join(ws.dir, 'failing_child.py');
    writeFileSync(
      file,
      readFileSync(FIXTURE, 'utf8').replace(
        /"file":"[^"]*\/examples\/failing_child\.py"/g,
        `"file":${JSON.stringify(program)}`,
      ),
    );

    await runCommand(page, 'Nursery Lens: Open Recording…');
    await answerFileDialog(page, file);
    let frame = await taskTreeFrame(page, { timeout: 20000 });
    ctx.log(`panel width ${await enlargePanel(page, runCommand)} px`);
    frame = await taskTreeFrame(page);
    // The bar names the moment as soon as the cursor moves; the tree follows when the host has rebuilt that
    // moment (until then it still shows the run as it ended), so wait for the tree, not the bar.
    let last = {};
    const atFirst = await eventually(
      async () => {
        const t = (last = await taskStates(frame));
        const early = Object.keys(t).length > 0 && /^at /.test(await timelineMoment(frame));
        return early && !SIBLINGS.some((name) => name in t) && t;
      },
      { timeout: 20000, what: 'the recording drawn at its first moment, before its children were spawned' },
    ).catch((err) => {
      throw new Error(`${err.message}; the tree showed ${JSON.stringify(last)}`);
    });
    ctx.log(`T: opened ${(await timelineMoment(frame)).split('·')[0].trim()}: ${JSON.stringify(atFirst)}`);

    await recordingToEnd(frame);
    const atEnd = await eventually(
      async () => {
        const t = await taskStates(frame);
        return t['parse feed'] === 'raised' && t.download === 'cancelled' && t;
      },
      { timeout: 10000, what: "the end: 'parse feed' raised, 'download' cancelled" },
    );
    ctx.log(`T: at the end: ${JSON.stringify(atEnd)}`);

    // Drag the cursor back to 200 ms, before 'parse feed' raised.
    const p = await axisPoint(frame, 200);
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.move(p.x + 1, p.y);
    await page.mouse.move(p.x, p.y);
    await page.mouse.up();
    const before = await eventually(
      async () => {
        const t = await taskStates(frame);
        return (
          /^at (19\d|20\d)(\.\d+)? ms/.test(await timelineMoment(frame)) &&
          SIBLINGS.every((name) => t[name] === 'waiting') &&
          t
        );
      },
      { timeout: 10000, what: 'the siblings alive and waiting at 200 ms' },
    );
    ctx.log(`T: ${(await timelineMoment(frame)).split('·')[0].trim()}: ${JSON.stringify(before)}`);
    if (before['check config'] !== 'returned')
      throw new Error(`'check config' should have returned by 200 ms: ${JSON.stringify(before)}`);
    await page.mouse.move(700, 10);
    await ctx.shot(page, 'T-time-travel-before-failure');

    // Go to spawn site, from a recording's tree that is the window's only editor: the source opens
    // beside the tree, not over it.
    await frame.locator('g.node[aria-label^="task parse feed,"]').click({ button: 'right' });
    await frame.getByRole('menuitem', { name: 'Go to spawn site' }).click();
    await page
      .locator('.tab', { hasText: 'failing_child.py' })
      .first()
      .waitFor({ state: 'visible', timeout: 15000 })
      .catch(() => {
        throw new Error('Go to spawn site did not open failing_child.py');
      });
    const groups = await page.locator('.editor-group-container').count();
    await taskTreeFrame(page, { timeout: 5000 }).catch(() => {
      throw new Error(`the source covered the task tree (${groups} editor group(s))`);
    });
    if ((await treeNodes(frame)).length === 0) throw new Error('the task tree is not drawn beside the source');
    await ctx.shot(page, 'T-time-travel-source-beside');
  },
};
