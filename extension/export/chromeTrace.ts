// A run's history as a Chrome trace (Trace Event Format, JSON object form),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open next to other
// traces. Pure: the run's wire events in, the trace out. Each task is a track
// (tid = its id) holding one complete slice ("X") for its life with its
// sampled states nested inside; each nursery a track holding its open span,
// placed just above its tasks (thread_sort_index follows the tree, depth
// first); failures, cancels, flags and lost lines are instant events. The
// process (pid = the program's) is named after the run.
import type { HelloEvent, RunStartedEvent, WireEvent, WireSite } from '../../contract/wire';
import { clean, errorText, libraryWords, outcomeText, programLabel } from './treeText';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  /** Instant events: t(hread), p(rocess) or g(lobal). */
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

/** The track of run-wide things (the run's own span, drops): no wire id is 0. */
const RUN_TID = 0;

interface Track {
  id: number;
  kind: 'task' | 'nursery';
  name: string;
  parent: number | null;
  start: number;
  end?: number;
  args: Record<string, unknown>;
  /** The sampled state open now: its start, name and await site. */
  state?: { start: number; name: string; at: WireSite | null };
}

/** Microseconds (the format's unit) from the wire's milliseconds, whole. */
const us = (ms: number): number => Math.round(ms * 1000);

const siteArg = (s: WireSite): string => `${s.file}:${s.line} (${s.function})`;

/** The trace of one run: `events` are its lines in order (its hello may come first). */
export function chromeTrace(events: readonly WireEvent[], hello?: HelloEvent): ChromeTrace {
  const b = new TraceBuilder(hello?.pid ?? 1);
  for (const e of events) {
    if (e.type === 'hello') hello = e;
    else b.apply(e);
  }
  return b.finish(hello);
}

class TraceBuilder {
  private readonly out: TraceEvent[] = [];
  private readonly tracks = new Map<number, Track>();
  private started: RunStartedEvent | undefined;
  private finished: { ts: number; words: string } | undefined;
  private lastTs = 0;
  /** Ids a snapshot replayed so far (null: no snapshot open). */
  private seen: Set<number> | null = null;

  constructor(private readonly pid: number) {}

  apply(e: WireEvent): void {
    const ts = (e as { ts?: number }).ts;
    if (ts !== undefined && ts > this.lastTs) this.lastTs = ts;
    switch (e.type) {
      case 'run.started':
        this.started ??= e;
        return;
      case 'run.finished':
        this.finished = {
          ts: e.ts,
          words: outcomeText(e.outcome, e.error),
        };
        return;
      case 'task.spawned': {
        this.seen?.add(e.id);
        if (this.tracks.has(e.id)) return; // a snapshot's replay
        const parent = e.nursery ?? e.parent ?? null;
        const args: Record<string, unknown> = { id: e.id };
        if (e.site) args.site = siteArg(e.site);
        if (e.nursery === null && !e.main && !e.system) args.loose = true;
        if (e.system) args.system = true;
        this.tracks.set(e.id, { id: e.id, kind: 'task', name: e.name, parent, start: e.ts, args });
        return;
      }
      case 'task.moved': {
        const t = this.tracks.get(e.id);
        if (t) t.parent = e.nursery;
        return;
      }
      case 'task.state':
        return this.state(e.id, e.ts, e.state, e.at);
      case 'task.exited': {
        const t = this.tracks.get(e.id);
        if (!t || t.end !== undefined) return;
        const what = outcomeText(e.outcome, e.error);
        t.args.outcome = what;
        if (e.outcome === 'raised' && e.error?.site) t.args.raised_at = siteArg(e.error.site);
        if (e.cancel) t.args.cancel = e.cancel;
        if (e.outcome !== 'returned') this.instant(e.id, e.ts, what, { ...(e.cancel ? { cancel: e.cancel } : {}) });
        return this.end(t, e.ts);
      }
      case 'task.flagged':
        return this.instant(e.id, e.ts, `⚠ ${e.flag.replace(/_/g, ' ')}`, e.error ? { error: errorText(e.error) } : {});
      case 'nursery.opened': {
        this.seen?.add(e.id);
        if (this.tracks.has(e.id)) return;
        const word = e.kind === 'taskgroup' ? 'TaskGroup' : e.kind === 'anyio' ? 'task group (AnyIO)' : 'nursery';
        const args: Record<string, unknown> = { id: e.id, owner: e.task };
        if (e.site) args.site = siteArg(e.site);
        if (e.system) args.system = true;
        const name = `${word}${e.start ? ' of start()' : ''}${e.site ? ` @ ${e.site.file.split(/[\\/]/).pop()}:${e.site.line}` : ''}`;
        this.tracks.set(e.id, { id: e.id, kind: 'nursery', name, parent: e.task, start: e.ts, args });
        return;
      }
      case 'nursery.closed': {
        const n = this.tracks.get(e.id);
        if (n && n.end === undefined) this.end(n, e.ts);
        return;
      }
      case 'dropped':
        this.out.push({
          name: `${e.count} events dropped`,
          ph: 'i',
          s: 'g',
          ts: us(e.ts),
          pid: this.pid,
          tid: RUN_TID,
          cat: 'lens',
        });
        return;
      case 'snapshot.begin':
        this.seen = new Set();
        return;
      case 'snapshot.end':
        return this.snapshotEnd(e.ts);
      default:
        return; // scopes, hello, runtime.disabled: not drawn
    }
  }

