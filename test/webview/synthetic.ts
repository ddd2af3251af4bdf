// Small event streams built in code, for shapes a recording does not pin
// down exactly (a fold of 30 same-named siblings, 10,000 tasks), and rows
// no recording holds (parents in a cycle).
import type { NurseryRow, Row, TaskRow } from '../../contract/rows';

type Ev = Record<string, unknown>;

const FILE = '/home/user/app/swarm.py';
const site = (line: number, fn = 'main') => ({ file: FILE, line, function: fn });

export function hello(argv = ['swarm.py']): Ev {
  return {
    type: 'hello',
    protocol: 1,
    minor: 0,
    runtime: 'trio',
    runtime_version: '0.27.0',
    lens_version: '0.1.0',
    python: '3.11.2',
    pid: 777,
    argv,
    cwd: '/home/user/app',
    instance: 'feed',
  };
}

/** init → system nursery → main → one nursery; returns the events and the main nursery id (4). */
export function prologue(run = 1): Ev[] {
  return [
    hello(),
    { type: 'run.started', run, ts: 0, wall: Date.now() },
    { type: 'task.spawned', run, ts: 0.1, id: 1, name: '<init>', nursery: null, system: true, site: null },
    { type: 'nursery.opened', run, ts: 0.2, id: 2, task: 1, site: null, system: true },
    {
      type: 'task.spawned',
      run,
      ts: 0.3,
      id: 3,
      name: '__main__.main',
      nursery: 2,
      system: false,
      main: true,
      site: null,
    },
    { type: 'nursery.opened', run, ts: 1, id: 4, task: 3, site: site(10) },
  ];
}

/** `count` tasks named `name` in nursery 4, ids from `firstId`, states cycling through the live ones. */
export function swarm(count: number, name: string, firstId = 10, run = 1): Ev[] {
  const out: Ev[] = [];
  const states = ['waiting', 'running', 'scheduled', 'waiting'];
  for (let i = 0; i < count; i++) {
    out.push({
      type: 'task.spawned',
      run,
      ts: 2 + i * 0.01,
      id: firstId + i,
      name,
      nursery: 4,
      system: false,
      site: site(12),
    });
    out.push({
      type: 'task.state',
      run,
      ts: 2 + i * 0.01,
      id: firstId + i,
      state: states[i % states.length],
      at: site(20 + (i % 5), name),
    });
  }
  return out;
}

/**
 * A big live tree: `groups` supervisor tasks under main's nursery, each with its
 * own nursery of `perGroup` workers, every task named differently and spawned
 * from a line of its own (no two of one kind: nothing folds, the worst case
 * for drawing once the user opens it all).
 */
export function bigTree(groups: number, perGroup: number, run = 1): Ev[] {
  const out = prologue(run);
  let id = 10;
  for (let g = 0; g < groups; g++) {
    const sup = id++;
    const nur = id++;
    out.push({
      type: 'task.spawned',
      run,
      ts: 2,
      id: sup,
      name: `supervisor_${g}`,
      nursery: 4,
      system: false,
      site: site(1000 + g),
    });
    out.push({ type: 'nursery.opened', run, ts: 2, id: nur, task: sup, site: site(40, 'supervisor') });
    for (let w = 0; w < perGroup; w++) {
      const t = id++;
      out.push({
        type: 'task.spawned',
        run,
        ts: 3,
        id: t,
        name: `worker_${g}_${w}`,
        nursery: nur,
        system: false,
        site: site(100 + w, 'supervisor'),
      });
      out.push({
        type: 'task.state',
        run,
        ts: 3,
        id: t,
        state: w % 3 === 0 ? 'running' : 'waiting',
        at: site(50 + (w % 7), 'worker'),
      });
    }
  }
  return out;
}

/**
 * A server at real-world size, for bench:render: a pool of 2,000 workers
 * (`worker-0` … `worker-1999`, one function, one spawn line: one fold), 8
 * connections of three tasks, a supervised group of 24 probes with one that
 * raised, and 80 shards of 100 jobs each (a fold apiece): 10,139 live tasks.
 * The pool comes first, so its fold is near the top of the first view.
 */
