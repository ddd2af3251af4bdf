// The timeline strip's elements, made once: the bar on a grip, and below it
// the curve and axis (a slider for the time cursor) over the scrolling task
// rows and their tooltip; the badge shown above the tree at a past moment.
import { h, setAttr, setHidden, setText } from '../elements';
import { formatMoment } from './timeWords';

export interface StripElements {
  el: HTMLElement;
  grip: HTMLElement;
  body: HTMLElement;
  top: SVGSVGElement;
  rowsSvg: SVGSVGElement;
  lanes: HTMLElement;
  spacer: HTMLElement;
  tip: HTMLElement;
  badge: HTMLElement;
}

export function buildStrip(bar: HTMLElement): StripElements {
  const svg = (cls: string, label: string) => {
    const e = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    e.setAttribute('class', cls);
    e.setAttribute('aria-label', label);
    return e;
  };
  const top = svg('tl-top-svg', 'Live tasks over time; drag to move the time cursor');
  top.setAttribute('role', 'slider');
  top.setAttribute('tabindex', '0');
  top.setAttribute('aria-valuemin', '0');
  const rowsSvg = svg('tl-rows-svg', 'Task lifelines');
  const spacer = h('div', { class: 'tl-spacer' });
  const lanes = h('div', { class: 'tl-lanes', tabindex: '-1' }, rowsSvg as unknown as HTMLElement, spacer);
  const tip = h('div', { class: 'tl-tip', role: 'tooltip', hidden: true });
  const grip = h('div', {
    class: 'tl-grip',
    role: 'separator',
    'aria-orientation': 'horizontal',
    'aria-label': 'Resize the timeline',
    tabindex: '0',
  });
  const body = h('div', { class: 'tl-body' }, top as unknown as HTMLElement, lanes, tip);
  const el = h('section', { class: 'timeline', 'aria-label': 'Timeline' }, grip, bar, body);
  const badge = h('div', { class: 'past-badge', hidden: true });
  return { el, grip, body, top, rowsSvg, lanes, spacer, tip, badge };
}

/** The curve's slider says where the cursor is: `at` of `end` (run-relative ms), and in words. */
export function showCursor(top: SVGSVGElement, at: number, end: number, words: string): void {
  setAttr(top, 'aria-valuemax', String(Math.round(end)));
  setAttr(top, 'aria-valuenow', String(Math.round(at)));
  setAttr(top, 'aria-valuetext', words);
}

/** The badge over the tree at a past moment `at` (null: none); `live`: L goes back to now, not to the end. */
export function showPastBadge(badge: HTMLElement, at: number | null, live: boolean): void {
  setHidden(badge, at === null);
  setText(
    badge,
    at === null ? '' : `${formatMoment(at)} — the run as it was then · L: back to ${live ? 'now' : 'the end'}`,
  );
}