  /** A sampled state: the previous one ends, this one begins (same state and site: nothing changes). */
  private state(id: number, ts: number, state: string, at: WireSite | null | undefined): void {
    const t = this.tracks.get(id);
    if (!t || t.end !== undefined) return;
    this.seen?.add(id);
    const prev = t.state;
    const site = at === undefined ? (prev?.at ?? null) : at;
    const name = site ? `${state} @ ${site.file.split(/[\\/]/).pop()}:${site.line}` : state;
    if (prev && prev.name === name) return;
    this.closeState(t, ts);
    t.state = { start: ts, name, at: site };
  }

  private closeState(t: Track, ts: number): void {
    const s = t.state;
    if (!s) return;
    t.state = undefined;
    const args = s.at ? { at: siteArg(s.at) } : {};
    this.out.push({
      name: s.name,
      cat: 'state',
      ph: 'X',
      ts: us(s.start),
      dur: Math.max(0, us(ts) - us(s.start)),
      pid: this.pid,
      tid: t.id,
      args,
    });
  }

  private end(t: Track, ts: number): void {
    this.closeState(t, ts);
    t.end = ts;
  }

  private instant(tid: number, ts: number, name: string, args: Record<string, unknown>): void {
    if (!this.tracks.has(tid)) return;
    this.out.push({ name, cat: 'task', ph: 'i', s: 't', ts: us(ts), pid: this.pid, tid, args });
  }

  /** What the program did not replay ended while the reader was away. */
  private snapshotEnd(ts: number): void {
    const seen = this.seen;
    this.seen = null;
    if (!seen) return;
    for (const t of this.tracks.values()) {
      if (t.end !== undefined || seen.has(t.id)) continue;
      if (t.kind === 'task') {
        t.args.outcome = 'lost';
        this.instant(t.id, ts, 'lost (ended while lines were lost)', {});
      }
      this.end(t, ts);
    }
  }

  finish(hello: HelloEvent | undefined): ChromeTrace {
    const endTs = this.finished?.ts ?? this.lastTs;
    const pid = this.pid;
    const out = this.out;
    const order = this.treeOrder();
    for (const t of this.tracks.values()) {
      if (t.end === undefined) {
        if (t.kind === 'task') t.args.outcome ??= 'not finished when the run ended (or the lines did)';
        this.end(t, endTs);
      }
      out.push({
        name: t.name,
        cat: t.kind,
        ph: 'X',
        ts: us(t.start),
        dur: Math.max(0, us(t.end!) - us(t.start)),
        pid,
        tid: t.id,
        args: t.args,
      });
      const title = t.kind === 'task' ? `${t.name} #${t.id}` : t.name;
      out.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: t.id, args: { name: clean(title) } });
      out.push({
        name: 'thread_sort_index',
        ph: 'M',
        ts: 0,
        pid,
        tid: t.id,
        args: { sort_index: order.get(t.id) ?? order.size + 1 },
      });
    }
    const run = this.started;
    const library = libraryWords(
      run?.library ?? 'trio',
      run?.library_version ?? (hello && hello.runtime === (run?.library ?? 'trio') ? hello.runtime_version : undefined),
      run?.anyio,
    );
    const label = `${programLabel(hello?.argv ?? [])}${hello ? ` (pid ${hello.pid})` : ''} · ${library}`;
    out.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: RUN_TID, args: { name: label } });
    out.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: RUN_TID, args: { name: 'run' } });
    out.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid: RUN_TID, args: { sort_index: 0 } });
    out.push({
      name: this.finished ? `run: ${this.finished.words}` : 'run (not finished)',
      cat: 'run',
      ph: 'X',
      ts: 0,
      dur: us(endTs),
      pid,
      tid: RUN_TID,
      args: {},
    });
    // Slices first by start, the longer (enclosing) one first: the order trace viewers nest by.
    out.sort((a, b) => (a.ph === 'M' ? -1 : 0) - (b.ph === 'M' ? -1 : 0) || a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    const otherData: Record<string, string> = { producer: 'Nursery Lens' };
    if (run) otherData.wall = new Date(run.wall).toISOString();
    return { traceEvents: out, displayTimeUnit: 'ms', otherData };
  }

  /** Depth-first position of each track in the run's tree: a nursery just above its tasks. */
  private treeOrder(): Map<number, number> {
    const kids = new Map<number | null, Track[]>();
    for (const t of this.tracks.values()) {
      const p = t.parent !== null && this.tracks.has(t.parent) ? t.parent : null;
      let list = kids.get(p);
      if (!list) kids.set(p, (list = []));
      list.push(t);
    }
    const order = new Map<number, number>();
    const stack = [...(kids.get(null) ?? [])].sort((a, b) => b.id - a.id);
    while (stack.length) {
      const t = stack.pop()!;
      if (order.has(t.id)) continue;
      order.set(t.id, order.size + 1);
      stack.push(...[...(kids.get(t.id) ?? [])].sort((a, b) => b.id - a.id));
    }
    return order;
  }
}
