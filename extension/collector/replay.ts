// Recordings (`python -m nursery_lens --record FILE`, or Save Recording…)
// hold exactly the lines a live connection carries, so they go through the
// same framing (LineDecoder, the 1 MiB line limit), reader and reducer. A
// hello starts a program's stream (the same instance again is a reconnect).
// Bad lines are reported by number; good ones kept. A line past the limit
// ends the reading there, as it ends a connection; the runs read so far stay.
// Runs per recording are bounded: the store keeps no more runs that are over.
import { MAX_LINE_BYTES } from '../../contract/wire';
import { LineDecoder, LineTooLongError } from './lineDecoder';
import { StreamReader } from './streamReader';
import { validateEvent } from './protocol';
import { MAX_EVENT_DEPTH, nestsDeeperThan } from './jsonDepth';
import { RunState, type RunStateOptions } from '../store/runState';
import { MAX_ENDED_RUNS, scriptLabel } from '../store/runStore';

export interface ReplayOptions {
  retainFinished?: number;
  /** How the runs keep their history (RunStateOptions.history). */
  history?: RunStateOptions['history'];
  /** Label of the runs (default: the program's script name from its hello, else "recording"). */
  label?: string;
}

export interface ReplayResult {
  runs: RunState[];
  /** One message per bad line (capped), each naming its line number. */
  problems: string[];
  badLines: number;
  events: number;
}

/** Runs read from one recording; later ones are counted as bad lines (the store keeps no more runs that are over). */
export const MAX_RECORDING_RUNS = MAX_ENDED_RUNS;
/** Problems listed per recording; the rest are only counted. */
const MAX_PROBLEMS = 200;
/** Bytes handed to the decoder at once: well under the line limit. */
const PIECE_BYTES = 64 * 1024;

let recordingCounter = 0;

/** One recording, fed as bytes (in chunks of any size), then ended. */
export class RecordingReplay {
  private readonly decoder = new LineDecoder(MAX_LINE_BYTES);
  private readonly recording = ++recordingCounter;
  private readonly runs: RunState[] = [];
  private readonly problems: string[] = [];
  private unlisted = 0;
  private readonly log = {
    warn: (m: string) => {
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(m);
      else this.unlisted++;
    },
  };
  private streams = 0;
  private reader: StreamReader | null = null;
  private instance: string | null = null;
  private label: string;
  private badLines = 0;
  /** Lines nested too deep to be events: a shared file is anyone's, and such a line is not parsed at all. */
  private deepLines = 0;
  private events = 0;
  private lineNo = 0;
  private stopped = false;

  constructor(private readonly options: ReplayOptions = {}) {
    this.label = options.label ?? 'recording';
  }

  /**
   * Feeds one chunk; false once the reading has stopped (a line over the
   * limit). The decoder gets pieces shorter than a line may be, so the lines
   * before an over-long one are all read.
   */
  push(chunk: Buffer): boolean {
    for (let off = 0; off < chunk.length && !this.stopped; off += PIECE_BYTES) {
      let lines: string[];
      try {
        lines = this.decoder.push(chunk.subarray(off, off + PIECE_BYTES));
      } catch (err) {
        if (!(err instanceof LineTooLongError)) throw err;
        this.stopped = true;
        this.badLines++;
        this.log.warn(
          `recording: line ${this.lineNo + 1} is longer than ${err.limit} bytes (the limit of a live connection too): the rest of the recording was not read`,
        );
        break;
      }
      for (const line of lines) this.line(line);
    }
    return !this.stopped;
  }

  /** The end of the recording (its last line need not end with a newline). */
  end(): ReplayResult {
    const last = this.stopped ? null : this.decoder.end();
    if (last !== null) this.line(last);
    this.finishReader();
    this.badLines += this.deepLines;
    if (this.deepLines > 1) this.log.warn(`recording: ${this.deepLines} lines nest too deep to be events (not read)`);
    if (this.unlisted) this.problems.push(`recording: ${this.unlisted} more problem(s) not listed`);
    for (const r of this.runs) {
      if (this.badLines) r.addProblem(`${this.badLines} line(s) of the recording were not used`);
      r.judge(); // a deadlock or hang the recording ends in
    }
    return { runs: this.runs, problems: this.problems, badLines: this.badLines, events: this.events };
  }

  private line(line: string): void {
    this.lineNo++;
    if (!line.trim()) return;
    if (nestsDeeperThan(line, MAX_EVENT_DEPTH)) {
      if (!this.deepLines++)
        this.log.warn(
          `recording: line ${this.lineNo} nests deeper than ${MAX_EVENT_DEPTH} levels: not an event (not read)`,
        );
      return;
    }
    // A hello starts a (new) program's stream; the same instance again is a reconnect.
    if (line.includes('"hello"') && this.hello(line)) return;
    this.reader ??= this.newReader();
    this.reader.line(line, `line ${this.lineNo}`);
  }

  private hello(line: string): boolean {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return false;
    }
    const v = validateEvent(value);
    if (!v.ok || v.event.type !== 'hello') return false;
    const hello = v.event;
    if (!this.reader || hello.instance !== this.instance) {
      this.finishReader();
      this.instance = hello.instance;
      if (!this.options.label) this.label = scriptLabel(hello.argv) ?? 'recording';
      this.reader = this.newReader();
    }
    this.reader.setHello(hello);
    return true;
  }

  private newReader(): StreamReader {
    const s = ++this.streams;
    const label = this.label;
    return new StreamReader(
      {
        run: (run) => {
          if (this.runs.length >= MAX_RECORDING_RUNS) return null;
          const key = `rec${this.recording}${s > 1 ? `.p${s}` : ''}.r${run}`;
          const state = new RunState(key, run > 1 ? `${label} · run ${run}` : label, {
            retainFinished: this.options.retainFinished,
            history: this.options.history,
          });
          state.markRecording();
          this.runs.push(state);
          return state;
        },
      },
      this.log,
      'recording',
      true,
    );
  }

  private finishReader(): void {
    const r = this.reader;
    if (!r) return;
    this.badLines += r.problemCount();
    this.events += r.events;
    this.reader = null;
  }
}

/**
 * A recording's run as the picker names it: its program, after the file's
 * name when that says more (`hang.ndjson: deadlock.py`; `trio_way.ndjson`
 * of trio_way.py adds nothing), so two recordings of one program differ.
 */
export function recordingRunLabel(file: string, label: string, runs: number): string {
  const stem = (n: string) => n.replace(/\.[^.]*$/, '');
  if (runs === 1 && label !== 'recording' && stem(file) === stem(label)) return label;
  return `${file}: ${label}`;
}

/** A whole recording held in memory (tests, small files). */
export function replayNdjson(text: string, options: ReplayOptions = {}): ReplayResult {
  const replay = new RecordingReplay(options);
  replay.push(Buffer.from(text, 'utf8'));
  return replay.end();
}

export function runsFromNdjson(text: string, options?: ReplayOptions): RunState[] {
  return replayNdjson(text, options).runs;
}
