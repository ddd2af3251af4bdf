// Tasks that wait at the same place share a small mark next to their await
// label: a shape and a tint from a short palette, keyed by the await site
// (or by what they wait on, when the runtime says). The text beside it names
// the site too, so the mark only speeds up reading a column of siblings; the
// shape alone tells groups apart where colour cannot (high contrast, colour
// vision). Marks are handed out in the order sites are first seen in a run and
// never change for that run, so a live tree does not reshuffle its marks.

const r = 3.4;
/** Mark outlines, centred on (0, 0), about 7 px across. */
export const MARK_SHAPES: readonly string[] = [
  `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`, // circle
  'M-3,-3h6v6h-6Z', // square
  'M0,-3.9L3.9,0L0,3.9L-3.9,0Z', // diamond
  'M0,-3.8L3.6,3.2H-3.6Z', // triangle
  'M0,3.8L3.6,-3.2H-3.6Z', // triangle, point down
  'M-1.2,-3.8h2.4v2.6h2.6v2.4h-2.6v2.6h-2.4v-2.6h-2.6v-2.4h2.6Z', // plus
];
/** Tints (styles.css: .site-mark.tint-N); 5 and 6 share no factor, so 30 sites get distinct marks. */
export const MARK_TINTS = 5;
/** Room the mark takes before the await label, in px. */
export const MARK_ROOM = 12;

export interface Mark {
  shape: string;
  /** 0-based index: shape `index % 6`, tint `index % 5`. */
  index: number;
  tint: number;
}

export class SitePalette {
  private readonly byKey = new Map<string, number>();

  markOf(key: string): Mark {
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.byKey.size;
      this.byKey.set(key, i);
    }
    return { shape: MARK_SHAPES[i % MARK_SHAPES.length], index: i, tint: i % MARK_TINTS };
  }

  clear(): void {
    this.byKey.clear();
  }
}
