// A panel's cursor over a run's history (extension/store/historyCursor.ts):
// the rows a panel holds after applying each answer are the rows of the
// moment it asked for, whether the cursor replayed on from where it was
// (forward, across checkpoints: a scrub) or started again from one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Row } from '../../contract/rows';
import { replayNdjson } from '../../extension/collector/replay';
import { RunStore } from '../../extension/store/runStore';
import { HistoryCursor, type PastMoment } from '../../extension/store/historyCursor';
import { randomRun } from './randomRuns';
import { Rng } from './streamMutations';

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
    for (let k = 0; k < 10; k++) {
      const { live, prefix } = randomRun(rng, 800, (r) => ({ minSpacing: 1 + r.int(20), dense: true }));
      const h = live.history!;
      assert.ok(h.checkpointCount > 3, 'the steps cross checkpoints');
      const cursor = new HistoryCursor(h);
      let shown = new Map<number, Row>();
      let pos = 0;
      for (let probe = 0; probe < 30; probe++) {
        // Mostly a scrub forward a few events at a time, sometimes a jump back.
        const step = rng.chance(0.8) ? 1 + rng.int(25) : -rng.int(200);
        const m = cursor.move({ step: pos === 0 && probe === 0 ? -h.length : step })!;
        pos = m.pos;
        shown = applyTo(shown, m);
        assert.deepEqual(sorted(shown.values()), sorted(prefix(pos).rows()), `stream ${k}, step ${probe} to ${pos}`);
      }
    }
  });

  it('back a step from a moment between events goes to the last event before it, then on back', () => {
    const text = readFileSync('test/fixtures/failing_child.ndjson', 'utf8');
    const [entry] = new RunStore().addRecording(replayNdjson(text).runs, {
      bytes: [Buffer.from(text)],
      truncated: false,
    });
    const cursor = new HistoryCursor(entry.state.history!, { judgeMoments: true });
    // A click on the timeline at 208 ms: check config returned at ~102 ms, and nothing came since.
    const clicked = cursor.move({ at: 208 })!;
    assert.equal(clicked.at, 208);
    assert.deepEqual([clicked.event?.type, clicked.event?.id], ['task.exited', 8]);
    const back = cursor.move({ step: -1, hideSystem: true })!;
    assert.deepEqual([back.pos, back.event?.type, back.event?.id], [clicked.pos, 'task.exited', 8], 'its return first');
    assert.ok(back.at > 100 && back.at < 105, `at the return's moment (${back.at})`);
    const before = cursor.move({ step: -1, hideSystem: true })!;
    assert.equal(before.pos, clicked.pos - 1, 'then the event before it');
    // Two steps at once from a clicked moment count the return as one of them.
    cursor.move({ at: 208 });
    assert.equal(cursor.move({ step: -2, hideSystem: true })!.pos, before.pos);
  });
});
