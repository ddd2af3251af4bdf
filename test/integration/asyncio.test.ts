// asyncio and AnyIO with zero code change, through every way a program is
// started: a debug session's environment (bootstrap on PYTHONPATH +
// NURSERY_LENS, as the debug provider builds it), Run Python File with Task
// Tree's terminal environment (the same, launch kind 'terminal'), and
// `python -m nursery_lens --connect`. Real .venv Python, real runtime, real
// collector, real store; the programs are the repo's examples, unmodified.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';
import type { NurseryRow, Row, TaskRow } from '../../contract/rows';
import type { RunState } from '../../extension/store/runState';
import { startCollector, waitFor, type Harness } from '../unit/collectorHarness';

const root = join(__dirname, '..', '..');
const python = join(root, '.venv', 'bin', 'python');
const bootstrapDir = join(root, 'runtime', 'python', 'bootstrap');
const example = (...parts: string[]) => join(root, 'examples', ...parts);

function run(args: string[], env: Record<string, string | null>): Promise<{ code: number | null; stderr: string }> {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
  const child = spawn(python, args, { env: full, cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

const tasks = (rows: Row[]) => new Map(rows.filter((r): r is TaskRow => r.kind === 'task').map((t) => [t.name, t]));
const nurseries = (rows: Row[]) => rows.filter((r): r is NurseryRow => r.kind === 'nursery');

async function finishedRun(h: Harness): Promise<RunState> {
  const entry = await waitFor(
    'the run to finish',
    () => h.store.all().find((e) => e.state.info().status === 'finished'),
    15_000,
  );
  assert.deepEqual(
    h.log.lines.filter((l) => l.startsWith('warn') || l.startsWith('error')),
    [],
    'no protocol problems',
  );
  return entry.state;
}

/** examples/asyncio_taskgroup.py as its docstring describes it. */
function assertOrderReport(state: RunState): void {
  const info = state.info();
  assert.equal(info.runtime, 'asyncio');
  assert.equal(info.library, 'asyncio');
  assert.equal(info.liveTasks, 0);
  const rows = state.rows();
  const t = tasks(rows);
  const main = [...t.values()].find((x) => x.main)!;
  assert.ok(main, 'a main task');
  const [group] = nurseries(rows).filter((n) => n.groupKind === 'taskgroup');
  assert.ok(group, 'the TaskGroup is a nursery');
  assert.equal(group.parent, main.id);
  // where the program opens it: `async with asyncio.TaskGroup() as group:`
  const opens = readFileSync(example('asyncio_taskgroup.py'), 'utf8')
    .split('\n')
    .findIndex((l) => /asyncio\.TaskGroup\(\) as group/.test(l));
  assert.ok(opens >= 0, 'asyncio_taskgroup.py opens a TaskGroup');
  assert.equal(group.site?.line, opens + 1);
  for (const table of ['customers', 'orders', 'stock']) assert.equal(t.get(`load(${table})`)!.parent, group.id, table);
  assert.equal(t.get('load(customers)')!.state, 'returned');
  assert.equal(t.get('load(stock)')!.state, 'raised');
  // with the line that raised it (protocol 1.6), a link in its details
  const raises = readFileSync(example('asyncio_taskgroup.py'), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('raise ValueError("stock row 3'));
  assert.deepEqual(t.get('load(stock)')!.error, {
    type: 'ValueError',
    message: 'stock row 3: quantity -2',
    site: { file: example('asyncio_taskgroup.py'), line: raises + 1, function: 'read_rows' },
  });
  assert.equal(t.get('load(orders)')!.state, 'cancelled');
  const warmer = t.get('warm cache')!;
  assert.equal(warmer.loose, true, 'made by asyncio.create_task outside the group');
  assert.equal(warmer.parent, t.get('load(customers)')!.id, 'under the loader that made it');
  assert.equal(warmer.state, 'returned');
  assert.ok(t.get('load(orders)')!.site?.file.endsWith('asyncio_taskgroup.py'));
}

describe('integration: asyncio and AnyIO, zero code change → real collector → store', function () {
  this.timeout(60_000);
  let h: Harness;
  before(function () {
    if (!existsSync(python)) throw new Error('.venv/bin/python is missing: run npm install');
  });
  afterEach(async () => h?.close());

  for (const kind of ['debug', 'terminal'] as const) {
    it(`a ${kind === 'debug' ? 'debug session' : 'Run Python File with Task Tree'} launch shows an asyncio TaskGroup program's tree`, async () => {
      h = await startCollector();
      const { env } = await instrumentLaunch(
        { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
        { label: `asyncio ${kind}`, kind, sampleHz: 10 },
      );
      const p = await run([example('asyncio_taskgroup.py')], env);
      assert.equal(p.code, 1, `the report fails, as the example means to\n${p.stderr}`);
      const state = await finishedRun(h);
      assert.equal(state.info().label, `asyncio ${kind}`);
      assertOrderReport(state);
    });
  }

  it('`python -m nursery_lens --connect` shows the Hettinger asyncio crawl: fourteen fetches in one TaskGroup', async () => {
    h = await startCollector();
    const launch = h.launches.create('cli', 'terminal');
    const p = await run(
      ['-m', 'nursery_lens', '--connect', h.address, example('hettinger', 'asyncio_way.py'), '--speed', '20'],
      { NURSERY_LENS: JSON.stringify({ v: 1, secret: launch.secret }) },
    );
    assert.equal(p.code, 0, p.stderr);
    const state = await finishedRun(h);
    const rows = state.rows();
    const main = [...tasks(rows).values()].find((x) => x.main)!;
    const groups = nurseries(rows).filter((n) => n.groupKind === 'taskgroup');
    assert.equal(groups.length, 1);
    assert.equal(groups[0].parent, main.id);
    const fetches = [...tasks(rows).values()].filter((x) => x.name.startsWith('fetch('));
    assert.equal(fetches.length, 14);
    for (const f of fetches) {
      assert.equal(f.parent, groups[0].id, f.name);
      assert.equal(f.state, 'returned', f.name);
    }
    assert.equal(state.info().liveTasks, 0);
  });

  it('an AnyIO program on asyncio: its task group is one nursery of kind anyio, start() hands the server over', async () => {
    h = await startCollector();
    const { env } = await instrumentLaunch(
      { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
      { label: 'anyio', kind: 'debug', sampleHz: 10 },
    );
    const p = await run([example('anyio_app.py'), '--backend', 'asyncio'], env);
    assert.equal(p.code, 0, p.stderr);
    const state = await finishedRun(h);
    const info = state.info();
    assert.equal(info.library, 'asyncio');
    assert.ok(info.anyio, `AnyIO's version (${p.stderr})`);
    const rows = state.rows();
    const groups = nurseries(rows).filter((n) => n.groupKind === 'anyio' && !n.start);
    assert.ok(groups.length >= 1, 'an AnyIO task group');
    const inGroups = [...tasks(rows).values()].filter((x) => groups.some((g) => g.id === x.parent));
    assert.ok(inGroups.length >= 2, 'its tasks belong to it');
    assert.ok(
      inGroups.every((x) => !x.loose),
      'none of them loose',
    );
    const main = [...tasks(rows).values()].find((x) => x.main)!;
    const server = tasks(rows).get('quote server')!;
    const home = groups.find((g) => g.id === server.parent);
    assert.equal(home?.parent, main.id, "the started server ends in main's group, not in start()'s temporary one");
    assert.equal(server.starting, undefined);
  });
});
