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

/**
 * Text that may wrap after its punctuation: a name such as
 * `fetch(http://www.perl.org)` has no space, and wrapped anywhere it read
 * "www.perl.or g". Text nodes with a <wbr> after each run of '/', '.', '(',
 * ',', '?', '&' or '=' (copied text has no extra characters).
 */
export function breakable(text: string): Node[] {
  const out: Node[] = [];
  for (const part of text.split(/(?<=[/.(,?&=])(?=[^/.(,?&=])/)) {
    if (out.length) out.push(document.createElement('wbr'));
    out.push(document.createTextNode(part));
  }
  return out;
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

// Writes that skip unchanged values: a frame repaints a live tree many times a
// second, and each write, even of the same value, queues a mutation and style
// work for the browser. Reading an attribute or a text back forces no layout.

/** Sets `name` to `value` (null: removes it) when it differs. */
export function setAttr(el: Element, name: string, value: string | null): void {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Sets the element's text when it differs (always as text, never markup). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function setHidden(el: HTMLElement, hidden: boolean): void {
  if (el.hidden !== hidden) el.hidden = hidden;
}
