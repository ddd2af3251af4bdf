// Small event streams built in code, for shapes a recording does not pin
// down exactly (a fold of 30 same-named siblings, 10,000 tasks).
type Ev = Record<string, unknown>;

const FILE = '/home/user/app/swarm.py';
const site = (line: number, fn = 'main') => ({ file: FILE, line, function: fn });

export function hello(argv = ['swarm.py']): Ev {
  return { type: 'hello', protocol: 1, minor: 0, runtime: 'trio', runtime_version: '0.27.0', lens_version: '0.1.0', python: '3.11.2', pid: 777, argv, cwd: '/home/user/app', instance: 'feed' };
}

/** init → system nursery → main → one nursery; returns the events and the main nursery id (4). */
export function prologue(run = 1): Ev[] {
  return [
    hello(),
    { type: 'run.started', run, ts: 0, wall: Date.now() },
    { type: 'task.spawned', run, ts: 0.1, id: 1, name: '<init>', nursery: null, system: true, site: null },
    { type: 'nursery.opened', run, ts: 0.2, id: 2, task: 1, site: null, system: true },
    { type: 'task.spawned', run, ts: 0.3, id: 3, name: '__main__.main', nursery: 2, system: false, main: true, site: null },
    { type: 'nursery.opened', run, ts: 1, id: 4, task: 3, site: site(10) },
  ];
}

/** `count` tasks named `name` in nursery 4, ids from `firstId`, states cycling through the live ones. */
export function swarm(count: number, name: string, firstId = 10, run = 1): Ev[] {
  const out: Ev[] = [];
  const states = ['waiting', 'running', 'scheduled', 'waiting'];
  for (let i = 0; i < count; i++) {
    out.push({ type: 'task.spawned', run, ts: 2 + i * 0.01, id: firstId + i, name, nursery: 4, system: false, site: site(12) });
    out.push({ type: 'task.state', run, ts: 2 + i * 0.01, id: firstId + i, state: states[i % states.length], at: site(20 + (i % 5), name) });
  }
  return out;
}

/**
 * A big live tree: `groups` supervisor tasks under main's nursery, each with its
 * own nursery of `perGroup` workers, every task named differently (nothing
 * folds: the worst case for drawing).
 */
export function bigTree(groups: number, perGroup: number, run = 1): Ev[] {
  const out = prologue(run);
  let id = 10;
  for (let g = 0; g < groups; g++) {
    const sup = id++;
    const nur = id++;
    out.push({ type: 'task.spawned', run, ts: 2, id: sup, name: `supervisor_${g}`, nursery: 4, system: false, site: site(30) });
    out.push({ type: 'nursery.opened', run, ts: 2, id: nur, task: sup, site: site(40, 'supervisor') });
    for (let w = 0; w < perGroup; w++) {
      const t = id++;
      out.push({ type: 'task.spawned', run, ts: 3, id: t, name: `worker_${g}_${w}`, nursery: nur, system: false, site: site(42, 'supervisor') });
      out.push({ type: 'task.state', run, ts: 3, id: t, state: w % 3 === 0 ? 'running' : 'waiting', at: site(50 + (w % 7), 'worker') });
    }
  }
  return out;
}
