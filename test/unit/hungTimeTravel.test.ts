// The time cursor over a hung program (examples/hang.py: every task waits on
// an Event from 200 ms on, and nothing comes after): any moment of the run can
// be shown, not only up to its last event. Live, up to the run's time now,
// with the hang as the host's looks had judged it by then, and the steps go
// from one change to the next, over the looks that changed nothing; a saved
// recording that ends at its stop (run.stopped) likewise up to its stop.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../contract/messages';
import { replayNdjson } from '../../extension/collector/replay';
import { DISCONNECTED_EARLY } from '../../extension/store/runFacts';
import type { RunState } from '../../extension/store/runState';
import { bridgeOnStore } from './panelHarness';
import { hello, hungEvents } from './wireEvents';

const turn = () => new Promise((r) => setImmediate(r));
type Past = Extract<HostMessage, { type: 'past' }>;

const hung = hungEvents();

/** A panel bridge whose clock is `ahead` ms past the host's, over a live program that sent `hung` (kept for Save Recording…). */
function hungProgram(ahead: number) {
  const t = bridgeOnStore({ now: () => Date.now() + ahead });
  const program = t.store.openStream({ launchKey: 'k', instance: 'i' });
  program.record(JSON.stringify(hello()));
  const run = program.run(1)!;
  for (const e of hung) {
    program.record(JSON.stringify(e));
    run.apply(e);
  }
  run.info(); // the host showed it as its last event came (its clock is stamped then)
  return { ...t, run };
}

/** Seeks (a moment or a step) and returns the answer. */
async function seek(
  t: { bridge: ReturnType<typeof bridgeOnStore>['bridge']; posted: HostMessage[] },
  run: RunState,
  to: { at: number } | { step: number },
  seq: number,
): Promise<Past> {
  await t.bridge.handle({ type: 'seek', run: run.key, seq, ...to });
  await turn();
  const answer = t.posted.filter((m): m is Past => m.type === 'past').at(-1)!;
  assert.equal(answer.seq, seq, 'answered');
  return answer;
}

const near = (got: number | undefined, want: number, why: string) =>
  assert.ok(got !== undefined && Math.abs(got - want) < 100, `${why}: ${got}, not about ${want}`);

describe('time travel over a hung program: moments after its last event', () => {
  it('live, 30 s in: a moment after the last event is that moment (tree as after it, the hang as judged by then); steps skip the quiet looks', async () => {
    const t = hungProgram(30_500);
    await t.bridge.handle({ type: 'ready' });
    t.bridge.select(t.run.key);
    // The host's verdict watch: a look every 500 ms of a program that sends nothing (claimed at ~1.2 s).
    const t0 = Date.now();
    for (let k = 1; k <= 60; k++) t.run.judge(t0 + k * 500);
    assert.equal(t.run.info().verdict?.kind, 'hang');
    const h = t.run.history!;
    const last = h.stateAt(h.length)!.state.rows();

    const at20 = await seek(t, t.run, { at: 20_000 }, 1);
    assert.equal(at20.run.at, 20_000, 'the moment picked, not the last event (200 ms)');
    assert.deepEqual(at20.rows, last, 'the tree as after the last event');
    assert.equal(at20.run.verdict?.kind, 'hang', 'hung by then');
    const early = await seek(t, t.run, { at: 700 }, 2);
    assert.equal(early.run.at, 700);
    assert.equal(early.run.verdict, undefined, 'not claimed yet at 700 ms: nothing held still for a second');
    const late = await seek(t, t.run, { at: 30_600 }, 3);
    assert.equal(late.run.at, 30_600, "after the host's last look, before the run's now");

    // From live, steps go to the look that claimed the hang, then to the last event, and back on.
    await t.bridge.handle({ type: 'live', run: t.run.key });
    const claim = await seek(t, t.run, { step: -1 }, 4);
    assert.deepEqual(claim.event, { type: 'judged', found: true }, 'a look that found something');
    near(claim.run.at, 1200, 'the look that claimed the hang');
    assert.equal(claim.run.verdict?.kind, 'hang');
    const event = await seek(t, t.run, { step: -1 }, 5);
    assert.deepEqual(event.event, { type: 'task.state', id: 6, state: 'waiting' }, 'the last event');
    assert.equal(event.run.at, 200);
    assert.equal(event.run.verdict, undefined);
    near((await seek(t, t.run, { step: 1 }, 6)).run.at, 1200, 'on again: the claim');
    const end = await seek(t, t.run, { step: 1 }, 7);
    assert.equal(end.pos, h.length, 'then the end');
    near(end.run.at, 30_200, "the host's last look");
    t.bridge.dispose();
  });

  it('a saved recording that ends at its stop (run.stopped): moments up to the stop, hung from a second after 200 ms', async () => {
    const live = hungProgram(0);
    live.run.markDisconnected(DISCONNECTED_EARLY, Date.now() + 10_000);
    const text = live.store.recordingOf(live.run.key)!.text;
    live.bridge.dispose();
    const t = bridgeOnStore({ recordingsOpenAt: () => 'end' });
    await t.bridge.handle({ type: 'ready' });
    const [entry] = t.store.addRecording(replayNdjson(text).runs, { bytes: [Buffer.from(text)], truncated: false });
    const run = entry.state;
    t.bridge.select(run.key);
    const stop = run.info().stoppedAt!;
    near(stop, 10_200, 'the stop');
    const h = run.history!;

    const at5 = await seek(t, run, { at: 5000 }, 1);
    assert.equal(at5.run.at, 5000);
    assert.deepEqual(at5.rows, h.stateAt(h.positionAt(200))!.state.rows(), 'the tree as after the last event');
    assert.equal(at5.run.verdict?.kind, 'hang', 'hung by then, as it read live');
    assert.equal(at5.run.verdict?.since, 200);
    assert.equal((await seek(t, run, { at: 700 }, 2)).run.verdict, undefined, 'not yet at 700 ms');
    assert.equal((await seek(t, run, { at: stop - 50 }, 3)).run.at, stop - 50);
    assert.equal((await seek(t, run, { at: stop + 5000 }, 4)).run.at, stop, 'no moment past the stop');
    t.bridge.dispose();
  });
});
