// A saved recording of a run that did not finish ends where its program
// stopped (protocol 1.5, `run.stopped`, the collector's line): a program hung
// for 10 s, stopped, saved and opened again reads as it did live — its end at
// 10 s, not at its last event, and "Was hung" — and a program cannot send
// the line itself.
import assert from 'node:assert/strict';
import type { WireEvent } from '../../contract/wire';
import { replayNdjson } from '../../extension/collector/replay';
import { runStatus } from '../../extension/export/treeText';
import { DISCONNECTED_EARLY } from '../../extension/store/runFacts';
import { RunStore } from '../../extension/store/runStore';
import type { RunState } from '../../extension/store/runState';
import { run } from './runRows';
import { hello, hungEvents, prologue, runFinished } from './wireEvents';

const hung = hungEvents();

/** A live program that said hello and sent `events` (kept for Save Recording…, as the collector keeps them). */
function liveProgram(events: WireEvent[]): { store: RunStore; state: RunState } {
  const store = new RunStore();
  const program = store.openStream({ launchKey: 'k', instance: 'i' });
  program.record(JSON.stringify(hello()));
  const state = program.run(1)!;
  for (const e of events) {
    program.record(JSON.stringify(e));
    state.apply(e);
  }
  return { store, state };
}

/** A live program that sent `events`, then stopped `quietMs` after its last one; what Save Recording… writes. */
function savedAfterStop(events: WireEvent[], quietMs: number, session = false): { text: string; liveEnd: number } {
  const { store, state } = liveProgram(events);
  state.markDisconnected(DISCONNECTED_EARLY, Date.now() + quietMs);
  if (session) state.sessionEnded();
  return { text: store.recordingOf(state.key)!.text, liveEnd: state.info().clock.ts };
}

describe('a saved recording of a run that did not finish (run.stopped)', () => {
  it('ends at the stop, not at its last event, and was hung until then', () => {
    const { text, liveEnd } = savedAfterStop(hung, 10_000);
    const last = JSON.parse(text.trimEnd().split('\n').pop()!);
    assert.equal(last.type, 'run.stopped');
    assert.equal(last.reason, DISCONNECTED_EARLY);
    assert.equal(last.session_ended, undefined);
    assert.ok(Math.abs(last.ts - 10_200) < 50, `stopped at ${last.ts}`);
    const [r] = replayNdjson(text).runs;
    const info = r.info();
    assert.equal(info.clock.ts, liveEnd, 'the recording ends where the live run did');
    assert.equal(info.stoppedAt, liveEnd);
    assert.equal(info.verdict?.kind, 'hang', 'and was hung then');
    assert.equal(info.verdict?.since, 200);
    assert.equal(info.verdict?.endedAt, undefined, 'until the program stopped');
    assert.ok(info.problems.includes(DISCONNECTED_EARLY));
    assert.equal(runStatus(info), 'disconnected', 'Copy Tree as Text says so');
    const h = r.history!;
    assert.equal(h.timeOf(h.length), liveEnd, 'its timeline ends there too');
    assert.equal(h.stateAt(h.length)!.state.info().verdict?.kind, 'hang', 'a replay of its history finds the hang');
  });

  it('saved while the program still runs (hung for 10 s): the recording ends at the save, hung until then', () => {
    const { store, state: live } = liveProgram(hung);
    live.info(); // the host showed it as its last event came (its clock is stamped then)
    const last = JSON.parse(live.stoppedLine(1, Date.now() + 10_000)!);
    assert.equal(last.running, true);
    assert.ok(last.ts >= 10_200 && last.ts < 10_400, `saved at ${last.ts}`);
    const text = store.recordingOf(live.key)!.text;
    assert.equal(
      JSON.parse(text.trimEnd().split('\n').pop()!).type,
      'run.stopped',
      'what Save Recording… writes ends so',
    );
    const [r] = replayNdjson([...text.trimEnd().split('\n').slice(0, -1), JSON.stringify(last)].join('\n')).runs;
    const info = r.info();
    assert.equal(info.clock.ts, last.ts, 'the recording ends at the save');
    assert.equal(info.savedRunning, true);
    assert.equal(info.verdict?.kind, 'hang', 'hung until the save');
    assert.equal(info.status, 'recording');
    assert.deepEqual(info.problems, [], 'nothing was lost: no problem to report');
    assert.equal(runStatus(info), 'running', 'Copy Tree as Text says the run went on');
  });

  it('a debug session that was stopped is a chosen end: no lost connection to warn of', () => {
    const { text } = savedAfterStop(hung, 3000, true);
    assert.equal(JSON.parse(text.trimEnd().split('\n').pop()!).session_ended, true);
    const info = replayNdjson(text).runs[0].info();
    assert.equal(info.sessionEnded, true);
    assert.ok(!info.problems.includes(DISCONNECTED_EARLY), info.problems.join('\n'));
  });

  it('a run that finished gets no such line; one the recording cuts short without it ends at its last event', () => {
    const { store, state } = liveProgram([...prologue(), runFinished(5)]);
    state.markDisconnected(DISCONNECTED_EARLY);
    assert.ok(!store.recordingOf(state.key)!.text.includes('run.stopped'));
    const cut = replayNdjson([hello(), ...hung].map((e) => JSON.stringify(e)).join('\n')).runs[0].info();
    assert.equal(cut.clock.ts, 200);
    assert.equal(cut.stoppedAt, undefined);
    assert.equal(runStatus(cut), 'not finished');
  });

  it("a program's own run.stopped is refused: only the collector writes it", () => {
    const r = run([...hung, { type: 'run.stopped', run: 1, ts: 300, reason: 'I stopped' }]);
    const info = r.info();
    assert.equal(info.status, 'live');
    assert.equal(info.stoppedAt, undefined);
    assert.ok(!info.problems.includes('I stopped'));
    assert.ok(
      info.problems.some((p) => /run\.stopped line .* came from a program/i.test(p)),
      info.problems.join('\n'),
    );
  });
});
