// Label widths from a canvas context in the page's own fonts: links start
// where a parent's label ends, and long names are cut with an ellipsis
// before they run into the next column (textFit.ts). Results are cached per string.
import { FONT_SIZE, SMALL_FONT_SIZE } from './geometry';
import type { Measures } from './look';
import type { Measure } from './textFit';

export class TextMeasure implements Measure {
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly cache = new Map<string, number>();

  constructor(font: string) {
    this.ctx = document.createElement('canvas').getContext('2d');
    if (this.ctx) this.ctx.font = font;
  }

  width(text: string): number {
    let w = this.cache.get(text);
    if (w === undefined) {
      // Without a canvas (never in Chromium) fall back to an average glyph width.
      w = this.ctx ? this.ctx.measureText(text).width : text.length * 7;
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(text, w);
    }
    return w;
  }
}

/** The computed font of an element, as a canvas font string. */
function fontOf(el: Element, sizePx: number, family?: string): string {
  const style = getComputedStyle(el);
  return `${sizePx}px ${family ?? style.fontFamily}`;
}

/** The measures of the tree's labels, in the fonts of `body` (styles.css draws await sites in the editor font). */
export function pageMeasures(body: HTMLElement): Measures {
  const editorFont = getComputedStyle(body).getPropertyValue('--vscode-editor-font-family').trim() || 'monospace';
  return {
    name: new TextMeasure(fontOf(body, FONT_SIZE)),
    nameBold: new TextMeasure(`600 ${fontOf(body, FONT_SIZE)}`),
    code: new TextMeasure(fontOf(body, SMALL_FONT_SIZE, editorFont)),
    small: new TextMeasure(fontOf(body, SMALL_FONT_SIZE)),
    smallBold: new TextMeasure(`600 ${fontOf(body, SMALL_FONT_SIZE)}`),
  };
}
