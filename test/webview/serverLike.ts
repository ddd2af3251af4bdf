// The server-like example (examples/server_like.py, recorded with the real
// runtime in test/fixtures/scale/server_like.ndjson.gz) at its busiest moment: every
// worker spawned and sampled, one probe group failed (probe-7 raised, its 23
// siblings cancelled) and a fresh one running, before the shutdown.
import { eventsOf, LiveRun, readStream } from './streams';

const events = eventsOf(readStream('test/fixtures/scale/server_like.ndjson.gz'));
const names = new Map(events.filter((e) => e.type === 'task.spawned').map((e) => [e.id as number, String(e.name)]));
/** The shutdown starts with the first worker's exit (workers end only when main cancels them). */
const shutdown = events.findIndex((e) => e.type === 'task.exited' && names.get(e.id as number)?.startsWith('worker-'));

export function serverLike(key = 'live-server', label = 'server_like.py'): LiveRun {
  return new LiveRun(key, label).feed(events.slice(0, shutdown));
}

/** The shutdown's first events (workers exiting), fed to a live run as the deltas that follow `serverLike()`'s moment. */
export function shutdownEvents(count: number): Array<Record<string, unknown>> {
  return events.slice(shutdown, shutdown + count);
}

/** The recording up to the shutdown, split before the first worker's spawn: the services, then the pool's 2,000 arriving. */
export function beforeAndAfterWorkers(): [Array<Record<string, unknown>>, Array<Record<string, unknown>>] {
  const first = events.findIndex((e) => e.type === 'task.spawned' && String(e.name).startsWith('worker-'));
  return [events.slice(0, first), events.slice(first, shutdown)];
}

/** Task ids by name at that moment (the last task of each name: probes restart with the same names). */
export function idsByName(run: LiveRun): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of run.state.rows()) if (r.kind === 'task') out.set(r.name, r.id);
  return out;
}
