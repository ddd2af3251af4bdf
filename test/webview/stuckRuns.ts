// Runs where tasks are stuck or cancelled, for the panel's "why is it stuck"
// tests (issue #15): recorded examples cut where they hang, a lock queue, the
// three causes of a cancel; and what those tests read back from the page.
import type { Harness } from './browser';
import { eventsOf, LiveRun, readStream, runsMessage } from './streams';
import { prologue } from './synthetic';

export type Ev = Record<string, unknown>;

/** A recorded example fed as a live run up to the moment its --exit-after thread cancels the stuck tasks. */
export function stuckRun(fixture: string, key: string, label: string): { run: LiveRun; rest: Ev[] } {
  const events = eventsOf(readStream(`test/fixtures/${fixture}`));
  const stop = events.find((e) => e.type === 'scope.changed' && e.cancel_called)!.ts as number;
  const cut = events.findIndex((e) => typeof e.ts === 'number' && e.ts >= stop);
  const run = new LiveRun(key, label).feed(events.slice(0, cut));
  // the host's timer: a stuck program sends nothing, so the store is asked with the clock moved on
  run.state.judge(Date.now() + 5000);
  return { run, rest: events.slice(cut) };
}

export const site = (line: number, fn = 'main') => ({ file: '/home/user/app/bank.py', line, function: fn });
export const waits = (id: number, ts: number, w: Ev | null): Ev => ({
  type: 'task.state',
  run: 1,
  ts,
  id,
  state: 'waiting',
  at: site(40 + id, 'work'),
  waits: w,
});

/** Task `id` spawned at 2 ms into `nursery` (main's by default), at line 20 + id. */
export const spawned = (id: number, name: string, nursery = 4): Ev => ({
  type: 'task.spawned',
  run: 1,
  ts: 2,
  id,
  name,
  nursery,
  system: false,
  site: site(20 + id),
});

/** main's nursery (4) holds a `keeper` holding Lock db and three `client-N` waiting for it. */
export function lockQueue(detail?: string): LiveRun {
  const ev: Ev[] = [...prologue()];
  ev.push({ type: 'task.spawned', run: 1, ts: 2, id: 10, name: 'keeper', nursery: 4, system: false, site: site(20) });
  for (let i = 0; i < 3; i++)
    ev.push({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id: 11 + i,
      name: `client-${i}`,
      nursery: 4,
      system: false,
      site: site(21),
    });
  ev.push(waits(10, 50, { kind: 'sleep', label: 'trio.sleep', until: 60_000, wakes: true }));
  for (let i = 0; i < 3; i++)
    ev.push(
      waits(11 + i, 50, { kind: 'lock', obj: 30, label: 'Lock db', holders: [10], ...(detail ? { detail } : {}) }),
    );
  return new LiveRun('locks', 'bank.py').feed(ev);
}

/** A failing child, an explicit cancel() with a reason, and a deadline, each cancelling a task (protocol 1.2 causes). */
export function cancelled(): LiveRun {
  const ev: Ev[] = [...prologue()];
  ev.push(spawned(10, 'parse feed'), spawned(11, 'download'));
  ev.push(
    { type: 'nursery.opened', run: 1, ts: 3, id: 12, task: 3, site: site(50) },
    spawned(13, 'poller', 12),
    spawned(14, 'crawler', 12),
  );
  ev.push({
    type: 'scope.changed',
    run: 1,
    ts: 3,
    id: 15,
    task: 3,
    deadline: 900,
    shield: false,
    cancel_called: false,
    site: site(49),
    call: 'move_on_after',
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 300,
    id: 10,
    outcome: 'raised',
    error: { type: 'ValueError', message: 'bad url' },
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 301,
    id: 11,
    outcome: 'cancelled',
    cancel: { source: 'nursery', by: 10, scope: 4, error: { type: 'ValueError', message: 'bad url' } },
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 400,
    id: 13,
    outcome: 'cancelled',
    cancel: { source: 'explicit', by: 3, site: site(30), reason: 'shutting down' },
  });
  ev.push({
    type: 'task.exited',
    run: 1,
    ts: 901,
    id: 14,
    outcome: 'cancelled',
    cancel: { source: 'deadline', scope: 15, site: site(49) },
  });
  return new LiveRun('causes', 'feed.py').feed(ev);
}

/** Shows `run` as the panel's one run. */
export const show = async (h: Harness, run: LiveRun): Promise<void> => h.send(runsMessage([run.state]), run.snapshot());
export const text = async (h: Harness, sel: string): Promise<string> => (await h.page.locator(sel).textContent()) ?? '';
/** The wait-for edges of class `cls` drawn, as `from>to` keys, sorted. */
export const edges = (h: Harness, cls: string): Promise<string[]> =>
  h.page.$$eval(`.wait-links path.wait-link.${cls}`, (ps) =>
    ps.map((p) => `${p.getAttribute('data-from')}>${p.getAttribute('data-to')}`).sort(),
  );
export const keyOf = async (h: Harness, name: string): Promise<string> =>
  (await h.task(name).getAttribute('data-key'))!;
