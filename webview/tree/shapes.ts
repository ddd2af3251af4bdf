// Marker outlines and state icons as SVG path data, centred on (0, 0). Every
// state has its own icon so nothing is told by colour alone.
import type { TaskState } from '../../contract/rows';

const circle = (r: number): string => `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;

export const SHAPE = {
  /** Tasks are round. */
  task: circle(7),
  /** Nurseries are square: a different kind of node. */
  nursery: 'M-6.5,-6.5h13v13h-13Z',
  /** Retired tasks: a small drawer. */
  retired: 'M-6,-5h12v10h-12Z',
  /** A fold is a stack of cards. */
  fold: 'M-5,-7h11v11h-11Z M-7,-5v11h11',
};

export const STATE_ICON: Record<TaskState, string> = {
  running: 'M-2.2,-3.6L3.8,0L-2.2,3.6Z',
  scheduled: 'M0,-3.6V0H2.8',
  waiting: 'M-1.8,-3.2V3.2M1.8,-3.2V3.2',
  returned: 'M-3.2,0.2L-1,2.6L3.4,-2.6',
  raised: 'M0,-3.8V0.8M0,3V3.4',
  cancelled: 'M-3,3L3,-3',
  lost: 'M-2,-1.6a2,2 0 1,1 2.4,2V1.6M0.4,3.4V3.8',
};

/** Filled icons (the rest are strokes). */
export const FILLED_ICON: ReadonlySet<TaskState> = new Set<TaskState>(['running']);

/** A nursery's icon: a fork (one line splitting in two). */
export const NURSERY_ICON = 'M-3.5,0H-0.5M-0.5,0L3,-3M-0.5,0L3,3';
