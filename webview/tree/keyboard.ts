// Keys on the focused tree: arrows walk the drawn tree (left = parent,
// right = first child, up/down = siblings), Enter opens details or unfolds,
// Space/+/- collapse and expand, * opens everything below, Home = root,
// F = fit, / = search, Z = focus on the selected node, Backspace = one step
// back up, Escape = nothing selected, the Menu key or Shift+F10 = the node's menu.
import type { Layout, Placed } from './layout';

export interface KeyActions {
  layout(): Layout | null;
  selected(): string | null;
  select(key: string): void;
  /** Collapse (false) / expand (true) / toggle (undefined) a node's children or a fold. */
  setOpen(key: string, open?: boolean): void;
  activate(key: string): void;
  /** A "more…" node: one page more. */
  showMore(key: string): void;
  /** Open the node and everything below it. */
  openAll(key: string): void;
  /** Nothing selected any more, and no tasks picked from the editor; false when there was neither. */
  deselect(): boolean;
  /** Show the node as the root of the view. */
  focus(key: string): void;
  /** One step back up from the focused node. */
  focusUp(): void;
  menu(key: string): void;
  fit(): void;
  focusSearch(): void;
}

function siblings(p: Placed, layout: Layout): Placed[] {
  return p.parent ? p.parent.children : layout.roots;
}

/** Returns true when the key was handled. */
export function handleTreeKey(e: KeyboardEvent, a: KeyActions): boolean {
  const layout = a.layout();
  if (!layout) return false;
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const key = a.selected();
  const cur = key !== null ? layout.byKey.get(key) : undefined;
  const start = (): boolean => {
    const root = layout.roots[0];
    if (root) a.select(root.node.key);
    return true;
  };
  switch (e.key) {
    case 'Home':
      return start();
    case 'f':
    case 'F':
      a.fit();
      return true;
    case '/':
      a.focusSearch();
      return true;
    case 'Backspace':
      a.focusUp();
      return true;
    case 'Escape': // as in VS Code's lists
      return a.deselect();
  }
  if (!cur) {
    return ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Enter', ' '].includes(e.key) ? start() : false;
  }
  const sib = siblings(cur, layout);
  const i = sib.indexOf(cur);
  switch (e.key) {
    case 'ArrowUp':
      if (i > 0) a.select(sib[i - 1].node.key);
      return true;
    case 'ArrowDown':
      if (i < sib.length - 1) a.select(sib[i + 1].node.key);
      return true;
    case 'ArrowLeft':
      if (cur.parent) a.select(cur.parent.node.key);
      return true;
    case 'ArrowRight':
      if (cur.children.length) {
        a.select(cur.children[0].node.key);
      } else if (cur.node.expandable) a.setOpen(cur.node.key, true);
      return true;
    case 'Enter':
      a.activate(cur.node.key);
      return true;
    case ' ':
      if (cur.node.kind === 'more') a.showMore(cur.node.key);
      else if (cur.node.expandable) a.setOpen(cur.node.key);
      return true;
    case '*':
      if (cur.node.expandable) a.openAll(cur.node.key);
      return true;
    case 'z':
    case 'Z':
      if (cur.node.kind !== 'more' && cur.node.kind !== 'retired') a.focus(cur.node.key);
      return true;
    case 'ContextMenu':
      a.menu(cur.node.key);
      return true;
    case 'F10':
      if (!e.shiftKey) return false;
      a.menu(cur.node.key);
      return true;
    case '-':
      if (cur.node.expandable) a.setOpen(cur.node.key, false);
      return true;
    case '+':
    case '=':
      if (cur.node.expandable) a.setOpen(cur.node.key, true);
      return true;
  }
  return false;
}
