// A run with a history fed a random stream (streamMutations.ts randomLines),
// and the same run rebuilt fresh from the first events: what the history's
// moments are held to (runHistory.test.ts, historyCursor.test.ts).
import type { WireEvent } from '../../contract/wire';
import { validateEvent } from '../../extension/collector/protocol';
import type { HistoryOptions } from '../../extension/store/runHistory';
import { RunState } from '../../extension/store/runState';
import { randomLines, type Rng } from './streamMutations';
import { eventsOf } from '../../extension/collector/batches';

export interface RandomRun {
  live: RunState;
  /** The events it took, in order (run 1's). */
  fed: WireEvent[];
  /** A fresh state fed the first `pos` of them, no history. */
  prefix(pos: number): RunState;
}

/** `lines` random lines into a run whose retention and history `options` the seeded `rng` picks. */
export function randomRun(rng: Rng, lines: number, options: (rng: Rng) => HistoryOptions): RandomRun {
  const events = randomLines(rng, lines)
    .map((l) => validateEvent(JSON.parse(l)))
    .flatMap((v) => (v.ok ? eventsOf(v.event) : []));
  const retainFinished = rng.int(6);
  const live = new RunState('r', 'r', { retainFinished, history: options(rng) });
  const fed: WireEvent[] = [];
  for (const e of events) {
    if ('run' in e && e.run === 2) continue;
    live.apply(e);
    fed.push(e);
  }
  const prefix = (pos: number) => {
    const fresh = new RunState('r', 'r', { retainFinished, history: false });
    for (const e of fed.slice(0, pos)) fresh.apply(e);
    return fresh;
  };
  return { live, fed, prefix };
}
