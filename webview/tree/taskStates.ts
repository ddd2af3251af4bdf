// Everything the webview says about a task state, in one table: its word, its
// icon, where it comes in the legend and in histograms (the table's order),
// whether the task is over, whether it is drawn dimmed, and its CSS class.
// A state added to the contract (TaskState) does not compile until it has a row.
import type { TaskState } from '../../contract/rows';

interface StateEntry {
  word: string;
  /** Icon path data, centred on (0, 0), drawn inside the task's circle; each state has its own. */
  icon: string;
  /** The task is over (it returned, raised, was cancelled, or was lost). */
  finished: boolean;
  /** Drawn in muted colours, with the links to it (styles.css): over, and nothing went wrong. */
  dimmed: boolean;
}

/** In display order: live states first, then how tasks end. */
const TABLE: Record<TaskState, StateEntry> = {
  running: { word: 'running', icon: 'M-2.2,-3.6L3.8,0L-2.2,3.6Z', finished: false, dimmed: false },
  scheduled: { word: 'scheduled', icon: 'M0,-3.6V0H2.8', finished: false, dimmed: false },
  waiting: { word: 'waiting', icon: 'M-1.8,-3.2V3.2M1.8,-3.2V3.2', finished: false, dimmed: false },
  returned: { word: 'returned', icon: 'M-3.2,0.2L-1,2.6L3.4,-2.6', finished: true, dimmed: true },
  raised: { word: 'raised', icon: 'M0,-3.8V0.8M0,3V3.4', finished: true, dimmed: false },
  cancelled: { word: 'cancelled', icon: 'M-3,3L3,-3', finished: true, dimmed: true },
  lost: { word: 'lost', icon: 'M-2,-1.6a2,2 0 1,1 2.4,2V1.6M0.4,3.4V3.8', finished: true, dimmed: true },
};

/** Every state, in the order legends and histograms list them. */
export const STATE_ORDER: readonly TaskState[] = Object.keys(TABLE) as TaskState[];

export const stateWord = (s: TaskState): string => TABLE[s].word;
export const stateIcon = (s: TaskState): string => TABLE[s].icon;
export const isFinishedState = (s: TaskState): boolean => TABLE[s].finished;
export const isDimmedState = (s: TaskState): boolean => TABLE[s].dimmed;
/** The class that colours a state (`s-waiting`); styles.css has its rules. */
export const stateClass = (s: TaskState): string => `s-${s}`;

/** How many of `states` are in each state. */
export function countStates(states: Iterable<TaskState>): Partial<Record<TaskState, number>> {
  const counts: Partial<Record<TaskState, number>> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

/** Counts per state in display order, states with none left out. */
export function inStateOrder(counts: Partial<Record<TaskState, number>>): Array<[TaskState, number]> {
  return STATE_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s) => [s, counts[s]!]);
}
