// What the shapes and icons mean, one click away from the toolbar.
import { foldIcon, h, icon, nurseryIcon, taskStateIcon } from './elements';
import { STACK_FRAME_ARROW } from './tree/debugLook';
import { FLAG_ORDER, flagBadge, GROUP_KINDS, groupWithLibrary } from './tree/kindWords';
import { SHAPE } from './tree/shapes';
import { MARK_SHAPES } from './tree/sitePalette';
import { STATE_ORDER, stateWord } from './tree/taskStates';

export function legend(): HTMLElement {
  const items = STATE_ORDER.map((s) => h('li', {}, taskStateIcon(s), stateWord(s)));
  items.push(
    h('li', {}, nurseryIcon(), GROUP_KINDS.map(groupWithLibrary).join(', ')),
    h(
      'li',
      {},
      h('span', { class: 'legend-dash loose', 'aria-hidden': 'true' }),
      'loose task: made by the task on its left, no task group owns it',
    ),
    h('li', {}, foldIcon(), 'tasks of one kind, folded (×N): same function, same spawn site'),
    h('li', {}, icon(SHAPE.more, 'more-icon'), 'the rest of a long list: click for the next page'),
    h('li', {}, icon(SHAPE.retired, 'retired-icon'), 'finished tasks, folded away'),
    h('li', {}, h('span', { class: 'legend-dash', 'aria-hidden': 'true' }), 'cancelled by a failing sibling'),
    h(
      'li',
      {},
      h('span', { class: 'legend-dash wait', 'aria-hidden': 'true' }),
      h('span', { class: 'legend-arrow', 'aria-hidden': 'true' }, '▶'),
      'waits for the task it points to (selected task; all with Wait-for edges)',
    ),
    h(
      'li',
      {},
      h('span', { class: 'legend-dash cause', 'aria-hidden': 'true' }),
      h('span', { class: 'legend-arrow cause', 'aria-hidden': 'true' }, '▶'),
      'its failure or cancel() cancelled what it points to (selected task; all with Wait-for edges)',
    ),
    h(
      'li',
      {},
      h('span', { class: 'legend-dash deadlock', 'aria-hidden': 'true' }),
      h('span', { class: 'legend-arrow deadlock', 'aria-hidden': 'true' }, '▶'),
      'deadlock: tasks waiting for each other (arrows); stuck tasks of a deadlock or hang are ringed',
    ),
    h(
      'li',
      {},
      icon(MARK_SHAPES[1], 'site-mark tint-1'),
      h('code', {}, 'fn:12'),
      ' waits there; one mark per await site',
    ),
    h(
      'li',
      {},
      icon(STACK_FRAME_ARROW, 'debug-mark paused'),
      h('span', {}, h('b', {}, 'paused here'), ': the debugger stopped in this task'),
    ),
    h(
      'li',
      {},
      icon(STACK_FRAME_ARROW, 'debug-mark stack-focus'),
      h('span', {}, h('b', {}, 'selected frame'), ': it owns the frame picked in the Call Stack'),
    ),
    h(
      'li',
      {},
      h(
        'span',
        {},
        h('b', { class: 'legend-flag' }, '⚠ blocked the loop 300 ms'),
        ': a lint, in the Problems panel at its line',
      ),
    ),
    h(
      'li',
      {},
      h('span', { class: 'legend-flag' }, FLAG_ORDER.map((f) => `⚠ ${flagBadge(f)}`).join(', ')),
      ' (asyncio)',
    ),
  );
  return h(
    'div',
    { class: 'legend', role: 'note', 'aria-label': 'Legend' },
    h('ul', {}, ...items),
    h('div', { class: 'legend-head', role: 'heading', 'aria-level': '3' }, 'Timeline'),
    h('ul', {}, ...timelineItems()),
  );
}

/** The timeline strip's marks (timeline.css draws them with the same state colours as the tree). */
function timelineItems(): HTMLElement[] {
  const swatch = (cls: string) => h('span', { class: `legend-swatch ${cls}`, 'aria-hidden': 'true' });
  return [
    h(
      'li',
      {},
      swatch('s-running'),
      swatch('s-scheduled'),
      swatch('s-waiting'),
      "a task's lane: running, scheduled, waiting over time; at its end, the mark of how it ended",
    ),
    h('li', {}, swatch('curve'), 'above the lanes: how many tasks were alive'),
    h('li', {}, swatch('drop'), 'events the program dropped there: the picture may miss something'),
    h('li', {}, swatch('coarse'), 'older history kept coarse: steps go from checkpoint to checkpoint'),
  ];
}
