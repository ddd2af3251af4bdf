// Label widths from a canvas context in the page's own fonts: links start
// where a parent's label ends, and long names are cut with an ellipsis
// before they run into the next column (textFit.ts). Results are cached per string.
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
export function fontOf(el: Element, sizePx: number, family?: string): string {
  const style = getComputedStyle(el);
  return `${sizePx}px ${family ?? style.fontFamily}`;
}
