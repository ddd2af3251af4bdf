// A run's history (extension/store/runHistory.ts): the state it rebuilds for
// a moment is the state a fresh reducer reaches when fed the run's events up
// to that moment, on every recorded fixture, on random streams with
// checkpoints close together and retention folding, and on a long run whose
// oldest history was made coarse to fit its budget.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayNdjson } from '../../extension/collector/replay';
import { validateEvent } from '../../extension/collector/protocol';
import { RunState } from '../../extension/store/runState';
import { PAGE } from '../../extension/store/eventCodec';
import type { RunInfo } from '../../contract/rows';
import type { HelloEvent, WireEvent } from '../../contract/wire';
import { randomRun } from './randomRuns';
import { Rng } from './streamMutations';
import { exited, hello, opened, prologue, scope, spawned, state } from './wireEvents';
import { eventsOf } from '../../extension/collector/batches';

const fixtureDir = join(__dirname, '..', 'fixtures');
const FIXTURES = readdirSync(fixtureDir).filter((f) => f.endsWith('.ndjson'));

/** The parts of a run's header a moment determines (the clock pair is the host's). */
function header(info: RunInfo): Omit<RunInfo, 'clock'> {
  const { clock: _clock, ...rest } = info;
  return rest;
}

function assertSameMoment(got: RunState, want: RunState, what: string): void {
  assert.deepEqual(got.rows(), want.rows(), `${what}: rows`);
  assert.deepEqual(header(got.info()), header(want.info()), `${what}: header`);
}

/** The valid events of a recording, in order (what its reader hands the reducer). */
function recordedEvents(text: string): WireEvent[] {
  const out: WireEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const v = validateEvent(JSON.parse(line));
    if (v.ok) out.push(...eventsOf(v.event));
  }
  return out;
}

/** A recording's run `run` rebuilt from scratch: marked a recording, its hello, then its events with ts ≤ t. */
function freshUpTo(like: RunState, events: WireEvent[], run: number, t: number, retainFinished?: number): RunState {
  const s = new RunState(like.key, like.label, { history: false, retainFinished });
  s.markRecording();
  const hi = events.find((e): e is HelloEvent => e.type === 'hello');
  if (hi) s.apply(hi);
  for (const e of events) {
    if (e.type === 'hello') continue;
    if ('run' in e && e.run !== undefined && e.run !== run) continue;
    if (e.ts !== undefined && e.ts > t) continue;
    s.apply(e);
  }
  return s;
}

