// One event stream (a live connection after its hello, or a recording):
// parse each line, validate it, and hand it, typed, to the RunState of its `run`.
// Problems (bad JSON, unknown types or fields, invalid fields) are counted and
// logged once per kind per stream, never fatal. No sockets, no vscode.
import { RunState } from '../store/runState';
import type { HelloEvent, WireEvent, WireLine } from '../../contract/wire';
import { checkEvent } from './protocol';
import { expandBatch, isBatch } from './batches';
import { messageOf } from '../errorMessage';

const MAX_KINDS = 100;
const MAX_LOGGED_EACH = 200;

export interface StreamLog {
  warn(message: string): void;
}

export interface StreamRuns {
  /** The RunState for run number `run` of this stream (created on first use); null when the store holds no more runs. */
  run(run: number): RunState | null;
}

/** One object per line, or null when the lines cannot be taken as a batch. */
function batchParse(texts: readonly string[], from: number): unknown[] | null {
  for (let i = from; i < texts.length; i++) {
    const t = texts[i];
    // `{` … `}` on every line: no blank line, and no line that only makes sense joined to another.
    if (t.charCodeAt(0) !== 123 || t.charCodeAt(t.length - 1) !== 125) return null;
  }
  const n = texts.length - from;
  // The brackets go onto the first and last line so that join() makes the one flat string JSON.parse reads (no second copy).
  const parts = texts.slice(from);
  parts[0] = `[${parts[0]}`;
  parts[n - 1] = `${parts[n - 1]}]`;
  let values: unknown;
  try {
    values = JSON.parse(parts.join(','));
  } catch {
    return null;
  }
  if (!Array.isArray(values) || values.length !== n) return null;
  for (let i = 0; i < n; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  }
  return values;
}

export class StreamReader {
  /** Problem kind → count. */
  readonly problems = new Map<string, number>();
  private readonly runs = new Map<number, RunState>();
  /** Events read (a 1.3 batch line counts the events it stands for), and the lines that held them. */
  events = 0;
  eventLines = 0;
  private hello: HelloEvent | null = null;

  constructor(
    private readonly source: StreamRuns,
    private readonly log: StreamLog,
    private readonly name: string,
    /** Log every problem (recordings: each bad line by number) instead of once per kind. */
    private readonly logEach = false,
  ) {}

  setHello(hello: HelloEvent): void {
    this.hello = hello;
    for (const r of this.runs.values()) r.apply(hello);
  }

