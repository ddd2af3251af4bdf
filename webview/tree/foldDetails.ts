// The details of a fold (tasks of one kind: what the kind is, how many are in
// each state, the ones that raised, its pages) and of a "more…" node.
import type { Row, TaskRow, TaskState } from '../../contract/rows';
import { foldIcon, h, taskStateIcon } from '../elements';
import { memberCounts, type ViewNode } from './model';
import { kindSentence } from './taskKinds';
import { inStateOrder, stateWord } from './taskStates';

export interface FoldActions {
  toggle(key: string): void;
  showMore(key: string): void;
  select(id: number): void;
}

/** How many tasks are in each state, in display order. */
export function histogramList(counts: Partial<Record<TaskState, number>>): HTMLElement {
  const ul = h('ul', { class: 'histogram-list' });
  for (const [s, n] of inStateOrder(counts))
    ul.append(h('li', {}, taskStateIcon(s), ` ${n.toLocaleString('en-US')} ${stateWord(s)}`));
  return ul;
}

export function foldBody(node: ViewNode, rows: ReadonlyMap<number, Row>, a: FoldActions): HTMLElement[] {
  const members = node.members ?? [];
  const n = members.length.toLocaleString('en-US');
  const shown = node.children.filter((c) => c.kind === 'task').length;
  const more = node.children.find((c) => c.kind === 'more');
  const buttons = h('div', { class: 'buttons' });
  const button = (label: string, action: string, run: () => void): void => {
    const b = h('button', { class: 'button', type: 'button', 'data-action': action }, label);
    b.addEventListener('click', run);
    buttons.append(b);
  };
  if (!node.children.length) button(`Show ${Math.min(50, members.length)}`, 'toggle-fold', () => a.toggle(node.key));
  else {
    if (more) button(`Show ${more.more?.page ?? 50} more`, 'more', () => a.showMore(more.key));
    button('Fold back', 'toggle-fold', () => a.toggle(node.key));
  }
  const failing = failingMembers(node, rows);
  const raised = failing.length
    ? h(
        'ul',
        { class: 'victims' },
        ...failing.slice(0, 10).map((t) => {
          const b = h(
            'button',
            { class: 'link-button task-link', 'data-action': `select-${t.id}` },
            taskStateIcon(t.state),
            t.name,
          );
          b.addEventListener('click', () => a.select(t.id));
          return h('li', {}, b);
        }),
        failing.length > 10 ? h('li', { class: 'muted' }, `and ${failing.length - 10} more`) : null,
      )
    : null;
  return [
    h(
      'section',
      {
        class: 'details-body',
        'aria-label': 'Details of tasks of one kind',
        'data-raised': failing.map((t) => t.id).join(','),
      },
      h(
        'h2',
        { class: 'title' },
        foldIcon(),
        h('span', { class: 'title-text' }, node.name ?? ''),
        h('span', { class: 'muted' }, ` ×${n}`),
      ),
      h('p', { class: 'kind-sentence' }, kindSentence(members, rows)),
      h(
        'p',
        { class: 'muted' },
        'Tasks of one kind (same function, same spawn site) folded into one node; those that raised stand beside it.',
      ),
      histogramList(memberCounts(node, rows)),
      raised ? h('p', { class: 'muted' }, 'Raised (drawn beside the fold):') : null,
      raised,
      node.children.length ? h('p', { class: 'muted' }, `Showing ${shown.toLocaleString('en-US')} of ${n}.`) : null,
      buttons,
    ),
  ];
}

const failingMembers = (node: ViewNode, rows: ReadonlyMap<number, Row>): TaskRow[] =>
  (node.members ?? [])
    .map((id) => rows.get(id))
    .filter((r): r is TaskRow => r?.kind === 'task' && r.state === 'raised');

/**
 * Only the states of a fold's members moved: its counts are replaced in the
 * pane, not the pane (the rest keeps its layout, focus stays). False when the
 * pane does not show them, or a member raised (the pane lists those).
 */
export function refreshFoldCounts(pane: HTMLElement, node: ViewNode, rows: ReadonlyMap<number, Row>): boolean {
  const list = pane.querySelector('.histogram-list');
  const body = list?.closest('.details-body');
  if (
    !list ||
    !body ||
    body.getAttribute('data-raised') !==
      failingMembers(node, rows)
        .map((t) => t.id)
        .join(',')
  )
    return false;
  list.replaceWith(histogramList(memberCounts(node, rows)));
  return true;
}

export function moreBody(node: ViewNode, a: FoldActions): HTMLElement[] {
  const m = node.more!;
  const b = h(
    'button',
    { class: 'button', type: 'button', 'data-action': 'more' },
    `Show ${m.page.toLocaleString('en-US')} more`,
  );
  b.addEventListener('click', () => a.showMore(node.key));
  return [
    h(
      'section',
      { class: 'details-body', 'aria-label': 'Details of the rest of a list' },
      h('h2', { class: 'title' }, h('span', { class: 'title-text' }, `${m.left.toLocaleString('en-US')} more`)),
      h(
        'p',
        { class: 'muted' },
        'The rest of a long list, shown a page at a time. Failing and selected tasks are never hidden here.',
      ),
      b,
    ),
  ];
}
