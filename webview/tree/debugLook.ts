// How a task the debugger points at is drawn: the task paused at a
// breakpoint, and the task owning the frame picked in the Call Stack, each
// with words in its badge ("paused here") and the editor's own sign for a
// stack frame before them (an arrow, in the debugger's colours), so neither
// colour nor shape alone tells it.

/** What the debugger points at in the run in view (row ids). */
export interface DebugPointers {
  paused: number | null;
  focus: number | null;
  /** Why the program stopped (breakpoint, exception, step…). */
  reason: string | null;
}

export interface DebugMark {
  /** Also the node's class and its badge's (styles.css). */
  kind: 'paused' | 'stack-focus';
  words: string;
}

/** Room the arrow takes before the badge, in px. */
export const DEBUG_ICON_ROOM = 14;

/** The editor gutter's stack-frame arrow, centred on (0, 0), about 10 px across. */
export const STACK_FRAME_ARROW = 'M-5,-4H1L5,0L1,4H-5Z';

const PAUSED: DebugMark = { kind: 'paused', words: 'paused here' };
const FOCUS: DebugMark = { kind: 'stack-focus', words: 'selected frame' };

/** The mark of task `id`: paused wins (the frame picked is most often the paused one's). */
export function debugMarkOf(id: number, d: DebugPointers | undefined): DebugMark | null {
  if (!d) return null;
  if (d.paused === id) return PAUSED;
  return d.focus === id ? FOCUS : null;
}
