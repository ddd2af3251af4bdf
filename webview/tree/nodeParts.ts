// The parts of a node's element in the tree (its background, shape, icon,
// site mark, label spans, a fold's state bar, the debugger's mark): made once
// per element, then written part by part, only where a value changed.
import type { Selection } from 'd3-selection';
import { setAttr, setText } from '../elements';
import { LABEL_X, MARKER_RADIUS } from './geometry';
import { HISTOGRAM_WIDTH, type Look } from './look';
import { stateClass } from './taskStates';

/** The parts of a node's element, filled in by renderNodes (which reads them back in this order). */
export function appendNodeParts<P>(
  g: Selection<SVGGElement, P, SVGGElement, unknown>,
): Selection<SVGGElement, P, SVGGElement, unknown> {
  g.append('rect')
    .attr('class', 'bg')
    .attr('rx', 3)
    .attr('y', -10)
    .attr('height', 20)
    .attr('x', -MARKER_RADIUS - 4);
  g.append('path').attr('class', 'shape');
  g.append('path').attr('class', 'icon');
  g.append('path').attr('class', 'site-mark').attr('aria-hidden', 'true');
  const text = g.append('text').attr('class', 'label').attr('x', LABEL_X).attr('dy', '0.35em');
  for (const part of ['name', 'extra', 'badge', 'more']) text.append('tspan').attr('class', part);
  g.append('g').attr('class', 'histogram');
  // Last, so it draws over the label's halo: the debugger's arrow before "paused here".
  g.append('path').attr('class', 'debug-mark').attr('aria-hidden', 'true');
  return g;
}

export function setPart(el: SVGTSpanElement, text: string, cls: string, dx: number): void {
  setText(el, text ? ` ${text}` : '');
  setAttr(el, 'class', cls);
  setAttr(el, 'dx', text ? String(Math.round(Math.max(0, dx) * 10) / 10) : null);
}

/** A fold's bar of state counts: one rect per state, rewritten only where a count moved it. */
export function drawHistogram(g: SVGGElement, look: Look): void {
  const data = look.histogram;
  if (!data) {
    if (g.firstChild) g.replaceChildren();
    return;
  }
  const total = data.reduce((a, [, c]) => a + c, 0) || 1;
  setAttr(g, 'transform', `translate(${LABEL_X + look.width - HISTOGRAM_WIDTH},-3)`);
  while (g.childElementCount > data.length) g.lastElementChild!.remove();
  while (g.childElementCount < data.length) {
    const bar = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    bar.setAttribute('height', '6');
    g.append(bar);
  }
  let x = 0;
  data.forEach(([state, count], i) => {
    const bar = g.children[i];
    const w = (count / total) * HISTOGRAM_WIDTH;
    setAttr(bar, 'class', `bar ${stateClass(state)}`);
    setAttr(bar, 'x', String(x));
    setAttr(bar, 'width', String(Math.max(1.5, w - 1)));
    x += w;
  });
}
