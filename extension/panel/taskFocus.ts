// The task the user looks at, shared by the panel, the Tasks view and the
// debugger: a selection in one is shown in the others, and what the debugger
// points at (the task paused at a breakpoint, the task owning the frame
// picked in the Call Stack) is marked in both. The host mediates: each side
// tells this model, and hears of changes that came from elsewhere (its own
// echo would undo what the user is doing there). No vscode import.

/** Who changed the selection. */
export type FocusOrigin = 'panel' | 'view' | 'debugger';

export interface TaskRef {
  run: string;
  /** A task's or a nursery's row id. */
  id: number;
}

/** What the debugger points at; all null while no run of a debugged program is paused. */
export interface DebugMarks {
  run: string | null;
  /** The task that hit the breakpoint (or raised the exception). */
  paused: number | null;
  /** The task owning the frame or thread picked in the Call Stack. */
  focus: number | null;
  /** Why the program stopped (DAP's reason: breakpoint, exception, step…). */
  reason: string | null;
}

export const NO_MARKS: DebugMarks = Object.freeze({ run: null, paused: null, focus: null, reason: null });

type Listener<T> = (value: T) => void;

const sameMarks = (a: DebugMarks, b: DebugMarks): boolean =>
  a.run === b.run && a.paused === b.paused && a.focus === b.focus && a.reason === b.reason;

export class TaskFocus {
  private current: TaskRef | null = null;
  private currentMarks: DebugMarks = NO_MARKS;
  private readonly selectListeners = new Set<Listener<{ ref: TaskRef; origin: FocusOrigin }>>();
  private readonly markListeners = new Set<Listener<DebugMarks>>();

  get selected(): TaskRef | null {
    return this.current;
  }

  get marks(): DebugMarks {
    return this.currentMarks;
  }

  /** Selects a row; false (and nobody told) when it was selected already. */
  select(ref: TaskRef, origin: FocusOrigin): boolean {
    if (this.current && this.current.run === ref.run && this.current.id === ref.id) return false;
    this.current = { run: ref.run, id: ref.id };
    for (const l of [...this.selectListeners]) l({ ref: this.current, origin });
    return true;
  }

  setMarks(marks: DebugMarks): void {
    if (sameMarks(marks, this.currentMarks)) return;
    this.currentMarks = { ...marks };
    for (const l of [...this.markListeners]) l(this.currentMarks);
  }

  /** Hears selections made elsewhere: listeners get every change with its origin and ignore their own. */
  onDidSelect(listener: Listener<{ ref: TaskRef; origin: FocusOrigin }>): { dispose(): void } {
    this.selectListeners.add(listener);
    return { dispose: () => this.selectListeners.delete(listener) };
  }

  onDidChangeMarks(listener: Listener<DebugMarks>): { dispose(): void } {
    this.markListeners.add(listener);
    return { dispose: () => this.markListeners.delete(listener) };
  }
}
