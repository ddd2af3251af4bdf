// How much of a tree the first view opens, from the size of the panel: the
// top of the structure (every nursery down to where it still fits) rather
// than one enormous column. The numbers are in rows and columns of the tree
// at 1:1; the first view then fits the tree or shows its top at 1:1.
import { ROW_HEIGHT } from './geometry';
import type { Budget } from './model';

/** Leaf rows the first view may open, in panel heights. */
const SCREENS_TALL = 1.5;
/** Columns it may open, in panel widths (a column takes about this many px). */
const SCREENS_WIDE = 2;
const COLUMN_PX = 180;

export function budgetFor(width: number, height: number): Budget {
  const rows = Math.max(16, Math.floor((SCREENS_TALL * height) / ROW_HEIGHT));
  return {
    rows,
    depth: Math.max(4, Math.floor((SCREENS_WIDE * width) / COLUMN_PX)),
    // One node's list may take about half of it (the rest is for its cousins), and a dozen at least: a
    // small panel scales a short list down rather than cutting it.
    width: Math.max(12, Math.floor(rows / 2)),
  };
}

export const sameBudget = (a: Budget | null, b: Budget | null): boolean =>
  a === b || (!!a && !!b && a.rows === b.rows && a.depth === b.depth && a.width === b.width);
