// A node's menu (right click, the Menu key or Shift+F10): focus on it, open
// everything below it, collapse or expand it, show more, go to its sites.
// Each item names its key, so the menu also teaches the keyboard.
import type { Row, Site } from '../contract/rows';
import { h } from './elements';
import type { ViewNode } from './tree/model';

export interface MenuItem {
  label: string;
  /** The key that does the same on the focused tree. */
  keys?: string;
  run(): void;
}

/** What a node's menu can do. */
export interface NodeActions {
  focus(key: string): void;
  focusOut(): void;
  openAll(key: string): void;
  setOpen(key: string, open: boolean): void;
  showMore(key: string): void;
  openSite(site: Site): void;
}

export function nodeMenuItems(node: ViewNode, row: Row | undefined, focused: boolean, a: NodeActions): MenuItem[] {
  const items: MenuItem[] = [];
  if (node.kind === 'more')
    items.push({
      label: node.more ? `Show ${node.more.page} more` : 'Show more',
      keys: 'Enter',
      run: () => a.showMore(node.key),
    });
  if (node.kind !== 'more' && node.kind !== 'retired')
    items.push({ label: 'Focus on this', keys: 'Z', run: () => a.focus(node.key) });
  if (focused) items.push({ label: 'Show the whole run', keys: 'Backspace', run: () => a.focusOut() });
  if (node.expandable && node.kind !== 'more') {
    const open = node.children.length > 0;
    items.push({
      label: node.kind === 'fold' ? (open ? 'Fold back' : 'Show members') : open ? 'Collapse' : 'Expand',
      keys: 'Space',
      run: () => a.setOpen(node.key, !open),
    });
    items.push({
      label: node.kind === 'fold' ? 'Show all members' : 'Expand everything below',
      keys: '*',
      run: () => a.openAll(node.key),
    });
  }
  const spawn = row?.kind === 'task' || row?.kind === 'nursery' ? row.site : null;
  if (spawn)
    items.push({
      label: row?.kind === 'nursery' ? 'Go to open site' : 'Go to spawn site',
      run: () => a.openSite(spawn),
    });
  const awaitSite = row?.kind === 'task' ? row.awaitSite : null;
  if (awaitSite) items.push({ label: 'Go to await site', run: () => a.openSite(awaitSite) });
  return items;
}

export class ContextMenu {
  readonly el = h('div', { class: 'context-menu', role: 'menu', hidden: true });
  private back: { focus(o?: FocusOptions): void } | null = null;

  constructor() {
    this.el.addEventListener('keydown', (e) => this.key(e));
    // A press anywhere else closes the menu (capture: before the tree handles it).
    document.addEventListener(
      'pointerdown',
      (e) => {
        if (!this.el.hidden && !this.el.contains(e.target as Node)) this.close(false);
      },
      true,
    );
    window.addEventListener('blur', () => this.close(false));
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** Opens at (x, y) in the coordinates of the menu's container; focus comes back to `back` when it closes. */
  open(items: MenuItem[], x: number, y: number, back: { focus(o?: FocusOptions): void }): void {
    if (!items.length) return;
    this.back = back;
    this.el.replaceChildren(
      ...items.map((it) => {
        const b = h(
          'button',
          { class: 'menu-item', role: 'menuitem', type: 'button', tabindex: '-1' },
          h('span', { class: 'label' }, it.label),
          it.keys ? h('kbd', {}, it.keys) : null,
        );
        b.addEventListener('click', () => {
          this.close(true);
          it.run();
        });
        return b;
      }),
    );
    this.el.hidden = false;
    const host = this.el.offsetParent?.getBoundingClientRect() ?? { width: innerWidth, height: innerHeight };
    // Inside the container, flipped left or up when it would leave it.
    const w = this.el.offsetWidth;
    const hgt = this.el.offsetHeight;
    this.el.style.left = `${Math.max(4, x + w + 4 > host.width ? x - w : x)}px`;
    this.el.style.top = `${Math.max(4, y + hgt + 4 > host.height ? y - hgt : y)}px`;
    this.item(0)?.focus();
  }

  close(returnFocus = true): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    if (returnFocus) this.back?.focus({ preventScroll: true });
    this.back = null;
  }

  private item(i: number): HTMLButtonElement | undefined {
    const all = [...this.el.querySelectorAll<HTMLButtonElement>('.menu-item')];
    return all[(i + all.length) % all.length];
  }

  private key(e: KeyboardEvent): void {
    const all = [...this.el.querySelectorAll<HTMLButtonElement>('.menu-item')];
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    const moves: Record<string, number | undefined> = {
      ArrowDown: i + 1,
      ArrowUp: i - 1,
      Home: 0,
      End: all.length - 1,
    };
    const to = moves[e.key];
    if (to !== undefined) this.item(to)?.focus();
    else if (e.key === 'Escape' || e.key === 'Tab') this.close(true);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }
}
