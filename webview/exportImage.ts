// The view as a picture (Export Tree as SVG…/PNG…): the whole tree as the
// panel lays it out now (its collapsed nodes, folds, filters and theme),
// not only the part in the viewport. It is drawn by the panel's own renderer
// into an offscreen <svg>, then every colour and font the theme's CSS gives
// it is written onto the elements (CSS variables resolved), so the file
// looks the same anywhere. Program strings stay text nodes (XMLSerializer
// escapes them); only the elements the renderer makes are kept. The host's
// export request is answered here too (answerExport).
import type { ImageFormat, WebviewMessage } from '../contract/messages';
import type { Row, RunInfo } from '../contract/rows';
import { cancelLinks } from './tree/cancelLinks';
import { DIRTY } from './tree/frameScheduler';
import type { Layout } from './tree/layout';
import type { Measures } from './tree/look';
import type { RunMirror } from './tree/mirror';
import type { Model } from './tree/model';
import { TreeRenderer } from './tree/render';
import type { ShownTree } from './tree/shownTree';
import type { SitePalette } from './tree/sitePalette';
import { waitPicture } from './tree/waitEdges';
import { arrowId, KINDS, WaitLayer } from './tree/waitLayer';
import type { Choices } from './viewState';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Room around the tree, in px. */
const PAD = 16;
/** The caption's line above the tree, in px. */
const CAPTION_HEIGHT = 20;
/** Presentation attributes the stylesheet sets on the tree's elements (all inherited in SVG, but opacity). */
const INHERITED = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'paint-order',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'visibility',
];
/** What the renderer and the wait layer draw: nothing else goes into the file (no script, no foreignObject). */
const ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'text', 'tspan', 'title', 'defs', 'marker']);
/** The ids kept: the wait layer's arrowheads (fixed names, never a program's string), which its edges point to. */
const KEPT_IDS = new Set(KINDS.map(arrowId));
/** Attributes that only mean something in the panel. */
const DROPPED_ATTRIBUTES = /^(id|role|tabindex|aria-.*|on.*)$/i;
/** A PNG's longest side and its pixels at most (Chromium's canvas limits, and the memory of encoding it). */
const MAX_SIDE = 16_384;
const MAX_PIXELS = 40_000_000;

export interface PictureInput {
  layout: Layout;
  model: Model;
  rows: ReadonlyMap<number, Row>;
  info: RunInfo;
  victims: ReadonlyMap<number, number[]>;
  measures: Measures;
  palette: SitePalette;
  /** Every wait-for edge (the toolbar's Wait-for edges), not only a deadlock's. */
  showWaits: boolean;
  /** The words above the tree: the run and the moment shown (a picture of a past moment said nothing of it). */
  caption: string;
}

export interface Picture {
  svg: string;
  width: number;
  height: number;
}

/** The whole laid-out tree as a self-contained SVG document. */
export function drawPicture(p: PictureInput): Picture {
  const host = document.createElement('div');
  // Off screen but rendered, so the stylesheet applies and text can be measured.
  host.style.cssText =
    'position:fixed;left:-200000px;top:0;width:100px;height:100px;overflow:visible;pointer-events:none';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'tree export');
  host.append(svg);
  document.body.append(host);
  try {
    const renderer = new TreeRenderer(svg);
    const links = cancelLinks(p.model, p.layout, p.rows, p.victims, p.layout.nodes, null).links;
    renderer.render({
      layout: p.layout,
      visible: p.layout.nodes,
      rows: p.rows,
      info: p.info,
      selected: null,
      hover: null,
      cancelLinks: links,
      related: new Set(),
      animate: false,
      overview: false,
      scale: 1,
      viewKey: 'export',
      wallNow: Date.now(),
      measures: p.measures,
      palette: p.palette,
    });
    // A deadlock's cycle and rings (and every wait-for edge when the panel shows them), as in the panel.
    const waits = new WaitLayer(svg, renderer.viewport.node()!, renderer.nodeLayer.node()!);
    waits.render(waitPicture(p.model, p.layout, p.rows, p.info, null, p.showWaits), false);
    const box = renderer.viewport.node()!.getBBox();
    const out = svg.cloneNode(true) as SVGSVGElement;
    inlineStyles(svg, out);
    keepOnlyDrawing(out);
    const caption = p.caption ? captionText(p.caption, rendererFont(svg)) : null;
    const captionWidth = caption ? measuredWidth(svg, caption) : 0;
    const width = Math.ceil(Math.max(box.width, captionWidth) + 2 * PAD);
    const height = Math.ceil(box.height + 2 * PAD + (caption ? CAPTION_HEIGHT : 0));
    const x = Math.floor(box.x - PAD);
    const y = Math.floor(box.y - PAD - (caption ? CAPTION_HEIGHT : 0));
    out.setAttribute('width', String(width));
    out.setAttribute('height', String(height));
    out.setAttribute('viewBox', `${x} ${y} ${width} ${height}`);
    const bg = document.createElementNS(SVG_NS, 'rect');
    bg.setAttribute('class', 'background');
    for (const [k, v] of [
      ['x', x],
      ['y', y],
      ['width', width],
      ['height', height],
    ] as const)
      bg.setAttribute(k, String(v));
    bg.setAttribute('fill', getComputedStyle(document.body).backgroundColor);
    bg.setAttribute('stroke', 'none');
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `Task tree: ${p.caption || p.info.label}`;
    out.prepend(title, bg);
    if (caption) {
      caption.setAttribute('x', String(x + PAD));
      caption.setAttribute('y', String(y + PAD + 12));
      out.append(caption);
    }
    return { svg: new XMLSerializer().serializeToString(out), width, height };
  } finally {
    host.remove();
  }
}

