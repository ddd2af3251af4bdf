// The bar above a focused view: where the focused node sits in the run
// ("Whole run › main › nursery app.py:12 › worker ×2,000"; an asyncio run's
// groups read "TaskGroup app.py:12"), each step a way
// back up. Text only (textContent): the names come from the program.
import type { Row } from '../contract/rows';
import { h } from './elements';
import { displayName, shortSite } from './tree/labels';
import { groupWord } from './tree/kindWords';
import type { ViewNode } from './tree/model';

/** A node in a few words, as the breadcrumb names it. */
export function crumbWords(n: ViewNode, rows: ReadonlyMap<number, Row>): string {
  if (n.kind === 'fold') return `${n.name ?? ''} ×${(n.members?.length ?? 0).toLocaleString('en-US')}`;
  const r = rows.get(n.id);
  if (r?.kind === 'task') return displayName(r.name);
  // In the library's word: an asyncio TaskGroup read "nursery crawler.py:118".
  if (r?.kind === 'nursery') return `${r.start ? 'start()' : groupWord(r)}${r.site ? ` ${shortSite(r.site)}` : ''}`;
  if (r?.kind === 'retired') return `${r.count.toLocaleString('en-US')} finished`;
  return n.kind;
}

export class Breadcrumbs {
  readonly el = h('nav', { class: 'breadcrumbs', 'aria-label': 'Focused view', hidden: true });
  private sig = '';

  /** `go(key)`: focus that node; null: the whole run. */
  constructor(private readonly go: (key: string | null) => void) {}

  update(path: ViewNode[] | null, rows: ReadonlyMap<number, Row> | undefined): void {
    const words = path && rows ? path.map((n) => crumbWords(n, rows)) : [];
    const sig = path ? path.map((n, i) => `${n.key}=${words[i]}`).join('|') : '';
    if (sig === this.sig) return;
    this.sig = sig;
    this.el.hidden = !path;
    if (!path) {
      this.el.replaceChildren();
      return;
    }
    const button = (label: string, key: string | null, title: string): HTMLElement => {
      const b = h('button', { class: 'crumb link-button', type: 'button', title }, label);
      b.addEventListener('click', () => this.go(key));
      return b;
    };
    const list = h('ol', {}, h('li', {}, button('Whole run', null, 'Show the whole run again')));
    path.forEach((n, i) => {
      const last = i === path.length - 1;
      list.append(
        h(
          'li',
          {},
          h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'),
          last
            ? h('span', { class: 'crumb current', 'aria-current': 'location' }, words[i])
            : button(words[i], n.key, `Focus on ${words[i]} (Backspace goes one step up)`),
        ),
      );
    });
    this.el.replaceChildren(list);
  }
}
