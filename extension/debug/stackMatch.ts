// Which task a debugger's thread stack belongs to. DAP knows threads and
// frames, never tasks (debugpy#1114): a stopped thread's stack is matched
// against the tasks' await chains (protocol 1.2) or, from older runtimes,
// their innermost await sites, by file and line. Pure: no vscode, so every
// path style is unit-tested on any OS.
import * as path from 'node:path';
import type { Site, TaskRow } from '../../contract/rows';

/** A frame of a debugger's stack, innermost first; `file` as normalised by normalisePath. */
export interface StackFrame {
  file: string;
  line: number;
}

/** A task that may own the stack: a live task of a run of the stopped program. */
export interface Candidate {
  run: string;
  task: Pick<TaskRow, 'id' | 'state' | 'awaitSite' | 'chain'>;
}

export interface StackOwner {
  run: string;
  id: number;
  /** The task was sampled running where the stack is: it is the one, not just a task waiting at the same place. */
  running: boolean;
  /** Positions in the stack (0 = innermost) of the outermost frame the task's chain matched. */
  outermost: number;
  /** The task's frames came from a whole chain (else only its await site was known). */
  chained: boolean;
}

/**
 * A file as the debugger or the runtime named it, comparable: a URI
 * (code-server hands `vscode-remote://` ones to extensions, others `file://`)
 * becomes its path; Windows paths compare case-insensitively with one kind of
 * separator.
 */
export function normalisePath(p: string, platform: string = process.platform): string {
  let file = p;
  // A scheme of two or more letters: `c:\x` is a drive, not a URI.
  if (/^[a-zA-Z][\w+.-]+:\/\//.test(file)) {
    try {
      file = decodeURIComponent(new URL(file).pathname);
    } catch {
      return p;
    }
    if (platform === 'win32' && /^\/[a-zA-Z]:/.test(file)) file = file.slice(1);
  }
  if (platform === 'win32') return path.win32.normalize(file.replace(/\//g, '\\')).toLowerCase();
  return path.posix.normalize(file);
}

/** DAP `stackTrace` frames (innermost first) as StackFrames; frames without a source path stay as gaps (null). */
export function stackOf(
  frames: ReadonlyArray<{ line?: unknown; source?: { path?: unknown } }>,
  platform: string = process.platform,
): Array<StackFrame | null> {
  return frames.map((f) => {
    const file = f.source?.path;
    return typeof file === 'string' && file && typeof f.line === 'number'
      ? { file: normalisePath(file, platform), line: f.line }
      : null;
  });
}

const keyOf = (file: string, line: number): string => `${line}\u0000${file}`;

/** A task's frames, innermost first: its whole chain when the runtime sent one, else its await site. */
function taskFrames(t: Candidate['task']): Site[] {
  if (t.chain && t.chain.length) return [...t.chain].reverse();
  return t.awaitSite ? [t.awaitSite] : [];
}

interface Scored extends StackOwner {
  /** Position in the stack of the innermost frame matched. */
  first: number;
  matched: number;
}

/**
 * The task the stack belongs to: the one whose frames reach closest to the
 * top of the stack, then one sampled running there, then the one with more
 * frames in common. Several equally good tasks that are not running (workers
 * waiting at the very line of the breakpoint, before the sample that shows
 * which of them runs) give no owner: better none than the wrong one.
 */
export function ownerOfStack(
  stack: ReadonlyArray<StackFrame | null>,
  candidates: Iterable<Candidate>,
  platform: string = process.platform,
): StackOwner | null {
  const positions = new Map<string, number[]>();
  stack.forEach((f, i) => {
    if (!f) return;
    const k = keyOf(f.file, f.line);
    const list = positions.get(k);
    if (list) list.push(i);
    else positions.set(k, [i]);
  });
  if (!positions.size) return null;
  const norm = new Map<string, string>();
  const normal = (file: string): string => {
    let n = norm.get(file);
    if (n === undefined) norm.set(file, (n = normalisePath(file, platform)));
    return n;
  };
  let best: Scored | null = null;
  let tie = false;
  for (const c of candidates) {
    const s = score(c, positions, normal);
    if (!s) continue;
    const cmp = best ? compare(s, best) : 1;
    if (cmp > 0) {
      best = s;
      tie = false;
    } else if (cmp === 0) tie = true;
  }
  if (!best || (tie && !best.running)) return null;
  return { run: best.run, id: best.id, running: best.running, outermost: best.outermost, chained: best.chained };
}

/** The task's frames found in the stack in order (innermost first), or null when none is. */
function score(c: Candidate, positions: ReadonlyMap<string, number[]>, normal: (f: string) => string): Scored | null {
  let next = 0;
  let first = -1;
  let matched = 0;
  let outermost = -1;
  for (const f of taskFrames(c.task)) {
    const at = positions.get(keyOf(normal(f.file), f.line))?.find((p) => p >= next);
    if (at === undefined) continue;
    if (first < 0) first = at;
    matched++;
    outermost = at;
    next = at + 1;
  }
  if (first < 0) return null;
  return {
    run: c.run,
    id: c.task.id,
    running: c.task.state === 'running',
    first,
    matched,
    outermost,
    chained: !!c.task.chain?.length,
  };
}

function compare(a: Scored, b: Scored): number {
  if (a.first !== b.first) return b.first - a.first;
  if (a.running !== b.running) return a.running ? 1 : -1;
  return a.matched - b.matched;
}

/**
 * The task owning frame `index` of a thread whose stack `owner` owns: that
 * task, unless its whole chain is known and the frame lies below it (the
 * module that called trio.run, the event loop): no task owns those.
 */
export function ownerOfFrame(owner: StackOwner | null, index: number): StackOwner | null {
  if (!owner) return null;
  if (owner.chained && index > owner.outermost) return null;
  return owner;
}
