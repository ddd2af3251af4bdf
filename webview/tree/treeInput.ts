// Pointer and keyboard input on the tree: clicks select (on a marker they
// also collapse/expand; on a fold they unfold; on "more…" they show the next
// page), hover highlights and shows the card, double-click opens a site,
// right click opens the node's menu, keys go to keyboard.ts.
import type { Row, Site } from '../../contract/rows';
import { handleTreeKey, type KeyActions } from './keyboard';
import type { Placed } from './layout';
import type { ViewNode } from './model';
import type { Tooltip } from './tooltip';

export interface TreeInputActions {
  node(key: string): ViewNode | undefined;
  row(id: number): Row | undefined;
  rows(): ReadonlyMap<number, Row> | undefined;
  hover(key: string | null): void;
  select(key: string): void;
  setOpen(key: string): void;
  showMore(key: string): void;
  /** Selects the node and opens its menu at (clientX, clientY). */
  menuAt(key: string, clientX: number, clientY: number): void;
  openSite(site: Site): void;
  /** Zoomed out (no node elements): the dot under the pointer, if any. */
  pickDot(clientX: number, clientY: number): Placed | null;
  keys: KeyActions;
}

export function bindTreeInput(
  svg: SVGSVGElement,
  nodes: SVGGElement,
  search: HTMLInputElement,
  a: TreeInputActions,
  tooltip: Tooltip,
): void {
  const keyOf = (e: Event): string | null => (e.target as Element).closest<SVGGElement>('g.node')?.dataset.key ?? null;
  nodes.addEventListener('click', (e) => {
    const key = keyOf(e);
    if (key === null) return;
    const node = a.node(key);
    const onMarker = (e.target as Element).matches('.shape, .icon');
    if (node?.kind === 'more') {
      a.showMore(key);
      return;
    }
    if (node?.kind === 'fold' || (onMarker && node?.expandable)) a.setOpen(key);
    a.select(key);
    svg.focus({ preventScroll: true });
  });
  nodes.addEventListener('mouseover', (e) => {
    const key = keyOf(e);
    a.hover(key);
    tooltip.over(key);
  });
  // The card follows the pointer's own moves (no button down: not a drag), not a node that slid under a
  // still pointer (opening a fold brought worker-25 under the pointer that clicked it; its card covered the tree).
  nodes.addEventListener('pointermove', (e) => {
    if (e.buttons) return;
    const key = keyOf(e);
    const node = key !== null ? a.node(key) : undefined;
    const rows = a.rows();
    if (node && rows) tooltip.schedule(node, rows, e.clientX, e.clientY);
  });
  nodes.addEventListener('mouseleave', () => {
    a.hover(null);
    tooltip.over(null);
  });
  nodes.addEventListener('contextmenu', (e) => {
    const key = keyOf(e);
    if (key === null) return;
    e.preventDefault();
    tooltip.hide();
    a.menuAt(key, e.clientX, e.clientY);
  });
  svg.addEventListener('pointerdown', (e) => tooltip.pressed(keyOf(e)));
  svg.addEventListener('wheel', () => tooltip.hide(), { passive: true });
  // Double-click a task: open where it waits (or where it was spawned).
  nodes.addEventListener('dblclick', (e) => {
    const key = keyOf(e);
    const row = key !== null ? a.row(Number(key)) : undefined;
    const site = row?.kind === 'task' ? (row.awaitSite ?? row.site) : row?.kind === 'nursery' ? row.site : null;
    if (site) a.openSite(site);
  });
  svg.addEventListener('click', (e) => {
    if ((e.target as Element).closest('g.node')) return;
    const p = a.pickDot(e.clientX, e.clientY);
    if (p) a.select(p.node.key);
  });
  svg.addEventListener('keydown', (e) => {
    if (handleTreeKey(e, a.keys)) e.preventDefault();
  });
  document.addEventListener('keydown', (e) => {
    // `/` anywhere outside a text field jumps to search.
    if (
      e.key === '/' &&
      !(e.target instanceof HTMLInputElement) &&
      !(e.target instanceof HTMLSelectElement) &&
      e.target !== svg
    ) {
      e.preventDefault();
      search.focus();
    }
  });
}
