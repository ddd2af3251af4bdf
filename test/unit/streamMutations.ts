// Hostile event streams for the fuzz suite, all from one seeded generator so
// every run of the suite sees the same streams: the recorded fixtures mutated
// (lines dropped, repeated, swapped, cut; ids pointed at other rows, made
// negative, huge or not numbers; types and fields swapped; junk sites; runs,
// drops, snapshots and hellos injected), random streams over a few ids (so
// cycles and collisions are common), and streams built to cost the most per
// event (deep trees, long cancel chains).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic PRNG (mulberry32). */
export class Rng {
  constructor(private state: number) {}

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

type Ev = Record<string, unknown>;

const fixtureDir = join(__dirname, '..', 'fixtures');
/** Each fixture's events, parsed. */
export const fixtures: { name: string; events: Ev[] }[] = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.ndjson'))
  .map((name) => ({
    name,
    events: readFileSync(join(fixtureDir, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Ev),
  }));

const TYPES = [
  'task.spawned',
  'task.moved',
  'task.state',
  'task.exited',
  'task.flagged',
  'nursery.opened',
  'nursery.closed',
  'scope.changed',
  'scope.closed',
  'run.started',
  'run.finished',
  'dropped',
  'snapshot.begin',
  'snapshot.end',
  'runtime.disabled',
  'hello',
  'task.teleported',
];
const ID_FIELDS = ['id', 'nursery', 'task', 'run'];
const deepJunk = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

/** A value an id field might be given by a hostile sender. */
function hostileId(rng: Rng, known: number[]): unknown {
  switch (rng.int(9)) {
    case 0:
      return -rng.int(50);
    case 1:
      return 0;
    case 2:
      return 2 ** 53 + rng.int(3);
    case 3:
      return rng.int(5) + 0.5;
    case 4:
      return String(rng.int(50));
    case 5:
      return null;
    default:
      return known.length ? rng.pick(known) : rng.int(50) + 1;
  }
}

/** One event changed in one hostile way. */
function mutateEvent(rng: Rng, e: Ev, known: number[]): Ev {
  const out: Ev = { ...e };
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2: {
      // Point an id at another row (cycles, collisions) or at junk.
      const fields = ID_FIELDS.filter((f) => f in out);
      if (fields.length)
        out[rng.pick(fields)] = rng.chance(0.7) && known.length ? rng.pick(known) : hostileId(rng, known);
      return out;
    }
    case 3:
      out.type = rng.pick(TYPES);
      return out;
    case 4: {
      const keys = Object.keys(out).filter((k) => k !== 'type');
      if (keys.length) delete out[rng.pick(keys)];
      return out;
    }
    case 5:
      out[rng.pick(['colour', 'site', 'at', 'error', 'cancel'])] = rng.pick([
        deepJunk(50),
        { file: 5 },
        [],
        'x'.repeat(rng.int(5000)),
        { type: 'E', message: 'm', exceptions: [{ type: 'E', message: 'm' }] },
      ]);
      return out;
    case 6:
      out.site = {
        file: '/abs/p.py',
        line: rng.int(100),
        function: 'f',
        ...(rng.chance(0.5) ? { junk: deepJunk(20) } : {}),
      };
      return out;
    case 7:
      out.cancel = { source: 'explicit', by: known.length ? rng.pick(known) : 1 };
      out.type = 'task.exited';
      out.outcome = 'cancelled';
      return out;
    case 8:
      out.ts = rng.pick([-1, 1e300, Number.NaN, 'now', rng.next() * 1000]);
      return out;
    default:
      out.run = rng.pick([1, 1, 2, 3, 201]);
      return out;
  }
}

/** Events a sender might slip in anywhere. */
function injected(rng: Rng, known: number[]): Ev {
  const run = rng.pick([1, 1, 2]);
  const id = known.length ? rng.pick(known) : 1;
  switch (rng.int(8)) {
    case 0:
      return { type: 'dropped', run, ts: 1, count: 1 + rng.int(100), total: 1000 };
    case 1:
      return { type: 'snapshot.begin', run, ts: 1 };
    case 2:
      return { type: 'snapshot.end', run, ts: 1 };
    case 3:
      return { type: 'run.finished', run, ts: 1, outcome: 'returned' };
    case 4:
      return { type: 'run.started', run, ts: 0, wall: 1, resumed: true };
    case 5:
      return { type: 'task.moved', run, ts: 1, id, nursery: rng.pick(known.length ? known : [1]) };
    case 6:
      return {
        type: 'scope.changed',
        run,
        ts: 1,
        id: 1000 + rng.int(200),
        task: id,
        deadline: 5,
        shield: false,
        cancel_called: rng.chance(0.5),
      };
    default:
      return {
        type: 'hello',
        protocol: 1,
        minor: 2,
        runtime: 'trio',
        runtime_version: '0',
        lens_version: '0',
        python: '3',
        pid: 1,
        argv: [],
        cwd: '/',
        instance: `i${rng.int(3)}`,
      };
  }
}

/** A fixture's lines, mutated: some events changed, lines dropped, repeated, swapped, cut or junk. */
export function mutatedLines(rng: Rng, events: Ev[], rate: number): string[] {
  const known = [...new Set(events.map((e) => e.id).filter((x): x is number => typeof x === 'number'))];
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'hello' && out.length === 0) {
      out.push(JSON.stringify(e));
      continue;
    }
    const r = rng.next();
    if (r < rate * 0.15) continue; // dropped
    let ev = r < rate ? mutateEvent(rng, e, known) : e;
    if (rng.chance(rate * 0.1)) ev = mutateEvent(rng, ev, known);
    let text = JSON.stringify(ev);
    if (rng.chance(rate * 0.05)) text = text.slice(0, rng.int(text.length)); // cut short
    out.push(text);
    if (rng.chance(rate * 0.1)) out.push(text); // repeated
    if (rng.chance(rate * 0.1)) out.push(JSON.stringify(injected(rng, known)));
    if (rng.chance(rate * 0.02))
      out.push(rng.pick(['', '\r', '[1,2]', 'null', '{}', '{"type":1}', '\u0000\u00ff', '{"a":'.repeat(200)]));
    if (out.length > 2 && rng.chance(rate * 0.1)) {
      const i = out.length - 1;
      [out[i - 1], out[i]] = [out[i], out[i - 1]]; // swapped
    }
  }
  return out;
}

