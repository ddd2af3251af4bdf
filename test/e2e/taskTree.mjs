// Reads the task tree webview the way a user (or a screen reader) sees it:
// the SVG nodes the webview draws, with their kind, state class, parent link
// and ARIA label (e.g. "task fetch(http://…), waiting, at trio_way.py:78").
import { eventually, findFrame, pressInWorkbench, quickInput, runCommand } from './workbench.mjs';

export async function taskTreeFrame(page, { timeout = 30000 } = {}) {
  return findFrame(page, '#root', { timeout });
}

/** Every drawn node: { key, kind, parent, classes, aria, state }. */
export async function treeNodes(frame) {
  return frame.$$eval('g.node', (els) =>
    els.map((el) => {
      const classes = (el.getAttribute('class') ?? '').split(/\s+/);
      const state = classes.find((c) => c.startsWith('s-'))?.slice(2) ?? null;
      return {
        key: el.getAttribute('data-key'),
        kind: el.getAttribute('data-kind'),
        parent: el.getAttribute('data-parent'),
        classes,
        aria: el.getAttribute('aria-label') ?? '',
        selected: el.getAttribute('aria-selected') === 'true',
        state,
      };
    }),
  );
}

/**
 * The Hettinger shape in a node list: the main task, the nursery it owns,
 * and the fetch tasks in that nursery. Missing parts come back null/empty.
 */
export function hettingerShape(nodes) {
  const main = nodes.find((n) => n.kind === 'task' && n.classes.includes('main')) ?? null;
  const nurseries = main ? nodes.filter((n) => n.kind === 'nursery' && n.parent === main.key) : [];
  let nursery = null;
  let fetches = [];
  for (const candidate of nurseries) {
    const kids = nodes.filter((n) => n.kind === 'task' && n.parent === candidate.key && /^task fetch\(/.test(n.aria));
    if (kids.length > fetches.length) {
      nursery = candidate;
      fetches = kids;
    }
  }
  return { main, nursery, fetches };
}

/** Text of the whole webview page (empty state, details pane, status). */
export async function rootText(frame) {
  return frame.locator('#root').innerText();
}

/**
 * Give the panel the whole window: activate its tab, maximize its editor
 * group, hide the bottom panel (terminal, debug console). The webview only
 * draws nodes inside its viewport (and dots below 45 % zoom), so a small tree
 * must fit on screen at a readable zoom to be read. Returns the webview's width.
 * Moving the webview reloads its iframe: find the frame again afterwards.
 */
export async function enlargePanel(page, runCommand) {
  // At a breakpoint the floating debug toolbar can swallow the click that
  // activates the panel's group, and a narrow panel draws folded groups
  // (×N) instead of every task: try again until the panel is wide.
  let width = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    width = await enlargeOnce(page, runCommand);
    if (width >= 1000) break;
    await page.keyboard.press('Escape').catch(() => undefined);
    await page.waitForTimeout(500);
  }
  return width;
}

const GROUP_ORDINALS = ['First', 'Second', 'Third', 'Fourth'];

/**
 * Makes the task tree's editor group the active one, as a click on its tab does (the tree in front, the last
 * thing clicked). By command first: its tab may sit under the floating debug toolbar, and the empty end of its
 * tab bar is not always empty. Whether it is active now.
 */
export async function activateTreeGroup(page, runCommand) {
  const groups = page.locator('.editor-group-container');
  const holdsTree = await groups.evaluateAll((gs) =>
    gs.map((g) => [...g.querySelectorAll('.tab')].some((t) => /task tree/i.test(t.textContent ?? ''))),
  );
  const index = holdsTree.indexOf(true);
  if (index < 0 || index >= GROUP_ORDINALS.length) return false;
  const treeGroupActive = () =>
    groups.evaluateAll(
      (gs, i) => gs[i]?.classList.contains('active') && !gs.some((g, j) => j !== i && g.classList.contains('active')),
      index,
    );
  await runCommand(page, `View: Focus ${GROUP_ORDINALS[index]} Editor Group`, { timeout: 5000 }).catch(() => undefined);
  if (!(await treeGroupActive())) {
    const tabs = groups.nth(index).locator('.tabs-container').first();
    const box = await tabs.boundingBox({ timeout: 5000 }).catch(() => null);
    if (box) await tabs.click({ force: true, position: { x: box.width - 8, y: box.height / 2 } });
  }
  return treeGroupActive();
}

/** Each editor group: its tabs' titles and the active one's. */
export async function editorGroups(page) {
  return page.locator('.editor-group-container').evaluateAll((gs) =>
    gs.map((g) => ({
      tabs: [...g.querySelectorAll('.tab')].map((t) => (t.textContent ?? '').trim()),
      front: (g.querySelector('.tab.active')?.textContent ?? '').trim(),
    })),
  );
}

