// Every run the extension host knows: live ones (per program connection, a
// reconnecting program finds its runs again by its `instance`), recordings,
// and finished ones until the user clears them. Also keeps each program's
// raw lines (bounded) for Save Recording…. Pure: no vscode, no sockets.
import { DEFAULT_RETAIN_FINISHED, RunState } from './runState';
import type { RunInfo } from '../../contract/rows';
import { clip } from './rowEntries';

/** Raw lines kept per program for Save Recording…; past this the saved file is cut short (and says so). */
export const MAX_RAW_BYTES = 32 * 1024 * 1024;
/** Runs that are over (finished, disconnected, recordings) kept before the oldest go: memory stays bounded. */
export const MAX_ENDED_RUNS = 50;
/**
 * Runs held in all (live and over), whatever number of programs and
 * reconnects made them: a new run pushes out the oldest that is over, and is
 * refused when every held run is live.
 */
export const MAX_RUNS = 200;
/** Runs (event loop runs: trio.run, asyncio.run, …) followed per program, across its reconnects. */
export const MAX_RUNS_PER_PROGRAM = 200;
/** Raw lines kept for all programs together; past this, programs that are gone lose theirs first. */
export const MAX_TOTAL_RAW_BYTES = 128 * 1024 * 1024;

export interface StreamOrigin {
  /** Groups the program's streams; a reconnect with the same launch and instance continues the same runs. */
  launchKey: string;
  launchLabel?: string;
  debugSessionId?: string;
  instance: string;
  pid?: number;
  argv?: string[];
}

/** The script name a program was started with, for labels. */
export function scriptLabel(argv: readonly string[] | undefined): string | undefined {
  if (!argv?.length) return undefined;
  let first = argv[0];
  if ((first === '-m' || first === '-c') && argv.length > 1) first = argv[1];
  const base = first.split(/[\\/]/).pop();
  return base ? clip(base, 200) : undefined;
}

/** One program (process): its runs, and the lines it sent. */
export class ProgramStream {
  readonly runs = new Map<number, RunState>();
  raw: string[] = [];
  rawBytes = 0;
  rawTruncated = false;
  connected = 0;

  constructor(
    readonly id: number,
    readonly origin: StreamOrigin,
    private readonly store: RunStore,
    readonly label: string,
  ) {}

  /** The RunState of this program's `run`-th event loop run (created on first use); null when no more runs may be held. */
  run(run: number): RunState | null {
    let state = this.runs.get(run);
    // A run the store let go (it was over) stays gone: a reconnect does not bring it back unseen.
    if (state) return this.store.get(state.key)?.state === state ? state : null;
    if (this.runs.size >= MAX_RUNS_PER_PROGRAM || !this.store.roomFor(1)) return null;
    state = new RunState(`c${this.id}.r${run}`, run > 1 ? `${this.label} · run ${run}` : this.label, {
      retainFinished: this.store.retainFinished(),
    });
    this.runs.set(run, state);
    this.store.added(state, this);
    return state;
  }

  /** Lines were dropped to bound memory: what remains is not the whole stream. */
  rawDropped = false;

  record(line: string): void {
    if (this.rawTruncated) return;
    const bytes = line.length + 1;
    if (this.rawBytes + bytes > this.store.limits.perProgram || !this.store.reserveRaw(bytes, this)) {
      this.rawTruncated = true;
      return;
    }
    this.raw.push(line);
    this.rawBytes += bytes;
  }

  /** Frees this program's raw lines (memory pressure from newer programs). */
  dropRaw(): number {
    const freed = this.rawBytes;
    this.raw = [];
    this.rawBytes = 0;
    this.rawTruncated = true;
    this.rawDropped = true;
    return freed;
  }

  /** The connection ended: runs that did not finish are marked disconnected (their tasks stay as they were). */
  disconnected(reason: string): void {
    this.connected = Math.max(0, this.connected - 1);
    if (this.connected) return;
    for (const r of this.runs.values()) {
      r.markDisconnected(reason);
      if (this.sessionEnded) r.sessionEnded();
    }
    this.store.changed();
  }

  /** Its launch's debug session ended: so did (or will, as the connection drops) every run it did not finish. */
  sessionEnded = false;

  endSession(): void {
    this.sessionEnded = true;
    for (const r of this.runs.values()) r.sessionEnded();
  }
}

/** A recording's lines, kept for Save Recording… (bounded, and counted with the programs' raw lines). */
export interface RecordingLines {
  /** The bytes, as read: kept off the JavaScript heap, made text only when saved. */
  bytes: readonly Uint8Array[];
  /** The recording was longer than what was kept. */
  truncated: boolean;
  /** The file it was read from, as it was then (its URI, size and modification time): opened again unchanged, its runs are shown, not added twice. */
  source?: string;
}