describe('run history: the state at a moment', () => {
  for (const file of FIXTURES) {
    it(`${file}: the state at t equals a fresh reducer fed the events with ts ≤ t`, () => {
      const text = readFileSync(join(fixtureDir, file), 'utf8');
      const events = recordedEvents(text);
      const timed = events.flatMap((e) => (e.type !== 'hello' && e.ts !== undefined ? [e.ts] : []));
      assert.deepEqual(
        timed,
        [...timed].sort((a, b) => a - b),
        'the fixture is in time order',
      );
      for (const retainFinished of [undefined, 3]) {
        // Checkpoints close together, so moments are rebuilt from several of them.
        const { runs } = replayNdjson(text, { retainFinished, history: { minSpacing: 8, dense: true } });
        assert.ok(runs.length >= 1);
        for (const [n, run] of runs.entries()) {
          const h = run.history!;
          assert.ok(h.checkpointCount > 1, 'several checkpoints');
          const times = [...new Set(timed)];
          const step = Math.max(1, Math.floor(times.length / 40));
          const probes = [
            0,
            ...times.filter((_, i) => i % step === 0),
            ...times.slice(-3),
            times[times.length - 1] + 1,
            times[3] + 0.0005,
          ];
          for (const t of probes) {
            const m = h.stateAt(h.positionAt(t))!;
            assert.equal(m.coarse, false);
            assertSameMoment(
              m.state,
              freshUpTo(run, events, n + 1, t, retainFinished),
              `${file} run ${n + 1} at ${t} (retain ${retainFinished ?? 'default'})`,
            );
          }
          // The last moment is the run as the store holds it now.
          assertSameMoment(h.stateAt(h.length)!.state, run, `${file}: the end`);
        }
      }
    });
  }

  it('random streams (cycles refused, loose tasks, moves, folds): every position rebuilt equals the prefix fed fresh', () => {
    const rng = new Rng(1207);
    for (let k = 0; k < 30; k++) {
      const { live, fed, prefix } = randomRun(rng, 600, (r) => ({ minSpacing: 1 + r.int(40), dense: r.chance(0.5) }));
      const h = live.history!;
      assert.equal(h.length, fed.length);
      for (let probe = 0; probe < 12; probe++) {
        const pos = rng.int(fed.length + 1);
        const fresh = prefix(pos);
        const m = h.stateAt(pos)!;
        assert.equal(m.pos, pos);
        assertSameMoment(m.state, fresh, `stream ${k} at position ${pos}`);
      }
    }
  });

  it('a rebuilt moment is a copy: going on from it leaves the run and its checkpoints as they were', () => {
    const live = new RunState('r', 'r', { history: { minSpacing: 2, dense: true } });
    const evs: WireEvent[] = [
      hello(),
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 2),
      state(5, 3, 'waiting'),
      scope(9, 5, 3.5, { deadline: 10 }),
      spawned(6, 4, 'b', 4),
    ];
    evs.forEach((e) => live.apply(e));
    const before = JSON.stringify(live.rows());
    const m = live.history!.stateAt(5)!;
    m.state.apply(exited(3, 9, 'raised'));
    m.state.apply(scope(9, 5, 9, { deadline: 1 }));
    assert.equal(JSON.stringify(live.rows()), before);
    const again = live.history!.stateAt(live.history!.length)!.state;
    assert.equal(JSON.stringify(again.rows()), before);
  });

  it('deltaFrom: what a panel showing one moment needs to show another, either way in time', () => {
    const live = new RunState('r', 'r', { history: { minSpacing: 2, dense: true } });
    const evs: WireEvent[] = [
      hello(),
      ...prologue(),
      opened(4, 3, 1),
      spawned(5, 4, 'a', 2),
      spawned(6, 4, 'b', 2.5),
      state(5, 3, 'waiting'),
      exited(6, 4, 'raised'),
    ];
    evs.forEach((e) => live.apply(e));
    const h = live.history!;
    const early = h.stateAt(h.positionAt(1.5))!.state;
    const late = h.stateAt(h.length)!.state;
    const forward = late.deltaFrom(early);
    assert.deepEqual(forward.upsert.map((r) => r.id).sort(), [5, 6], 'rows that did not change stay out');
    assert.deepEqual(forward.remove, []);
    const back = h.stateAt(h.positionAt(1.5))!.state.deltaFrom(late);
    assert.deepEqual(back.remove.sort(), [5, 6]);
    assert.deepEqual(back.upsert, []);
  });

  it('a long run past its budget: the recent past stays exact, the older history coarse (checkpoints only), memory bounded', () => {
    // Waves of 40 short tasks with state samples: 100,000 events.
    const events: WireEvent[] = [hello(), ...prologue(), opened(4, 3, 1)];
    let id = 10;
    let ts = 2;
    while (events.length < 100_000) {
      const wave = Array.from({ length: 40 }, () => id++);
      for (const t of wave) events.push(spawned(t, 4, `w${t % 7}`, (ts += 0.01)));
      for (const t of wave) events.push(state(t, (ts += 0.01), 'running'), state(t, (ts += 0.01), 'waiting'));
      for (const t of wave) events.push(exited(t, (ts += 0.01), t % 13 ? 'returned' : 'raised'));
    }
    const budget = 3_000_000;
    const live = new RunState('r', 'r', { retainFinished: 100, history: { budget, minSpacing: 1000, dense: true } });
    let most = 0;
    for (const e of events) {
      live.apply(e);
      most = Math.max(most, live.history!.bytes());
    }
    const h = live.history!;
    // Events go a page (16,384) at a time: the budget is kept to within about two pages.
    assert.ok(most < budget + 2 * PAGE * 34, `held ${most} bytes at most (budget ${budget})`);
    assert.ok(h.exactFrom > h.since, 'part of the history is coarse');
    assert.ok(h.exactFrom < ts * 0.9, 'the recent past is exact');
    const fresh = (upTo: number) => {
      const f = new RunState('r', 'r', { retainFinished: 100, history: false });
      for (const e of events.slice(0, upTo)) f.apply(e);
      return f;
    };
    for (const t of [h.exactFrom, (h.exactFrom + ts) / 2, ts - 1, ts]) {
      const m = h.stateAt(h.positionAt(t))!;
      assert.equal(m.coarse, false, `exact at ${t}`);
      assertSameMoment(m.state, fresh(m.pos), `at ${t}`);
    }
    const old = h.stateAt(h.positionAt((h.since + h.exactFrom) / 2))!;
    assert.equal(old.coarse, true, 'a moment in the coarse part says so');
    assertSameMoment(old.state, fresh(old.pos), 'the coarse moment is the checkpoint it names');
  });

  it('a live run checkpoints sparsely; a seek leaves finer checkpoints behind, so the next seek nearby replays little', () => {
    const events: WireEvent[] = [hello(), ...prologue(), opened(4, 3, 1)];
    for (let i = 0; i < 30_000; i++) {
      const id = 10 + i;
      events.push(spawned(id, 4, 'w', 2 + i * 0.01), exited(id, 2.005 + i * 0.01));
    }
    const live = new RunState('r', 'r', { retainFinished: 20 });
    events.forEach((e) => live.apply(e));
    const h = live.history!;
    assert.equal(h.checkpointCount, 1, 'only the start: a live run pays little for its history');
    const target = h.length - 100;
    assert.equal(h.replayFrom(target), 0);
    const m = h.stateAt(target)!;
    assert.ok(h.checkpointCount > 5, `${h.checkpointCount} checkpoints after one seek`);
    assert.ok(target - h.replayFrom(target) <= 4096, 'the next seek starts near');
    const again = h.stateAt(target)!;
    assert.deepEqual(again.state.rows(), m.state.rows());
  });
});
