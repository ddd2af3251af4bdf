// Reads the task tree webview the way a user (or a screen reader) sees it:
// the SVG nodes the webview draws, with their kind, state class, parent link
// and ARIA label (e.g. "task fetch(http://…), waiting, at trio_way.py:78").
import { findFrame } from './workbench.mjs';

export async function taskTreeFrame(page, { timeout = 30000 } = {}) {
  return findFrame(page, '#root', { timeout });
}

/** Every drawn node: { key, kind, parent, classes, aria, state }. */
export async function treeNodes(frame) {
  return frame.$$eval('g.node', (els) => els.map((el) => {
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
  }));
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
    if (kids.length > fetches.length) { nursery = candidate; fetches = kids; }
  }
  return { main, nursery, fetches };
}

/** Text of the whole webview page (empty state, details pane, status). */
export async function rootText(frame) {
  return frame.locator('#root').innerText();
}
