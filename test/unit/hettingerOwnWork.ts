// Hettinger's Trio crawler (test/fixtures/hettinger_trio.ndjson, recorded
// with protocol 1.1) as protocol 1.4 sends it: the nurseries
// trio.open_tcp_stream opens in each fetch, and their connection attempts,
// are Trio's own work (`system`), which Hide system hides.
import { join } from 'node:path';
import { fixtureText } from './fixtureText';

type Ev = Record<string, unknown>;

/** The recording's lines, open_tcp_stream's nurseries and tasks marked system. */
export function hettingerOwnWork(): string {
  const path = join(__dirname, '..', 'fixtures', 'hettinger_trio.ndjson');
  const events = fixtureText(path)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Ev);
  const fetches = new Set(
    events.filter((e) => e.type === 'task.spawned' && String(e.name).startsWith('fetch(')).map((e) => e.id),
  );
  const library = new Set(events.filter((e) => e.type === 'nursery.opened' && fetches.has(e.task)).map((e) => e.id));
  return events
    .map((e) =>
      (e.type === 'nursery.opened' && library.has(e.id)) || (e.type === 'task.spawned' && library.has(e.nursery))
        ? { ...e, system: true }
        : e,
    )
    .map((e) => JSON.stringify(e))
    .join('\n');
}