interface KeptRecording {
  bytes: readonly Uint8Array[];
  size: number;
  truncated: boolean;
  /** Let go for newer programs' lines (or there was no room when it was opened). */
  dropped: boolean;
  /** Its runs still in the store: the lines go with the last. */
  runs: number;
  /** Its runs when it was opened. */
  readonly opened: number;
  source?: string;
}

export interface RunEntry {
  state: RunState;
  /** The program stream it came from (live runs), or the recording's lines. */
  stream?: ProgramStream;
  recording?: KeptRecording;
  debugSessionId?: string;
  launchKey?: string;
}

/** `added`: new runs, in the order they came (a recording adds its runs at once). */
export type RunStoreListener = (
  e: { kind: 'added'; entries: RunEntry[] } | { kind: 'changed' } | { kind: 'removed'; keys: string[] },
) => void;

export class RunStore {
  private readonly entries = new Map<string, RunEntry>();
  private readonly streams = new Map<string, ProgramStream>();
  private readonly listeners = new Set<RunStoreListener>();
  private nextStream = 1;
  private rawTotal = 0;

  /**
   * Accounts `bytes` of raw lines for `stream`; frees the lines of programs
   * that are gone (oldest first) when the total would pass its bound. False:
   * nothing could be freed, so the caller stops keeping lines.
   */
  reserveRaw(bytes: number, stream: ProgramStream | null): boolean {
    const max = this.limits.total;
    if (this.rawTotal + bytes > max) {
      for (const s of this.streams.values()) {
        if (s === stream || s.connected || !s.rawBytes) continue;
        this.rawTotal -= s.dropRaw();
        if (this.rawTotal + bytes <= max) break;
      }
      for (const rec of this.recordings) {
        if (this.rawTotal + bytes <= max) break;
        this.dropRecording(rec);
      }
      if (this.rawTotal + bytes > max) return false;
    }
    this.rawTotal += bytes;
    return true;
  }

  /** Recordings whose lines are kept, oldest first. */
  private readonly recordings = new Set<KeptRecording>();

  private dropRecording(rec: KeptRecording): void {
    if (!this.recordings.delete(rec)) return;
    this.rawTotal -= rec.size;
    rec.bytes = [];
    rec.dropped = true;
  }
  private readonly launchPrograms = new Map<string, number>();

  constructor(
    readonly retainFinished: () => number = () => DEFAULT_RETAIN_FINISHED,
    readonly limits: { perProgram: number; total: number } = { perProgram: MAX_RAW_BYTES, total: MAX_TOTAL_RAW_BYTES },
  ) {}

