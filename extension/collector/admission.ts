// What a connection may cost before its hello is accepted. Anyone on this
// machine can reach the collector; only a program with a launch's secret is
// owed more than a glance. So, until the hello: a short first line, parsed
// only when it is shallow; a short deadline; and a small number of strangers
// at once, where a new one pushes out the one that has waited longest (a
// real program says hello within milliseconds of connecting, so a crowd of
// idle strangers cannot keep it out).
import { nestsDeeperThan } from './jsonDepth';

/**
 * The hello is one line of a few hundred bytes plus the program's argv and
 * cwd. argv can be long (a tool given thousands of file names): 64 KiB takes
 * ~1,000 arguments of 60 characters, Windows' whole command line (32 KiB of
 * UTF-16) and far more than a script's usual few; a runtime keeps its hello
 * under this (runtime/protocol/PROTOCOL.md). 64 strangers × 64 KiB bound the
 * memory strangers can hold to 4 MiB.
 */
export const HELLO_MAX_BYTES = 64 * 1024;
/** How long a new connection may take to say hello (the runtime sends it at once). */
export const HELLO_TIMEOUT_MS = 3_000;
/** Connections waiting for their hello at once; beyond it the longest-waiting one goes. */
export const MAX_PENDING = 64;
/** A hello nests two deep (the object, argv); anything much deeper is not one. */
const MAX_HELLO_DEPTH = 8;

/** The first line as JSON, or why it is not a hello's (never throws). */
export function parseFirstLine(line: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (nestsDeeperThan(line, MAX_HELLO_DEPTH))
    return { ok: false, reason: 'the first line nests too deep to be a hello' };
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch {
    return {
      ok: false,
      reason: 'the first line is not JSON (expected a hello); is something other than Nursery Lens connecting?',
    };
  }
}

/** Connections that have not said hello yet, oldest first. */
export class PendingConnections<T> {
  private readonly waiting = new Set<T>();

  constructor(private readonly max = MAX_PENDING) {}

  /** Adds a connection; returns the one it pushes out (the longest waiting), if the set was full. */
  add(c: T): T | undefined {
    let out: T | undefined;
    if (this.waiting.size >= this.max) {
      out = this.waiting.values().next().value as T;
      this.waiting.delete(out);
    }
    this.waiting.add(c);
    return out;
  }

  delete(c: T): void {
    this.waiting.delete(c);
  }

  get size(): number {
    return this.waiting.size;
  }
}
