// Recordings (`python -m nursery_lens --record FILE`, or Save Recording…)
// hold exactly the lines a live connection carries, so they go through the
// same reader and reducer. Bad lines are reported by number; good ones kept.
import { StreamReader } from './streamReader';
import { validateEvent } from './protocol';
import { MAX_EVENT_DEPTH, nestsDeeperThan } from './jsonDepth';
import { RunState } from '../store/runState';
import { scriptLabel } from '../store/runStore';

export interface ReplayOptions {
  retainFinished?: number;
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

let recordingCounter = 0;

export function replayNdjson(text: string, options: ReplayOptions = {}): ReplayResult {
  const problems: string[] = [];
  const runs: RunState[] = [];
  const log = { warn: (m: string) => problems.push(m) };
  const recording = ++recordingCounter;
  let stream = 0;
  let reader: StreamReader | null = null;
  let instance: string | null = null;
  let label = options.label ?? 'recording';
  let badLines = 0;
  let events = 0;
  // A shared file is anyone's: a line nested too deep to be an event is not parsed at all.
  let deepLines = 0;

  const newReader = (): StreamReader => {
    stream++;
    const s = stream;
    return new StreamReader({
      run: (run) => {
        const key = `rec${recording}${s > 1 ? `.p${s}` : ''}.r${run}`;
        const state = new RunState(key, run > 1 ? `${label} · run ${run}` : label, { retainFinished: options.retainFinished });
        state.markRecording();
        runs.push(state);
        return state;
      },
    }, log, 'recording', true);
  };

  const finish = (r: StreamReader | null) => {
    if (!r) return;
    badLines += r.problemCount();
    events += r.events;
  };

  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end);
    start = end + 1;
    if (!line.trim()) continue;
    if (nestsDeeperThan(line, MAX_EVENT_DEPTH)) {
      if (!deepLines++) problems.push(`recording: line ${lineNo} nests deeper than ${MAX_EVENT_DEPTH} levels: not an event (not read)`);
      continue;
    }
    // A hello starts a (new) program's stream; the same instance again is a reconnect.
    if (line.includes('"hello"')) {
      let value: unknown;
      try { value = JSON.parse(line); } catch { value = undefined; }
      const v = validateEvent(value);
      if (v.ok && v.event.type === 'hello') {
        const hello = v.event;
        if (!reader || hello.instance !== instance) {
          finish(reader);
          instance = hello.instance;
          if (!options.label) label = scriptLabel(hello.argv) ?? 'recording';
          reader = newReader();
        }
        reader.setHello(hello);
        continue;
      }
    }
    reader ??= newReader();
    reader.line(line, `line ${lineNo}`);
  }
  finish(reader);
  badLines += deepLines;
  if (deepLines > 1) problems.push(`recording: ${deepLines} lines nest too deep to be events (not read)`);
  for (const r of runs) if (badLines) r.addProblem(`${badLines} line(s) of the recording were not used`);
  return { runs, problems, badLines, events };
}

export function runsFromNdjson(text: string, options?: { retainFinished?: number; label?: string }): RunState[] {
  return replayNdjson(text, options).runs;
}
