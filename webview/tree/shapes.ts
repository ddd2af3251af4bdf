// Marker outlines and the nursery's icon as SVG path data, centred on (0, 0).
// The state icons drawn inside a task's circle are in taskStates.ts: every
// state has its own, so nothing is told by colour alone.

/** A circle of radius `r`. */
export const circle = (r: number, cx = 0): string =>
  `M${cx - r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;

export const SHAPE = {
  /** Tasks are round. */
  task: circle(7),
  /** Nurseries are square: a different kind of node. */
  nursery: 'M-6.5,-6.5h13v13h-13Z',
  /** Retired tasks: a small drawer. */
  retired: 'M-6,-5h12v10h-12Z',
  /** A fold is a stack of cards. */
  fold: 'M-5,-7h11v11h-11Z M-7,-5v11h11',
  /** "More…": three dots, the rest of a list. */
  more: circle(1.6, -4.5) + circle(1.6) + circle(1.6, 4.5),
};

/** A nursery's icon: a fork (one line splitting in two). */
export const NURSERY_ICON = 'M-3.5,0H-0.5M-0.5,0L3,-3M-0.5,0L3,3';