/** A stream of plausible events over a few ids: parents, moves, cancels and exits at random. */
export function randomLines(rng: Rng, n: number): string[] {
  const out = [
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      minor: 2,
      runtime: 'trio',
      runtime_version: '0',
      lens_version: '0',
      python: '3',
      pid: 1,
      argv: ['/r.py'],
      cwd: '/',
      instance: 'r',
    }),
  ];
  const ids = 2 + rng.int(40);
  const id = () => 1 + rng.int(ids);
  for (let i = 0; i < n; i++) {
    const run = rng.chance(0.9) ? 1 : 2;
    const ts = i / 10;
    const site = rng.chance(0.5) ? null : { file: `/src/f${rng.int(5)}.py`, line: rng.int(50), function: 'f' };
    const pick = rng.int(10);
    let e: Ev;
    if (pick < 3) {
      // Some loose (1.2: nursery null, made by a task), so links run task to task too.
      const loose = rng.chance(0.2);
      e = {
        type: 'task.spawned',
        run,
        ts,
        id: id(),
        name: `t${rng.int(9)}`,
        nursery: loose || rng.chance(0.1) ? null : id(),
        system: rng.chance(0.2),
        site,
        ...(loose ? { parent: id() } : {}),
      };
    } else if (pick < 5)
      e = { type: 'nursery.opened', run, ts, id: id(), task: id(), site, ...(rng.chance(0.2) ? { start: true } : {}) };
    else if (pick === 5) e = { type: 'task.moved', run, ts, id: id(), nursery: id() };
    else if (pick === 6)
      e = {
        type: 'task.exited',
        run,
        ts,
        id: id(),
        outcome: rng.pick(['returned', 'raised', 'cancelled']),
        ...(rng.chance(0.5) ? { cancel: { by: id() } } : {}),
      };
    else if (pick === 7) e = { type: 'nursery.closed', run, ts, id: id() };
    else if (pick === 8)
      e = { type: 'scope.changed', run, ts, id: id(), task: id(), deadline: null, shield: true, cancel_called: false };
    else if (rng.chance(0.5)) {
      // A wait naming holders (which may end, or never have been), so a holder's end reaches its waiters.
      const holders = Array.from({ length: rng.int(3) }, id);
      const waits = {
        kind: rng.pick(['lock', 'semaphore', 'children']),
        obj: 900 + rng.int(3),
        label: 'Lock l',
        holders,
      };
      e = { type: 'task.state', run, ts, id: id(), state: rng.chance(0.8) ? 'waiting' : 'running', waits };
    } else e = injected(rng, [id(), id()]);
    out.push(JSON.stringify(e));
  }
  return out;
}

/** Streams built to cost the most per event: a deep tree, then moves and cancelled exits at its bottom. */
export function costlyLines(depth: number, events: number): string[] {
  const out = [
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      minor: 2,
      runtime: 'trio',
      runtime_version: '0',
      lens_version: '0',
      python: '3',
      pid: 1,
      argv: ['/c.py'],
      cwd: '/',
      instance: 'c',
    }),
  ];
  const ev = (e: Ev) => out.push(JSON.stringify({ run: 1, ts: 1, ...e }));
  ev({ type: 'run.started', ts: 0, wall: 1 });
  ev({ type: 'task.spawned', id: 1, name: 'root', nursery: null, system: false, site: null });
  for (let d = 0; d < depth; d++) {
    ev({ type: 'nursery.opened', id: 2 + 2 * d, task: 1 + 2 * d, site: null });
    ev({ type: 'task.spawned', id: 3 + 2 * d, name: 'deep', nursery: 2 + 2 * d, system: false, site: null });
  }
  const bottom = 2 + 2 * depth;
  ev({ type: 'nursery.opened', id: bottom, task: 1 + 2 * depth, site: null });
  // A task that owns a nursery, moved back and forth (each move walks the tree), and the top task asked to move below it.
  ev({ type: 'task.spawned', id: bottom + 1, name: 'mover', nursery: bottom, system: false, site: null });
  ev({ type: 'nursery.opened', id: bottom + 2, task: bottom + 1, site: null });
  let next = bottom + 3;
  for (let i = 0; i < events; i++) {
    if (i % 3 === 0) ev({ type: 'task.moved', id: bottom + 1, nursery: i % 2 ? bottom : 2 });
    else if (i % 3 === 1) ev({ type: 'task.moved', id: 1, nursery: bottom });
    else {
      ev({ type: 'task.spawned', id: next, name: 'leaf', nursery: bottom, system: false, site: null });
      ev({ type: 'task.exited', id: next, outcome: 'cancelled', cancel: { by: next - 3 } });
      next++;
    }
  }
  return out;
}
