// Building DOM for the HTML parts (toolbar, details, banners). Strings are
// always set as textContent: a task named `<img onerror=…>` stays text.
import type { TaskState } from '../contract/rows';
import { NURSERY_ICON, SHAPE } from './tree/shapes';
import { stateClass, stateIcon } from './tree/taskStates';

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

/** A small inline SVG icon from path data (our own constants, never program text). */
export function icon(d: string, cls: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '-8 -8 16 16');
  svg.setAttribute('class', `inline-icon ${cls}`);
  svg.setAttribute('aria-hidden', 'true');
  for (const part of d.split('|')) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', part);
    svg.append(p);
  }
  return svg;
}

/** A task in a state, as the tree draws it: the circle, the state's icon, the state's colours. */
export const taskStateIcon = (s: TaskState): SVGSVGElement =>
  icon(`${SHAPE.task}|${stateIcon(s)}`, `state-icon ${stateClass(s)}`);

export const nurseryIcon = (): SVGSVGElement => icon(`${SHAPE.nursery}|${NURSERY_ICON}`, 'nursery-icon');

export const foldIcon = (): SVGSVGElement => icon(SHAPE.fold, 'fold-icon');