export function serverTree(run = 1): Ev[] {
  const out = prologue(run);
  let id = 10;
  const spawn = (
    name: string,
    nursery: number,
    line: number,
    caller: string,
    func?: { line: number; fn: string },
  ): number => {
    const t = id++;
    out.push({
      type: 'task.spawned',
      run,
      ts: 2,
      id: t,
      name,
      nursery,
      system: false,
      site: site(line, caller),
      ...(func ? { func: site(func.line, func.fn) } : {}),
    });
    return t;
  };
  const group = (owner: number, line: number): number => {
    const n = id++;
    out.push({ type: 'nursery.opened', run, ts: 2, id: n, task: owner, site: site(line, 'serve') });
    return n;
  };
  const waiting = (t: number, line: number, fn: string): void => {
    out.push({ type: 'task.state', run, ts: 3, id: t, state: 'waiting', at: site(line, fn) });
  };
  const pool = group(spawn('pool', 4, 30, 'main'), 140);
  for (let i = 0; i < 2000; i++)
    waiting(spawn(`worker-${i}`, pool, 143, 'pool', { line: 128, fn: 'worker' }), i % 3 ? 133 : 136, 'worker');
  for (let c = 0; c < 8; c++) {
    const conn = group(spawn(`conn-${c}`, 4, 86, 'listener'), 76);
    for (const part of ['reader', 'consumer', 'writer'])
      waiting(spawn(`${part} conn-${c}`, conn, 77, 'connection'), 54, part);
  }
  const probes = group(spawn('supervisor', 4, 32, 'main'), 119);
  for (let p = 0; p < 24; p++)
    waiting(spawn(`probe-${p}`, probes, 121, 'supervisor', { line: 106, fn: 'probe' }), 108, 'probe');
  out.push({
    type: 'task.exited',
    run,
    ts: 4,
    id: id - 24 + 7,
    outcome: 'raised',
    error: { type: 'ConnectionError', message: 'probe-7: upstream refused the health check' },
  });
  for (let s = 0; s < 80; s++) {
    const shard = group(spawn(`shard-${s}`, 4, 34, 'main'), 200);
    for (let j = 0; j < 100; j++)
      waiting(spawn(`job-${s}-${j}`, shard, 202, 'shard', { line: 210, fn: 'job' }), 212, 'job');
  }
  return out;
}

/**
 * Rows no store should hand out (it refuses cycles), to prove the page survives
 * them: task 70, in nursery `nursery`, was cancelled by task 71 of a loop
 * (71 → nursery 72 → task 73 → 71); user task 74 hangs under system rows that
 * loop (75 ⇄ 76: walked while system rows are hidden); 76 is the newest task.
 */
export function cycleRows(nursery = 4): Row[] {
  const task = (id: number, parent: number, name: string, over: Partial<TaskRow> = {}): TaskRow => ({
    kind: 'task',
    id,
    parent,
    name,
    system: false,
    main: false,
    state: 'running',
    since: 0,
    spawnedAt: 0,
    site: null,
    awaitSite: null,
    scopes: [],
    ...over,
  });
  const nurseryRow = (id: number, parent: number, system = false): NurseryRow => ({
    kind: 'nursery',
    id,
    parent,
    site: null,
    openedAt: 0,
    system,
    start: false,
  });
  return [
    task(70, nursery, 'cancelled_by_loop', { state: 'cancelled', cancelledBy: 71, cancelSource: 'nursery' }),
    task(71, 72, 'loop_a'),
    nurseryRow(72, 73),
    task(73, 71, 'loop_b'),
    task(74, 75, 'under_the_loop'),
    nurseryRow(75, 76, true),
    task(76, 75, 'sys_loop', { system: true }),
  ];
}

const APP = '/home/user/app/ingest.py';
const at = (line: number, fn = 'main') => ({ file: APP, line, function: fn });