async function enlargeOnce(page, runCommand) {
  const groups = page.locator('.editor-group-container');
  const holdsTree = await groups.evaluateAll((gs) =>
    gs.map((g) => [...g.querySelectorAll('.tab')].some((t) => /task tree/i.test(t.textContent ?? ''))),
  );
  // Maximizing exists only while there are several editor groups.
  if (holdsTree.length > 1 && (await activateTreeGroup(page, runCommand))) {
    await runCommand(page, 'View: Maximize Editor Group and Hide Side Bars', { timeout: 5000 }).catch(() => undefined);
  }
  if (
    await page
      .locator('.part.panel')
      .first()
      .isVisible()
      .catch(() => false)
  ) {
    await runCommand(page, 'View: Toggle Panel Visibility', { timeout: 5000 }).catch(() => undefined);
  }
  const webview = await page
    .locator('.webview.ready')
    .first()
    .boundingBox({ timeout: 3000 })
    .catch(() => null);
  return webview?.width ?? 0;
}

export async function prepareRoom(page, runCommand) {
  await runCommand(page, 'View: Close Primary Side Bar').catch(() => undefined);
}

let lastFit = 0;
/** Press the panel's Fit button (at most once per `everyMs`). */
export async function fitTree(frame, everyMs = 0) {
  if (Date.now() - lastFit < everyMs) return;
  lastFit = Date.now();
  await frame
    .locator('button', { hasText: /^Fit$/ })
    .first()
    .click({ timeout: 2000 })
    .catch(() => undefined);
}

/** The timeline bar's moment, e.g. "at 0.22 ms of 303 ms · …" (a recording) , "now …" (live) or "at the end, …" (a run that is over, at its end). */
export async function timelineMoment(frame) {
  return (await frame.locator('.tl-time').textContent()) ?? '';
}

/**
 * A recording opens at its first task with the timeline open (nurseryLens.recordingsOpenAt "start"):
 * wait for that, then press End on the strip, as a user would, and wait until the moment shown is its end.
 * Returns the moment's text at the start.
 */
export async function recordingToEnd(frame) {
  const first = await eventually(
    async () => {
      const t = await timelineMoment(frame);
      return /^at \S+ \S*s of /.test(t) && t;
    },
    { timeout: 20000, what: 'the recording opened at its first task (the timeline says "at … of …")' },
  );
  await frame.locator('.tl-top-svg').press('End');
  // End goes to the run as it is: a recording's end ("at the end, 303 ms"), no past moment left on screen.
  await eventually(async () => /^at the end, /.test(await timelineMoment(frame)), {
    timeout: 10000,
    what: 'the timeline at the end of the recording after End ("at the end, …")',
  });
  return first;
}

/**
 * F5 with no editor open: the program's source (`source`, a tab title; null
 * for a launch with no source file of its own, by `module`) opens on the left
 * and the panel beside it, else the panel opens beside an empty group. A file
 * opened then (`other`, as the debugger opens one at a breakpoint or an
 * exception) goes to the left group, and the tree stays in sight.
 */
export async function treeBesideItsSource(page, source, other) {
  const groups = page.locator('.editor-group-container');
  const holding = (name) => groups.filter({ has: page.locator('.tab', { hasText: name }) });
  await page
    .locator('.tab', { hasText: /task tree/i })
    .first()
    .waitFor({ state: 'visible', timeout: 30000 });
  if (source) {
    await page.locator('.tab', { hasText: source }).first().waitFor({ state: 'visible', timeout: 15000 });
    if ((await holding(/task tree/i).count()) !== 1 || (await holding(source).count()) !== 1)
      throw new Error(`${source} and the task tree are not in two editor groups`);
    if (
      (await holding(/task tree/i)
        .locator('.tab', { hasText: source })
        .count()) > 0
    )
      throw new Error(`${source} opened in the task tree's group`);
  } else {
    const count = await groups.count();
    const first = await groups.first().locator('.tab').count();
    if (count !== 2 || first !== 0)
      throw new Error(`expected the tree beside one empty group: ${count} groups, ${first} tabs in the first`);
  }
  await runCommand(page, 'Go to File...').catch(async () => pressInWorkbench(page, 'Control+P'));
  await quickInput(page, other, other);
  await page.locator('.tab', { hasText: other }).first().waitFor({ state: 'visible', timeout: 15000 });
  if (
    (await holding(/task tree/i)
      .locator('.tab', { hasText: other })
      .count()) > 0
  )
    throw new Error('a file opened during the session covered the task tree');
  if (!(await page.locator('.webview.ready').first().isVisible())) throw new Error('the task tree is hidden');
}
