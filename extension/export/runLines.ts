// One run's events out of the lines the store keeps for Save Recording… (a
// live program's, or a recording's: several programs, several runs each),
// for exports that need the run's history (the Chrome trace). Lines are read
// as the collector reads them: validated, the bad ones left out.
import type { HelloEvent, WireEvent } from '../../contract/wire';
import { validateEvent } from '../collector/protocol';
import { eventsOf } from '../collector/batches';

/** Which run of which program of the lines: `program` counts hellos of new instances from 1. */
export interface RunAddress {
  program: number;
  run: number;
}

/**
 * The run a store key names. Keys are made by ProgramStream.run (`c3.r2`: a
 * live program's lines hold that program only) and by RecordingReplay
 * (`rec1.p2.r1`: the recording's second program); test/unit/chromeTrace.test.ts
 * holds this to both.
 */
export function runAddress(key: string): RunAddress | null {
  const m = /(?:\.p(\d+))?\.r(\d+)$/.exec(key);
  return m ? { program: m[1] ? Number(m[1]) : 1, run: Number(m[2]) } : null;
}

export interface RunEvents {
  hello?: HelloEvent;
  events: WireEvent[];
}

/** The events of one run (and its program's hello), in order; events without a run (drops) too. */
export function eventsOfRun(text: string, at: RunAddress): RunEvents {
  const out: RunEvents = { events: [] };
  let program = 0;
  let instance: string | null = null;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const line = text.slice(from, to).trim();
    from = to + 1;
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const v = validateEvent(value);
    if (!v.ok) continue;
    const e = v.event;
    if (e.type === 'hello') {
      if (e.instance !== instance) {
        instance = e.instance;
        program++;
      }
      if (program === at.program) out.hello = e;
      continue;
    }
    if (program > at.program) break;
    if (program !== at.program && !(program === 0 && at.program === 1)) continue;
    const run = (e as { run?: number }).run;
    if (run === undefined || run === at.run) for (const one of eventsOf(e)) out.events.push(one);
  }
  return out;
}
