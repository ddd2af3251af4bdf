// Writes one node's <g> in the tree: where it stands, its attributes and the
// parts of its label. A node whose signature (all that its element shows) is
// the last frame's is left alone; otherwise only the values that changed are
// written, so a state change rewrites a class, an icon and a label, not the node.
import { select } from 'd3-selection';
import 'd3-transition';
import { setAttr, setText } from '../elements';
import { LABEL_X, MARKER_RADIUS } from './geometry';
import type { Layout, Placed } from './layout';
import { extraMeasure, GAP, type Look, type Measures } from './look';
import { DEBUG_ICON_ROOM, STACK_FRAME_ARROW } from './debugLook';
import { MARK_ROOM } from './sitePalette';
import { drawHistogram, setPart } from './nodeParts';

/** What of a frame a node's element depends on beyond its look. */
export interface NodeFrame {
  layout: Layout;
  selected: string | null;
  related: ReadonlySet<string>;
  picked?: ReadonlySet<string>;
  animate: boolean;
  measures: Measures;
}

export interface NodeEl extends SVGGElement {
  __sig?: string;
  __pos?: string;
}

/** How long a node fades in or out, or glides to a new place (ms). */
export const DURATION = 220;

/** The id of a node's element (the tree's aria-activedescendant names it). */
export const nodeElementId = (key: string): string => `node-${key.replace(/[^\w-]/g, '_')}`;

/** Brings a node's element up to date with its place and look. */
export function writeNode(el: NodeEl, p: Placed, look: Look, f: NodeFrame): void {
  placeNode(el, p, f.animate);
  const classes = nodeClasses(p, look, f);
  const expanded = p.node.expandable ? String(p.node.children.length > 0) : '';
  const siblingCount = (p.parent ? p.parent.children : f.layout.roots).length;
  const sig = nodeSignature(p, look, classes, expanded, siblingCount);
  if (el.__sig === sig) return;
  el.__sig = sig;
  writeAttributes(el, p, look, { classes, expanded, siblingCount, selected: f.selected });
  const [bg, shape, icon, mark, text, histogram] = el.children as unknown as [
    SVGRectElement,
    SVGPathElement,
    SVGPathElement,
    SVGPathElement,
    SVGTextElement,
    SVGGElement,
  ];
  setAttr(bg, 'width', String(MARKER_RADIUS * 2 + 4 + 5 + look.width + 8));
  setAttr(shape, 'd', look.shape);
  setAttr(icon, 'd', look.icon);
  writeLabel(text, look, f.measures);
  writeSiteMark(mark, look);
  drawHistogram(histogram, look);
  writeDebugArrow(el.lastElementChild as SVGPathElement, look);
}

/** Moves the element to its place: gliding when animated and it stood elsewhere before. */
function placeNode(el: NodeEl, p: Placed, animate: boolean): void {
  const pos = `translate(${p.x},${p.y})`;
  if (el.__pos === pos) return;
  if (animate && el.__pos !== undefined) select(el).transition('move').duration(DURATION).attr('transform', pos);
  else {
    select(el).interrupt('move');
    el.setAttribute('transform', pos);
  }
  el.__pos = pos;
}

function nodeClasses(p: Placed, look: Look, f: NodeFrame): string {
  let classes = look.classes;
  if (p.node.key === f.selected) classes += ' selected';
  if (f.related.has(p.node.key)) classes += ' related';
  if (f.picked?.has(p.node.key)) classes += ' picked';
  return classes;
}

/** Everything the element shows, in one string: equal signatures, nothing to write. */
function nodeSignature(p: Placed, look: Look, classes: string, expanded: string, siblingCount: number): string {
  const hist = look.histogram ? look.histogram.map(([s, c]) => `${s}${c}`).join(',') : '';
  return [
    classes,
    p.parent?.node.key,
    p.depth,
    p.index,
    siblingCount,
    look.width,
    look.icon,
    look.name,
    look.extra,
    look.extraClass,
    look.badge,
    look.badgeClass,
    look.more,
    look.aria,
    expanded,
    hist,
    look.shape,
    look.mark?.index,
    look.debug?.kind,
    look.debugX,
  ].join('|');
}

function writeAttributes(
  el: NodeEl,
  p: Placed,
  look: Look,
  a: { classes: string; expanded: string; siblingCount: number; selected: string | null },
): void {
  setAttr(el, 'class', a.classes);
  setAttr(el, 'id', nodeElementId(p.node.key));
  setAttr(el, 'data-key', p.node.key);
  setAttr(el, 'data-kind', p.node.kind);
  setAttr(el, 'data-parent', p.parent ? p.parent.node.key : null);
  setAttr(el, 'aria-label', look.aria);
  setAttr(el, 'aria-level', String(p.depth + 1));
  setAttr(el, 'aria-setsize', String(a.siblingCount));
  setAttr(el, 'aria-posinset', String(p.index + 1));
  setAttr(el, 'aria-selected', String(p.node.key === a.selected));
  setAttr(el, 'aria-expanded', a.expanded || null);
}

/**
 * Program strings go in as text, never as markup. Each part keeps a leading
 * space (copied text reads right) and is shifted to sit GAP after the
 * previous one, leaving MARK_ROOM for the site mark.
 */
function writeLabel(text: SVGTextElement, look: Look, m: Measures): void {
  const [name, extra, badge, more] = text.children as unknown as SVGTSpanElement[];
  setText(name, look.name);
  const markW = look.mark ? MARK_ROOM : 0;
  setPart(extra, look.extra, `extra ${look.extraClass}`, GAP + markW - extraMeasure(m, look.extraClass).width(' '));
  setPart(badge, look.badge, `badge ${look.badgeClass}`, GAP + (look.debug ? DEBUG_ICON_ROOM : 0) - m.small.width(' '));
  setPart(more, look.more, 'more', GAP - m.smallBold.width(' '));
}

function writeSiteMark(mark: SVGPathElement, look: Look): void {
  if (look.mark && look.extra) {
    setAttr(mark, 'd', look.mark.shape);
    setAttr(mark, 'class', `site-mark tint-${look.mark.tint}`);
    setAttr(mark, 'transform', `translate(${LABEL_X + look.nameWidth + GAP + MARK_ROOM / 2 - 1},0)`);
  } else if (mark.getAttribute('d')) {
    mark.setAttribute('d', '');
    mark.setAttribute('class', 'site-mark');
  }
}

function writeDebugArrow(arrow: SVGPathElement, look: Look): void {
  if (look.debug) {
    setAttr(arrow, 'd', STACK_FRAME_ARROW);
    setAttr(arrow, 'class', `debug-mark ${look.debug.kind}`);
    setAttr(arrow, 'transform', `translate(${LABEL_X + look.debugX},0)`);
  } else if (arrow.getAttribute('d')) arrow.setAttribute('d', '');
}