  /** One line (without its newline). `where` names it in a log line (e.g. "line 12"). */
  line(text: string, where?: string): void {
    if (text.length === 0 || (text.length === 1 && text === '\r')) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.problem('json', `malformed JSON${where ? ` at ${where}` : ''}: ${text.slice(0, 80)}`);
      return;
    }
    this.value(value, where);
  }

  /**
   * Lines `from`… of one chunk (without newlines), as if each went through
   * line(). They are parsed with ONE JSON.parse of `[l1,l2,…]`: per-call
   * overhead of JSON.parse is a good part of a short line's cost (~10% of
   * parse + check measured on the bench stream). Taken only when every line
   * is brace-delimited and the array has exactly one object per line; else
   * (a malformed line, a blank one, anything odd) every line is parsed on its
   * own, so a bad line costs exactly itself, counted and logged as before.
   * Known limit: lines crafted to cancel out — one holding two objects
   * (`{…},{…}`) plus one object split over two lines — pass these checks and
   * are counted as other problems than line() would count; no runtime or
   * truncation produces that, and a sender could send any valid event anyway.
   */
  lines(texts: readonly string[], from = 0): void {
    const n = texts.length - from;
    if (n <= 0) return;
    if (n === 1) return this.line(texts[from]);
    const values = batchParse(texts, from);
    if (values) {
      for (let i = 0; i < n; i++) this.value(values[i]);
      return;
    }
    for (let i = from; i < texts.length; i++) this.line(texts[i]);
  }

  private readonly unknown: string[] = [];

  /** One parsed value. */
  private value(value: unknown, where?: string): void {
    const unknown = this.unknown;
    if (unknown.length) unknown.length = 0;
    const problem = checkEvent(value, unknown);
    if (problem) {
      const at = where ? ` at ${where}` : '';
      if (problem.kind === 'unknown-type')
        this.problem(`type:${problem.type}`, `unknown event type "${problem.type.slice(0, 60)}"${at} (ignored)`);
      else if (problem.kind === 'invalid')
        this.problem(
          `invalid:${problem.type}.${problem.field}`,
          `invalid ${problem.type} event${at}: field "${problem.field}" is missing or has the wrong type (event ignored)`,
        );
      else this.problem(problem.kind, `a line that is not an event object${at} (ignored)`);
      return;
    }
    const event = value as WireLine; // checkEvent found nothing wrong
    const type = event.type;
    if (unknown.length) {
      const at = where ? ` at ${where}` : '';
      for (const f of unknown)
        this.problem(`field:${type}.${f}`, `unknown field "${f.slice(0, 60)}" in ${type}${at} (ignored)`);
    }
    this.events += isBatch(event) ? event.after_us.length : 1;
    this.eventLines++;
    if (type === 'hello') {
      this.problem('hello-again', `a second hello${where ? ` at ${where}` : ''} (ignored)`);
      return;
    }
    // dropped may name a run, runtime.disabled never does: those concern the whole process.
    // (A plain load: an `in` test on objects of this many shapes costs more.)
    const run = (event as { run?: unknown }).run;
    try {
      if (typeof run === 'number') {
        const state = run === this.lastRunNo && this.lastRun ? this.lastRun : this.runFor(run);
        if (state) {
          if (isBatch(event)) for (const e of expandBatch(event)) this.applyTo(state, e, where, type);
          else this.applyTo(state, event, where);
        } else
          this.problem(
            'too-many-runs',
            `run ${run} is not followed: no room for more runs (a bounded number is held in all, and followed per program); events of runs past the bound are ignored`,
          );
      } else if (!isBatch(event)) {
        // dropped / runtime.disabled without a run: the whole process.
        for (const r of this.runs.values()) r.apply(event);
      }
    } catch (err) {
      // A reducer bug must cost one event, not the connection.
      this.problem(`internal:${type}`, `could not apply a ${type} event: ${messageOf(err)}`);
    }
  }

  /** One event into its run; a refusal is counted and said (`batch`: the 1.3 batch line it came from). */
  private applyTo(state: RunState, event: WireEvent, where?: string, batch?: string): void {
    const refused = state.apply(event);
    if (refused)
      this.problem(
        `refused:${refused}`,
        `${event.type} event${batch ? ` (of a ${batch} line)` : ''}${where ? ` at ${where}` : ''} refused: ${refused}`,
      );
  }

  private lastRunNo = 0;
  private lastRun: RunState | null = null;

  /** The run's state; null when the source has no room for it (a program must not make the host keep unbounded runs). */
  private runFor(run: number): RunState | null {
    let state = this.runs.get(run);
    if (state) {
      this.lastRunNo = run;
      this.lastRun = state;
      return state;
    }
    const made = this.source.run(run);
    if (!made) return null;
    state = made;
    this.runs.set(run, state);
    if (this.hello) state.apply(this.hello);
    this.lastRunNo = run;
    this.lastRun = state;
    return state;
  }

  private logged = 0;

  private problem(kind: string, message: string): void {
    // A hostile stream could invent endless kinds: keep the table small.
    if (!this.problems.has(kind) && this.problems.size >= MAX_KINDS) kind = 'other';
    const n = this.problems.get(kind) ?? 0;
    this.problems.set(kind, n + 1);
    if (n === 0 || (this.logEach && this.logged < MAX_LOGGED_EACH)) {
      this.logged++;
      this.log.warn(`${this.name}: ${message}`);
    }
  }

  /** Lines that were not used as events (unknown fields alone do not count). */
  problemCount(): number {
    let n = 0;
    for (const [kind, c] of this.problems) if (!kind.startsWith('field:')) n += c;
    return n;
  }
}
