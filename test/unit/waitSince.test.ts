// How long a task has waited (a task row's `since`, which the details pane
// counts from for "State: waiting for" and "Waits for … for"): the sampler
// may never see a task running between two waits (a worker of
// examples/server_like.py goes from the lock to a sleep and back), so a new
// wait, not only a new state, starts the count again.
import assert from 'node:assert/strict';
import type { TaskStateEvent, WireSite, WireWaits } from '../../contract/wire';
import { run, task } from './runRows';
import { opened, prologue, site, spawned, state } from './wireEvents';

const LOCK: WireWaits = { kind: 'lock', obj: 20, label: 'Lock lock', holders: [6] };
const sleepUntil = (until: number): WireWaits => ({ kind: 'sleep', label: 'trio.sleep', until, wakes: true });
const worker = (line: number): WireSite => site(line, '/abs/server_like.py', 'worker');

/** A sample of worker-0 (task 5) waiting: `fields` are what changed since its last sample (absent: unchanged). */
const sample = (ts: number, fields: Partial<TaskStateEvent> = {}): TaskStateEvent => ({
  ...state(5, ts, 'waiting'),
  ...fields,
});

/** main's nursery 4 holds worker-0 (5) and worker-1939 (6). */
const pool = () => [...prologue(), opened(4, 3, 1), spawned(5, 4, 'worker-0', 2), spawned(6, 4, 'worker-1939', 3)];

describe('how long a task has waited for what it waits for now (task since)', () => {
  it('a wait for something else restarts the count, though no sample saw the task run in between', () => {
    const r = run([
      ...pool(),
      sample(1_000, { at: worker(40), waits: LOCK }),
      sample(1_500, { at: worker(43), waits: sleepUntil(5_500) }),
      sample(75_327, { at: worker(40), waits: { ...LOCK, holders: [6] } }),
    ]);
    const t = task(r, 5);
    assert.equal(t.state, 'waiting');
    assert.equal(t.since, 75_327, 'waits for the lock since 75.3 s, not since its first wait at 1 s');
    assert.deepEqual(t.waits?.holders, [6]);
  });

  it('successive sleeps (only their deadline differs) each count from their own start', () => {
    const r = run([
      ...pool(),
      sample(1_000, { at: worker(43), waits: sleepUntil(4_000) }),
      sample(23_000, { waits: sleepUntil(27_000) }),
    ]);
    assert.equal(task(r, 5).since, 23_000);
    assert.equal(task(r, 5).waits?.until, 27_000);
  });

  it('one wait goes on while its holders and detail change, and when a snapshot replays it', () => {
    const r = run([...pool(), sample(1_000, { at: worker(40), waits: LOCK, chain: [worker(40)] })]);
    r.apply(sample(1_400, { waits: { ...LOCK, holders: [3], detail: '4 waiting' } }));
    r.apply(sample(1_800, { at: worker(40), chain: [worker(40)], waits: { ...LOCK, holders: [3] } }));
    assert.equal(task(r, 5).since, 1_000);
  });

  it('the same lock at another await site, or another await chain, is a new wait', () => {
    const r = run([...pool(), sample(1_000, { at: worker(40), waits: LOCK, chain: [site(9), worker(40)] })]);
    r.apply(sample(2_000, { at: worker(50) }));
    assert.equal(task(r, 5).since, 2_000, 'another line: it ran and came back');
    r.apply(sample(3_000, { chain: [site(12), worker(50)] }));
    assert.equal(task(r, 5).since, 3_000, 'called from elsewhere: it ran and came back');
  });

  it('a wait nobody can name, then a lock: a new wait; a new state still restarts the count', () => {
    const r = run([...pool(), sample(1_000, { at: worker(40), waits: null }), sample(2_000, { waits: LOCK })]);
    assert.equal(task(r, 5).since, 2_000);
    r.apply(state(5, 2_500, 'scheduled'));
    assert.equal(task(r, 5).since, 2_500);
    r.apply(sample(3_000, { waits: LOCK }));
    assert.equal(task(r, 5).since, 3_000);
  });
});