/**
 * An asyncio run (protocol 1.2), the moment a user would look: main inside
 * `asyncio.timeout(30)` owns a TaskGroup of three fetches; it made two loose
 * tasks (a heartbeat, a cache flush the loop will close on), and one fetch made
 * a loose audit writer that raised and whose exception nobody retrieved.
 * Ids: main 1, timeout scope 2, TaskGroup 3, fetches 4-6, heartbeat 7,
 * write_audit 8 (made by 4), flush_cache 9.
 */
export function asyncioRun(run = 1, library: 'asyncio' | 'trio' = 'asyncio', anyio?: string): Ev[] {
  const loose = (id: number, name: string, parent: number, line: number, fn = 'main'): Ev => ({
    type: 'task.spawned',
    run,
    ts: 2,
    id,
    name,
    nursery: null,
    parent,
    system: false,
    site: at(line, fn),
  });
  return [
    {
      type: 'hello',
      protocol: 1,
      minor: 2,
      runtime: library,
      runtime_version: '3.12.3',
      lens_version: '0.1.0',
      python: '3.12.3',
      pid: 778,
      argv: ['ingest.py'],
      cwd: '/home/user/app',
      instance: 'aio1',
    },
    {
      type: 'run.started',
      run,
      ts: 0,
      wall: Date.now(),
      library,
      library_version: library === 'asyncio' ? '3.12.3' : '0.30.0',
      ...(anyio ? { anyio } : {}),
    },
    { type: 'task.spawned', run, ts: 0.1, id: 1, name: 'main', nursery: null, system: false, main: true, site: null },
    {
      type: 'scope.changed',
      run,
      ts: 0.5,
      id: 2,
      task: 1,
      deadline: 30_000,
      shield: false,
      cancel_called: false,
      kind: 'timeout',
      site: at(14),
    },
    { type: 'nursery.opened', run, ts: 1, id: 3, task: 1, site: at(16), kind: anyio ? 'anyio' : 'taskgroup' },
    ...['users', 'orders', 'stock'].map((table, i): Ev => ({
      type: 'task.spawned',
      run,
      ts: 1.1,
      id: 4 + i,
      name: `fetch(${table})`,
      nursery: 3,
      system: false,
      site: at(18),
    })),
    loose(7, 'heartbeat', 1, 21),
    loose(8, 'write_audit', 4, 33, 'fetch'),
    loose(9, 'flush_cache', 1, 22),
    ...[4, 5, 6].map((id): Ev => ({ type: 'task.state', run, ts: 3, id, state: 'waiting', at: at(31, 'fetch') })),
    { type: 'task.state', run, ts: 3, id: 7, state: 'waiting', at: at(41, 'heartbeat') },
    { type: 'task.state', run, ts: 3, id: 9, state: 'waiting', at: at(46, 'flush_cache') },
    { type: 'task.state', run, ts: 3, id: 1, state: 'waiting', at: at(19) },
    { type: 'task.exited', run, ts: 4, id: 8, outcome: 'raised', error: AUDIT_ERROR },
  ];
}

const AUDIT_ERROR = { type: 'ValueError', message: 'audit row 17 has no user id', site: at(36, 'write_audit') };

/**
 * The end of asyncioRun: the fetches return, main returns, the loop cancels
 * the heartbeat as the run ends, and closes with flush_cache still pending and
 * write_audit's exception never retrieved.
 */
export function asyncioClose(run = 1): Ev[] {
  return [
    ...[4, 5, 6].map((id): Ev => ({ type: 'task.exited', run, ts: 800 + id, id, outcome: 'returned' })),
    { type: 'nursery.closed', run, ts: 810, id: 3 },
    { type: 'scope.closed', run, ts: 811, id: 2 },
    { type: 'task.exited', run, ts: 812, id: 1, outcome: 'returned' },
    { type: 'task.exited', run, ts: 813, id: 7, outcome: 'cancelled', cancel: { source: 'shutdown' } },
    { type: 'task.flagged', run, ts: 814, id: 8, flag: 'exception_never_retrieved', error: AUDIT_ERROR },
    { type: 'task.flagged', run, ts: 814, id: 9, flag: 'pending_at_close' },
    { type: 'run.finished', run, ts: 815, outcome: 'returned' },
  ];
}
