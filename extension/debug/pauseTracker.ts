// Keeps the panel in step with the debugger: when a Python debug session
// stops, the task that owns the stopped thread's stack is marked "paused
// here" and selected; the task owning the frame or thread picked in the Call
// Stack is marked too; both marks go when the program runs again. The
// runtime samples the paused program from its own thread (about 10 times a
// second while a debugger is loaded), so the sample that shows which task
// runs at the breakpoint may arrive just after the stop: until it does, or
// GRACE_MS have passed, a task that merely waits at the same place is not
// taken for the one that stopped. Until a task is marked (and when the
// stopped thread is in no task at all), the run itself is marked paused.
// No vscode import: debugSync.ts wires it.
import type { Row } from '../../contract/rows';
import type { TaskFocus } from '../panel/taskFocus';
import { NO_MARKS } from '../panel/taskFocus';
import type { RunEntry } from '../store/runStore';
import { ownerOfFrame, ownerOfStack, type Candidate, type StackFrame, type StackOwner } from './stackMatch';

/** How long a stop waits for a sample showing the task running there before it takes the best waiting match. */
export const GRACE_MS = 1500;
/** Store changes while paused are matched again at most this often. */
const REMATCH_MS = 100;

/** One frame of a thread's stack as the debugger listed it (innermost first). */
export interface ListedFrame {
  id: number;
  frame: StackFrame | null;
}

export interface PauseDeps {
  /** The thread's stack (DAP `stackTrace`), innermost first. */
  stack(session: string, threadId: number): Promise<ListedFrame[]>;
  /** The live tasks that may own a stack of this session's program. */
  candidates(session: string): Candidate[];
  focus: TaskFocus;
  now?: () => number;
  /** GRACE_MS unless a test says otherwise. */
  graceMs?: number;
  log?: { debug(message: string): void };
}

interface Pause {
  threadId: number;
  reason: string;
  at: number;
  stack: ListedFrame[] | null;
  /** Bumped by every stop and resume: an answer for an older one is dropped. */
  generation: number;
}

/** The live tasks of the runs of one program (`pid`, when the debugger named it), as candidates. */
export function candidatesOf(entries: readonly RunEntry[], pid?: number): Candidate[] {
  let runs = entries.filter((e) => e.state.currentStatus === 'live');
  if (pid !== undefined) {
    const same = runs.filter((e) => e.state.info().pid === pid);
    if (same.length) runs = same;
  }
  const out: Candidate[] = [];
  for (const e of runs) {
    for (const row of e.state.rows()) if (isLiveTask(row)) out.push({ run: e.state.key, task: row });
  }
  return out;
}

const isLiveTask = (r: Row): r is Extract<Row, { kind: 'task' }> =>
  r.kind === 'task' && (r.state === 'running' || r.state === 'scheduled' || r.state === 'waiting');

export class PauseTracker {
  private readonly pauses = new Map<string, Pause>();
  /** The session whose stop the marks show. */
  private marked: string | null = null;
  private generation = 0;
  private rematch: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: PauseDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private get grace(): number {
    return this.deps.graceMs ?? GRACE_MS;
  }

  /** The session stopped (DAP `stopped`): find and mark the task of the stopped thread. */
  async stopped(session: string, threadId: number | undefined, reason: string): Promise<void> {
    if (threadId === undefined) return;
    const pause: Pause = { threadId, reason, at: this.now(), stack: null, generation: ++this.generation };
    this.pauses.set(session, pause);
    let stack: ListedFrame[];
    try {
      stack = await this.deps.stack(session, threadId);
    } catch (err) {
      this.deps.log?.debug(`no stack for thread ${threadId}: ${String(err)}`);
      return;
    }
    if (this.pauses.get(session)?.generation !== pause.generation) return;
    pause.stack = stack;
    this.match(session);
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this.match(session), this.grace + 10);
  }

  /** The session runs again (continue, a step, its end): its marks go. */
  resumed(session: string): void {
    if (!this.pauses.delete(session)) return;
    this.generation++;
    if (this.marked === session) {
      this.marked = null;
      this.deps.focus.setMarks(NO_MARKS);
    }
  }

  /** Runs changed while paused: the sample that names the running task may have come. */
  storeChanged(): void {
    if (!this.pauses.size || this.rematch) return;
    this.rematch = setTimeout(() => {
      this.rematch = undefined;
      for (const session of this.pauses.keys()) this.match(session);
    }, REMATCH_MS);
  }

  /** The user picked a thread or a frame in the Call Stack (undefined: nothing picked). */
  async stackItem(item: { session: string; threadId: number; frameId?: number } | undefined): Promise<void> {
    const marks = this.deps.focus.marks;
    if (!item || !this.pauses.has(item.session)) {
      if (marks.focus !== null) this.deps.focus.setMarks({ ...marks, focus: null });
      return;
    }
    const generation = this.generation;
    let stack: ListedFrame[];
    try {
      stack = await this.deps.stack(item.session, item.threadId);
    } catch {
      return;
    }
    if (generation !== this.generation) return;
    const owner = ownerOfListed(stack, this.deps.candidates(item.session));
    const index = item.frameId === undefined ? 0 : stack.findIndex((f) => f.id === item.frameId);
    const task = index < 0 ? null : ownerOfFrame(owner, index);
    const now = this.deps.focus.marks;
    const focus = task && (now.run === null || now.run === task.run) ? task.id : null;
    this.deps.focus.setMarks({ ...now, run: now.run ?? task?.run ?? null, focus });
  }

  private match(session: string): void {
    const pause = this.pauses.get(session);
    if (!pause?.stack) return;
    const candidates = this.deps.candidates(session);
    const owner = ownerOfListed(pause.stack, candidates);
    // A task waiting where the thread stopped is taken only once no sample said which task runs there.
    if (!owner || (!owner.running && this.now() - pause.at < this.grace)) {
      // Meanwhile (or when the stopped thread is in no task: the loop idle in its selector, another
      // thread), the run itself is marked paused, so the panel says so and its clock stops at the pause.
      const run = owner?.run ?? candidates.at(-1)?.run;
      if (run !== undefined && this.marked !== session) {
        this.marked = session;
        this.deps.focus.setMarks({ run, paused: null, focus: null, reason: pause.reason });
      }
      return;
    }
    const marks = this.deps.focus.marks;
    if (this.marked === session && marks.run === owner.run && marks.paused === owner.id) return;
    this.marked = session;
    this.deps.focus.setMarks({ run: owner.run, paused: owner.id, focus: null, reason: pause.reason });
    this.deps.focus.select({ run: owner.run, id: owner.id }, 'debugger');
  }

  dispose(): void {
    clearTimeout(this.rematch);
    clearTimeout(this.graceTimer);
  }
}

/** The task owning a stack as the Call Stack lists it (frames with their DAP ids). */
function ownerOfListed(stack: readonly ListedFrame[], candidates: readonly Candidate[]): StackOwner | null {
  return ownerOfStack(
    stack.map((f) => f.frame),
    candidates,
  );
}