/** The caption's <text>: program words as a text node, coloured as the panel's muted words. */
function captionText(words: string, font: string): SVGTextElement {
  const text = document.createElementNS(SVG_NS, 'text');
  text.setAttribute('class', 'caption');
  text.setAttribute('font-family', font);
  text.setAttribute('font-size', '12');
  text.setAttribute('fill', getComputedStyle(document.body).getPropertyValue('--nl-muted').trim() || 'gray');
  text.textContent = words;
  return text;
}

const rendererFont = (svg: SVGSVGElement): string => getComputedStyle(svg).getPropertyValue('font-family');

/** The width `text` takes, measured in the off-screen drawing. */
function measuredWidth(svg: SVGSVGElement, text: SVGTextElement): number {
  svg.append(text);
  const w = text.getComputedTextLength();
  text.remove();
  return w;
}

/**
 * The computed presentation of each drawn element, written on its copy as
 * SVG presentation attributes (a `style` attribute would break the panel's
 * CSP, which allows no inline style: one console error per element): on the
 * root every inherited property, below it only what differs from the parent
 * (the file stays small), and opacity where it is not 1.
 */
function inlineStyles(drawn: SVGSVGElement, copy: SVGSVGElement): void {
  const rootStyle = getComputedStyle(drawn);
  copy.removeAttribute('style');
  for (const k of INHERITED) copy.setAttribute(k, rootStyle.getPropertyValue(k));
  const walk = (from: Element, to: Element, parent: CSSStyleDeclaration): void => {
    for (let i = 0; i < from.children.length; i++) {
      const a = from.children[i];
      const b = to.children[i];
      const cs = getComputedStyle(a);
      b.removeAttribute('style');
      for (const k of INHERITED) {
        const v = cs.getPropertyValue(k);
        if (v !== parent.getPropertyValue(k)) b.setAttribute(k, v);
      }
      const opacity = cs.getPropertyValue('opacity');
      if (opacity && opacity !== '1') b.setAttribute('opacity', opacity);
      if (cs.getPropertyValue('display') === 'none') b.setAttribute('display', 'none');
      walk(a, b, cs);
    }
  };
  walk(drawn, copy, rootStyle);
}

/** Only the renderer's elements and their drawing attributes stay. */
function keepOnlyDrawing(root: Element): void {
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (!ELEMENTS.has(el.localName) || el.namespaceURI !== SVG_NS) {
      el.remove();
      continue;
    }
    for (const a of [...el.attributes])
      if (DROPPED_ATTRIBUTES.test(a.name) && !(a.name === 'id' && KEPT_IDS.has(a.value))) el.removeAttribute(a.name);
  }
}

/** The picture as PNG, twice the size where that fits (base64, without the data: prefix). */
export async function pngOf(p: Picture): Promise<string> {
  const scale = Math.min(2, MAX_SIDE / Math.max(p.width, p.height), Math.sqrt(MAX_PIXELS / (p.width * p.height)));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(p.width * scale));
  canvas.height = Math.max(1, Math.round(p.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no canvas to draw the PNG on');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL('image/png');
  const comma = url.indexOf(',');
  if (!url.startsWith('data:image/png') || comma < 0) throw new Error('the browser made no PNG');
  return url.slice(comma + 1);
}

/** What answering the host's export reads. */
export interface ExportParts {
  tree: ShownTree;
  choices: Choices;
  measures: Measures;
  /** The moment shown: a past one while the time cursor is there. */
  shownRun(): RunMirror | undefined;
  /** That moment in the time bar's words. */
  momentShown(): string;
  changed(flags: number, save?: boolean): void;
  post(m: WebviewMessage): void;
}

/** The picture of the view the host asked for (its answer carries the same id). */
export async function answerExport(p: ExportParts, id: number, format: ImageFormat): Promise<void> {
  try {
    const run = p.shownRun();
    if (!run) throw new Error('no run is shown');
    // Built now, as the next frame would: the panel may have just opened.
    // The picture holds the whole tree: what the user collapsed and the folds, not the levels
    // the panel's size left closed (the next frame builds the panel's view again).
    p.tree.rebuild(run, p.choices.modelOptions(null));
    p.changed(DIRTY.structure, false);
    const { layout, model } = p.tree;
    if (!layout || !model || !layout.nodes.length) throw new Error('the tree shows nothing to draw');
    const picture = drawPicture({
      layout,
      model,
      rows: run.rows,
      info: run.info,
      victims: p.tree.victims,
      measures: p.measures,
      palette: p.tree.palette,
      showWaits: p.choices.state.showWaits,
      caption: [run.info.label, p.momentShown()].filter(Boolean).join(' · '),
    });
    p.post({ type: 'exported', id, format, data: format === 'svg' ? picture.svg : await pngOf(picture) });
  } catch (err) {
    p.post({ type: 'exportFailed', id, reason: err instanceof Error ? err.message : String(err) });
  }
}