  onDidChange(listener: RunStoreListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(e: Parameters<RunStoreListener>[0]): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A listener's failure must not stop ingestion.
      }
    }
  }

  /** Something in some run changed (called per processed batch of lines). */
  changed(): void {
    this.emit({ kind: 'changed' });
  }

  /** A program said hello: its stream (the same one again when it reconnects). */
  openStream(origin: StreamOrigin): ProgramStream {
    const key = `${origin.launchKey}\u0000${origin.instance}`;
    let stream = this.streams.get(key);
    if (!stream) {
      const n = (this.launchPrograms.get(origin.launchKey) ?? 0) + 1;
      this.launchPrograms.set(origin.launchKey, n);
      const base = origin.launchLabel ?? scriptLabel(origin.argv) ?? 'program';
      // A launch's processes running at once (a program and its subprocesses) are told apart by pid; the
      // program run again once the last ended (Run File in its terminal) keeps its name, as F5 again does
      // (the run picker tells same-named runs apart by their start time).
      const beside = [...this.streams.values()].some((s) => s.connected > 0 && s.origin.launchKey === origin.launchKey);
      const label = n > 1 && beside && origin.pid !== undefined ? `${base} (pid ${origin.pid})` : base;
      stream = new ProgramStream(this.nextStream++, origin, this, label);
      this.streams.set(key, stream);
    }
    stream.connected++;
    return stream;
  }

  /** Called by ProgramStream when it creates a run (after roomFor). */
  added(state: RunState, stream: ProgramStream): void {
    const entry: RunEntry = { state, stream, launchKey: stream.origin.launchKey };
    if (stream.origin.debugSessionId) entry.debugSessionId = stream.origin.debugSessionId;
    this.entries.set(state.key, entry);
    this.emit({ kind: 'added', entries: [entry] });
  }

  /**
   * Makes room for `n` new runs (`over`: they are over already, as a
   * recording's are): the oldest runs that are over go, beyond MAX_ENDED_RUNS
   * and as far as MAX_RUNS needs. False when live runs fill the store.
   */
  roomFor(n: number, over = false): boolean {
    const ended = this.all().filter((e) => e.state.currentStatus !== 'live');
    const drop = Math.min(
      ended.length,
      Math.max(ended.length + (over ? n : 0) - MAX_ENDED_RUNS, this.entries.size + n - MAX_RUNS, 0),
    );
    if (drop > 0) this.remove(ended.slice(0, drop).map((e) => e.state.key));
    return this.entries.size + n <= MAX_RUNS;
  }

  /** Removes runs, frees what only they held, and tells listeners. */
  private remove(keys: string[]): void {
    for (const k of keys) {
      const rec = this.entries.get(k)?.recording;
      this.entries.delete(k);
      if (rec && --rec.runs === 0) this.dropRecording(rec);
    }
    this.forgetGoneStreams();
    if (keys.length) this.emit({ kind: 'removed', keys });
  }

  private forgetGoneStreams(): void {
    for (const [k, s] of this.streams) {
      if (s.connected) continue;
      if ([...s.runs.values()].every((r) => !this.entries.has(r.key))) {
        this.rawTotal -= s.dropRaw();
        this.streams.delete(k);
      }
    }
  }

  /** A recording's runs, as many as there is room for (the first ones); one `added` for them all. */
  addRecording(runs: readonly RunState[], lines: RecordingLines): RunEntry[] {
    let n = Math.min(runs.length, MAX_ENDED_RUNS);
    while (n > 0 && !this.roomFor(n, true)) n--;
    if (!n) return [];
    const size = lines.bytes.reduce((sum, b) => sum + b.length, 0);
    const kept = this.reserveRaw(size, null);
    const recording: KeptRecording = {
      bytes: kept ? lines.bytes : [],
      size,
      truncated: lines.truncated,
      dropped: !kept,
      runs: n,
      opened: n,
      ...(lines.source !== undefined ? { source: lines.source } : {}),
    };
    if (kept) this.recordings.add(recording);
    const out: RunEntry[] = runs.slice(0, n).map((state) => ({ state, recording }));
    for (const entry of out) this.entries.set(entry.state.key, entry);
    this.emit({ kind: 'added', entries: out });
    return out;
  }

  /** The runs read from `source` (RecordingLines.source), if the store still holds every one of them (else none). */
  fromSource(source: string): RunEntry[] {
    const held = this.all().filter((e) => e.recording?.source === source);
    return held.length && held.length === held[0].recording?.opened ? held : [];
  }

  get(key: string): RunEntry | undefined {
    return this.entries.get(key);
  }

  all(): RunEntry[] {
    return [...this.entries.values()];
  }

  infos(): RunInfo[] {
    return this.all().map((e) => e.state.info());
  }

  /** The lines to save for a run: everything its program sent (or the recording it came from). */
  recordingOf(key: string): { text: string; truncated: boolean; dropped?: boolean } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const rec = e.recording;
    if (rec)
      return {
        text: Buffer.concat(rec.bytes).toString('utf8'),
        truncated: rec.truncated,
        ...(rec.dropped ? { dropped: true } : {}),
      };
    if (!e.stream) return undefined;
    // The program's lines, then the collector's own: where each run that did not finish stopped (PROTOCOL.md, run.stopped).
    let stops = '';
    for (const [n, run] of e.stream.runs) {
      const stop = run.stoppedLine(n);
      if (stop) stops += `${stop}\n`;
    }
    const raw = e.stream.raw;
    return {
      text: raw.join('\n') + (raw.length ? '\n' : '') + stops,
      truncated: e.stream.rawTruncated,
      ...(e.stream.rawDropped ? { dropped: true } : {}),
    };
  }

  /** A launch's debug session ended: its programs' unfinished runs end with it, not with a lost connection. */
  launchSessionEnded(launchKey: string): void {
    let any = false;
    for (const { launchKey: key, stream } of this.entries.values())
      if (key === launchKey && stream && !stream.sessionEnded) {
        stream.endSession();
        any = true;
      }
    if (any) this.changed();
  }

  /** Removes runs that are not live (finished, disconnected, recordings). Returns their keys. */
  clearFinished(): string[] {
    const keys = this.all()
      .filter((e) => e.state.currentStatus !== 'live')
      .map((e) => e.state.key);
    this.remove(keys);
    return keys;
  }
}
