// Label widths from a canvas context in the page's own fonts: links start
// where a parent's label ends, and long names are cut with an ellipsis
// before they run into the next column. Results are cached per string.
export class TextMeasure {
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

  /** `text`, or its longest prefix + "…" that fits in `max` pixels. */
  fit(text: string, max: number): string {
    if (max <= 0) return '';
    if (this.width(text) <= max) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.width(text.slice(0, mid) + '…') <= max) lo = mid;
      else hi = mid - 1;
    }
    return lo === 0 ? '…' : text.slice(0, lo) + '…';
  }
}

/** The computed font of an element, as a canvas font string. */
export function fontOf(el: Element, sizePx: number, family?: string): string {
  const style = getComputedStyle(el);
  return `${sizePx}px ${family ?? style.fontFamily}`;
}
