// What each lint says: the Problems panel's message, and the badge and
// sentence of the mark on its row. One table of words for every place a lint
// shows, so the editor and the panel say the same thing. Plain strings: the
// panel puts them in as text.
import type { LintCode, LintMark } from '../../contract/rows';

/** `420 ms`, `1.2 s`, `2 min 3 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

/** `1,523`. */
export const count = (n: number): string => n.toLocaleString('en-US');

const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${count(n)} times`);

/** A task's name in a sentence (`task 'worker-3'`), or nothing when not known. */
export const taskWords = (name: string | undefined): string => (name === undefined ? 'a task' : `task '${name}'`);

export interface BlockFacts {
  count: number;
  longest: number;
  total: number;
  /** ms so far of a block still holding the loop. */
  ongoing?: number;
  /** The task of the latest block here (undefined: outside any task, or not known). */
  task?: string;
}

export function blockedMessage(b: BlockFacts): string {
  const who = b.task === undefined ? 'code outside any task' : taskWords(b.task);
  if (b.ongoing !== undefined) {
    return `The event loop is blocked here now, for ${duration(b.ongoing)} so far, by ${who}: no other task can run until this line gives the loop back.`;
  }
  if (b.count === 1)
    return `The event loop was blocked here for ${duration(b.longest)} by ${who}: no other task ran meanwhile. If this line calls blocking code (a sync socket or file call, time.sleep, a long computation), await an async version, or run it in a thread.`;
  return `The event loop was blocked here ${times(b.count)}, longest ${duration(b.longest)} (${duration(b.total)} in all), last by ${who}: no other task ran meanwhile.`;
}

export function neverAwaitedMessage(coroutine: string, task: string | undefined, n: number): string {
  const inTask = task === undefined ? '' : ` in ${taskWords(task)}`;
  return `Coroutine ${coroutine} was created here${inTask} and never awaited${n > 1 ? ` (${times(n)})` : ''}: its body never ran. Add await, or start it as a task.`;
}

export function startMessage(task: string, waitedMs: number, thresholdMs: number): string {
  return `${cap(taskWords(task))} was started with start() ${duration(waitedMs)} ago and has not called task_status.started() (threshold ${duration(thresholdMs)}): this start() call is still waiting for it.`;
}

export function runawayMessage(live: number, peak: number, threshold: number, ongoing: boolean): string {
  return ongoing
    ? `This task group has ${count(live)} live children (more than ${count(threshold)})${peak > live ? `, ${count(peak)} at its peak` : ''}: its tasks are spawned faster than they finish.`
    : `This task group reached ${count(peak)} live children (more than ${count(threshold)}): its tasks were spawned faster than they finished.`;
}

// "Seen": the store knows only the sampled waits, and a short await between two samples leaves no trace.
export function outlivedMessage(task: string, maker: string, stillRunning: boolean, byMs: number): string {
  return stillRunning
    ? `Loose ${taskWords(task)} is still running after ${taskWords(maker)}, which made it, finished: no task group owns it and no task has been seen awaiting it.`
    : `Loose ${taskWords(task)} outlived ${taskWords(maker)}, which made it, by ${duration(byMs)}: no task group owned it and no task was seen awaiting it.`;
}

export const pendingMessage = (task: string): string =>
  `${cap(taskWords(task))} was still pending when its event loop closed: it never finished (asyncio: "Task was destroyed but it is pending!").`;

export const unretrievedMessage = (task: string, error: string | undefined): string =>
  `${cap(taskWords(task))} raised${error ? ` ${error}` : ''} and nothing retrieved the exception (asyncio: "Task exception was never retrieved"): await the task, or keep it in a task group.`;

const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);

/** The coroutine a never-awaited warning names (`coroutine 'fetch' was never awaited` → `fetch`). */
export const coroutineOf = (message: string): string | undefined => /'([^']*)'/.exec(message)?.[1];

/** `blocking.py:12`. */
export const where = (s: { file: string; line: number } | null): string =>
  s ? `${s.file.split(/[\\/]/).pop()}:${s.line}` : 'a line outside user code';

/** What the panel says on the row (the task's point of view; the editor's message speaks of the line). */
export const SENTENCES = {
  blocked: (b: BlockFacts, at: string): string =>
    b.ongoing !== undefined
      ? `Holding the event loop at ${at} now, for ${duration(b.ongoing)} so far: no other task can run.`
      : `Held the event loop at ${at} for ${duration(b.longest)}${b.count > 1 ? ` (${times(b.count)} there, ${duration(b.total)} in all)` : ''}: no other task ran meanwhile.`,
  neverAwaited: (coroutine: string, at: string): string =>
    `Made coroutine ${coroutine} at ${at} and never awaited it: its body never ran.`,
  notStarted: (waitedMs: number): string =>
    `Started with start() ${duration(waitedMs)} ago and has not called task_status.started(): the start() call still waits for it.`,
  runaway: (live: number, peak: number, threshold: number, ongoing: boolean): string =>
    ongoing
      ? `${count(live)} live children (more than ${count(threshold)}): tasks are spawned here faster than they finish.`
      : `Reached ${count(peak)} live children (more than ${count(threshold)}).`,
  outlived: (maker: string, stillRunning: boolean): string =>
    stillRunning
      ? `Still running after ${maker}, which made it, finished: no task group owns it and no task has been seen awaiting it.`
      : `Outlived ${maker}, which made it: no task group owned it and no task was seen awaiting it.`,
} as const;

/** The mark a lint puts on its row. */
export function markOf(code: LintCode, badge: string, sentence: string): LintMark {
  return { code, badge, sentence };
}

export const BADGES = {
  blocked: (ms: number, ongoing: boolean): string =>
    ongoing ? `blocking the loop (${duration(ms)})` : `blocked the loop ${duration(ms)}`,
  neverAwaited: 'coroutine never awaited',
  notStarted: (ms: number): string => `not started after ${duration(ms)}`,
  runaway: (n: number): string => `${count(n)} live children`,
  outlived: 'outlived its maker',
} as const;
