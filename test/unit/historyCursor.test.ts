// A panel's cursor over a run's history (extension/store/historyCursor.ts):
// the rows a panel holds after applying each answer are the rows of the
// moment it asked for, whether the cursor replayed on from where it was
// (forward, across checkpoints: a scrub) or started again from one.
import assert from 'node:assert/strict';
import type { Row } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { validateEvent } from '../../extension/collector/protocol';
import { HistoryCursor, type PastMoment } from '../../extension/store/historyCursor';
import { RunState } from '../../extension/store/runState';
import { randomLines, Rng } from './streamMutations';

/** What a webview holds after applying the cursor's answers (mirror.ts). */
function applyTo(rows: Map<number, Row>, m: PastMoment): Map<number, Row> {
  const out = m.reset ? new Map<number, Row>() : rows;
  for (const id of m.remove) out.delete(id);
  for (const r of m.rows) out.set(r.id, r);
  return out;
}

const sorted = (rows: Iterable<Row>) => [...rows].sort((a, b) => a.id - b.id);

describe('history cursor: the moments a panel is shown', () => {
  it('random streams, checkpoints close together: small steps forward across them and jumps back hold the moment asked for', () => {
    const rng = new Rng(4242);
    for (let k = 0; k < 20; k++) {
      const events = randomLines(rng, 800)
        .map((l) => validateEvent(JSON.parse(l)))
        .flatMap((v) => (v.ok ? [v.event] : []));
      const retainFinished = rng.int(6);
      const live = new RunState('r', 'r', { retainFinished, history: { minSpacing: 1 + rng.int(20), dense: true } });
      const fed: WireEvent[] = [];
      for (const e of events) {
        if ('run' in e && e.run === 2) continue;
        live.apply(e);
        fed.push(e);
      }
      const h = live.history!;
      assert.ok(h.checkpointCount > 3, 'the steps cross checkpoints');
      const cursor = new HistoryCursor(h);
      let shown = new Map<number, Row>();
      let pos = 0;
      for (let probe = 0; probe < 40; probe++) {
        // Mostly a scrub forward a few events at a time, sometimes a jump back.
        const step = rng.chance(0.8) ? 1 + rng.int(25) : -rng.int(200);
        const m = cursor.move({ step: pos === 0 && probe === 0 ? -h.length : step })!;
        pos = m.pos;
        shown = applyTo(shown, m);
        const fresh = new RunState('r', 'r', { retainFinished, history: false });
        for (const e of fed.slice(0, pos)) fresh.apply(e);
        assert.deepEqual(sorted(shown.values()), sorted(fresh.rows()), `stream ${k}, step ${probe} to ${pos}`);
      }
    }
  });
});
