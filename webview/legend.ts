// What the shapes and icons mean, one click away from the toolbar.
import type { TaskState } from '../contract/rows';
import { h, icon } from './elements';
import { STATE_WORD } from './tree/labels';
import { NURSERY_ICON, SHAPE, STATE_ICON } from './tree/shapes';
import { MARK_SHAPES } from './tree/sitePalette';

const STATES: TaskState[] = ['running', 'scheduled', 'waiting', 'returned', 'raised', 'cancelled', 'lost'];

export function legend(): HTMLElement {
  const items = STATES.map((s) => h('li', {}, icon(`${SHAPE.task}|${STATE_ICON[s]}`, `state-icon s-${s}`), STATE_WORD[s]));
  items.push(
    h('li', {}, icon(`${SHAPE.nursery}|${NURSERY_ICON}`, 'nursery-icon'), 'nursery'),
    h('li', {}, icon(SHAPE.fold, 'fold-icon'), 'same-named tasks, folded (×N)'),
    h('li', {}, icon(SHAPE.retired, 'retired-icon'), 'finished tasks, folded away'),
    h('li', {}, h('span', { class: 'legend-dash', 'aria-hidden': 'true' }), 'cancelled by a failing sibling'),
    h('li', {}, icon(MARK_SHAPES[1], 'site-mark tint-1'), h('code', {}, 'fn:12'), ' waits there; one mark per await site'),
  );
  return h('div', { class: 'legend', role: 'note', 'aria-label': 'Legend' }, h('ul', {}, ...items));
}
