// A run cut short by its debug session (Stop, or the program exited under the
// debugger) ends with a neutral word, not a "connection lost" warning: the
// session's end and the connection's drop may come in either order.
import assert from 'node:assert/strict';
import { DISCONNECTED_EARLY } from '../../extension/store/runFacts';
import { HistoryCursor } from '../../extension/store/historyCursor';
import { RunStore } from '../../extension/store/runStore';
import { hello, prologue, runFinished } from './wireEvents';

function program(store: RunStore, launchKey: string) {
  const stream = store.openStream({ launchKey, launchLabel: launchKey, instance: launchKey });
  const run = stream.run(1)!;
  for (const e of [hello(), ...prologue()]) run.apply(e);
  store.changed();
  return { stream, run };
}

describe('a run whose debug session ended', () => {
  it('disconnected, then the session ends: no lost connection to warn of', () => {
    const store = new RunStore();
    const a = program(store, 'A');
    const b = program(store, 'B');
    a.stream.disconnected(DISCONNECTED_EARLY);
    b.stream.disconnected(DISCONNECTED_EARLY);
    assert.deepEqual(a.run.info().problems, [DISCONNECTED_EARLY]);
    assert.equal(a.run.info().sessionEnded, undefined);
    store.launchSessionEnded('A');
    assert.equal(a.run.info().status, 'disconnected');
    assert.equal(a.run.info().sessionEnded, true);
    assert.deepEqual(a.run.info().problems, []);
    // another launch's run is untouched
    assert.equal(b.run.info().sessionEnded, undefined);
    assert.deepEqual(b.run.info().problems, [DISCONNECTED_EARLY]);
  });

  it('the session ends first, then the connection drops: the same', () => {
    const store = new RunStore();
    const a = program(store, 'A');
    store.launchSessionEnded('A');
    assert.equal(a.run.info().status, 'live', 'still live until its connection drops');
    assert.equal(a.run.info().sessionEnded, undefined);
    a.stream.disconnected(DISCONNECTED_EARLY);
    assert.equal(a.run.info().status, 'disconnected');
    assert.equal(a.run.info().sessionEnded, true);
    assert.deepEqual(a.run.info().problems, []);
  });

  it('a run that finished stays finished; a second session end changes nothing', () => {
    const store = new RunStore();
    const a = program(store, 'A');
    a.run.apply(runFinished(50));
    a.stream.disconnected(DISCONNECTED_EARLY);
    store.launchSessionEnded('A');
    store.launchSessionEnded('A');
    assert.equal(a.run.info().status, 'finished');
    assert.equal(a.run.info().sessionEnded, undefined);
    assert.deepEqual(a.run.info().problems, []);
  });

  it("a finished run's connection closing is not a moment of its history: its last event stays run.finished", () => {
    const store = new RunStore();
    const a = program(store, 'A');
    a.run.apply(runFinished(5));
    a.stream.disconnected(DISCONNECTED_EARLY);
    assert.equal(a.run.info().status, 'finished');
    const end = new HistoryCursor(a.run.history!).move({ step: 0 })!;
    assert.equal(
      end.event?.type,
      'run.finished',
      'the end of the run reads as its finish, not "the connection was lost"',
    );
  });
});
