// Tasks that wait at the same place share a small mark next to their await
// label: a shape and a tint from a short palette, keyed by the await site
// (or by what they wait on, when the runtime says). The text beside it names
// the site too, so the mark only speeds up reading a column of siblings; the
// shape alone tells groups apart where colour cannot (high contrast, colour
// vision). Marks are handed out in the order sites are first seen in a run and
// never change for that run, so a live tree does not reshuffle its marks.
import { circle } from './shapes';

/** Mark outlines, centred on (0, 0), about 8 px across. */
export const MARK_SHAPES: readonly string[] = [
  circle(3.8),
  'M-3.4,-3.4h6.8v6.8h-6.8Z', // square
  'M0,-4.5L4.5,0L0,4.5L-4.5,0Z', // diamond
  'M0,-4.2L4,3.4H-4Z', // triangle
  'M0,4.2L4,-3.4H-4Z', // triangle, point down
  'M-1.3,-4.2h2.6v2.9h2.9v2.6h-2.9v2.9h-2.6v-2.9h-2.9v-2.6h2.9Z', // plus
];
/** Tints (styles.css: .site-mark.tint-N); 5 and 6 share no factor, so 30 sites get distinct marks. */
const MARK_TINTS = 5;
/** Room the mark takes before the await label, in px. */
export const MARK_ROOM = 13;

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
}
