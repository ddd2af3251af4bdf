// The webview's pure parts in Node: mirror (snapshot/delta), model (filters,
// collapse, folds, search, retired rows) and layout, on rows from the store.
import assert from 'node:assert/strict';
import type { Row, TaskRow } from '../../contract/rows';
import { cancelLinks, victimsIndex } from '../../webview/tree/cancelLinks';
import { layoutTree } from '../../webview/tree/layout';
import { RunsMirror } from '../../webview/tree/mirror';
import { buildModel, type ViewNode } from '../../webview/tree/model';
import { displayName } from '../../webview/tree/labels';
import { opts } from './modelOptions';
import { LiveRun, recording } from './streams';
import { cycleRows, prologue, swarm } from './synthetic';

const rowsOf = (rows: Row[]) => new Map(rows.map((r) => [r.id, r]));
const all = (n: ViewNode): ViewNode[] => [n, ...n.children.flatMap(all)];
const nameOf = (rows: Map<number, Row>, n: ViewNode) => {
  const r = rows.get(n.id);
  return r?.kind === 'task' ? r.name : n.kind;
};

describe('webview model (Node)', () => {
  const failing = rowsOf(recording('test/fixtures/failing_child.ndjson')[0].rows());

  it('hides system tasks by lifting the main task to the root', () => {
    const m = buildModel(failing, opts());
    assert.deepEqual(
      m.root.children.map((n) => nameOf(failing, n)),
      ['__main__.main'],
    );
    const shown = buildModel(failing, opts({ hideSystem: false }));
    assert.deepEqual(
      shown.root.children.map((n) => nameOf(failing, n)),
      ['<init>'],
    );
    assert.ok(all(shown.root).length > all(m.root).length);
  });

  it('task → nursery → task, and collapse hides children but counts them', () => {
    const m = buildModel(failing, opts());
    const main = m.root.children[0];
    assert.equal(main.children[0].kind, 'nursery');
    assert.deepEqual(
      main.children[0].children.map((n) => nameOf(failing, n)),
      ['check config', 'download', 'parse feed', 'uploader'],
    );
    const c = buildModel(failing, opts({ collapsed: new Set([main.children[0].key]) }));
    assert.equal(c.root.children[0].children[0].children.length, 0);
    assert.equal(c.root.children[0].children[0].hiddenChildren, 4);
    assert.equal(c.root.children[0].children[0].expandable, true);
  });

  it('hides finished tasks and closed nurseries', () => {
    assert.equal(buildModel(failing, opts({ hideFinished: true })).root.children.length, 0);
  });

  it('search keeps matches and the path to them, and ignores collapse on that path', () => {
    const main = buildModel(failing, opts()).root.children[0];
    const m = buildModel(failing, opts({ search: 'chunk', collapsed: new Set([main.key]) }));
    const names = all(m.root)
      .filter((n) => n.kind === 'task')
      .map((n) => nameOf(failing, n));
    assert.deepEqual(names.sort(), ['__main__.main', 'upload chunk 0', 'upload chunk 1', 'uploader']);
    assert.equal(m.matches.length, 2);
  });

  it('folds more than the threshold of same-named siblings; keyOf finds the fold of a member', () => {
    const run = new LiveRun('w', 'w').feed([...prologue(), ...swarm(21, 'job'), ...swarm(20, 'other', 100)]);
    const rows = rowsOf(run.state.rows());
    const m = buildModel(rows, opts());
    const nursery = m.root.children[0].children[0];
    const folds = nursery.children.filter((n) => n.kind === 'fold');
    assert.equal(folds.length, 1, '21 jobs fold, 20 others do not');
    assert.equal(folds[0].members!.length, 21);
    assert.match(folds[0].key, new RegExp(`^f${nursery.id}:\\w+$`));
    assert.equal(folds[0].name, 'job');
    assert.equal(nursery.children.length, 21);
    assert.equal(m.keyOf(10), folds[0].key);
    const open = buildModel(rows, opts({ pages: new Map([[folds[0].key, 1]]) }));
    assert.equal(open.byKey.get(folds[0].key)!.children.length, 21);
    assert.equal(open.keyOf(10), '10');
  });

  it('retired rows are leaves "N finished" under their nursery', () => {
    const run = new LiveRun('r', 'r', { retainFinished: 5 }).feed([...prologue(), ...swarm(30, 'job')]);
    run.feed(
      Array.from({ length: 30 }, (_, i) => ({ type: 'task.exited', run: 1, ts: 50, id: 10 + i, outcome: 'returned' })),
    );
    const rows = rowsOf(run.state.rows());
    const retired = [...rows.values()].find((r) => r.kind === 'retired');
    assert.ok(retired && retired.kind === 'retired' && retired.count === 25);
    const m = buildModel(rows, opts());
    const nursery = m.root.children[0].children[0];
    const leaf = nursery.children.find((n) => n.kind === 'retired')!;
    assert.equal(leaf.children.length, 0);
    assert.equal(nursery.children.at(-1), leaf, 'after the kept tasks');
  });

  it('builds the rest of the tree when parents form a cycle, leaving the loop out', () => {
    const run = new LiveRun('c', 'c').feed([...prologue(), ...swarm(3, 'job')]);
    const rows = rowsOf([...run.state.rows(), ...cycleRows()]);
    const names = (m: ReturnType<typeof buildModel>) =>
      all(m.root)
        .filter((n) => n.kind === 'task')
        .map((n) => nameOf(rows, n));
    const m = buildModel(rows, opts());
    assert.deepEqual(names(m).sort(), ['__main__.main', 'cancelled_by_loop', 'job', 'job', 'job', 'under_the_loop']);
    assert.deepEqual(
      m.root.children.map((n) => nameOf(rows, n)).sort(),
      ['__main__.main', 'under_the_loop'],
      'no shown ancestor: a root',
    );
    assert.equal(m.keyOf(71), null, 'a row of the loop stands for nothing drawn');
    assert.equal(m.keyOf(76), null);
    assert.equal(m.keyOf(70), '70');
    const layout = layoutTree(m.root);
    const { links } = cancelLinks(m, layout, rows, victimsIndex(rows), layout.nodes, '70');
    assert.deepEqual(links, [], 'no link to a failer in the loop');
    const withSystem = buildModel(rows, opts({ hideSystem: false, search: 'loop' }));
    assert.deepEqual(
      names(withSystem),
      ['<init>', '__main__.main', 'cancelled_by_loop'],
      'searching walks only what hangs from a root',
    );
  });

  it('mirror: state-only deltas are not structural; new rows, moves and exits are', () => {
    const run = new LiveRun('k', 'k').feed([...prologue(), ...swarm(3, 'job')]);
    const mirror = new RunsMirror();
    mirror.snapshot(run.state.info(), run.state.rows());
    run.state.takeDelta();
    run.feed([{ type: 'task.state', run: 1, ts: 9, id: 10, state: 'running' }]);
    let d = run.state.takeDelta()!;
    let c = mirror.delta(run.state.info(), d.upsert, d.remove);
    assert.deepEqual([c.structural, c.finishedChanged, c.added], [false, false, []]);
    assert.equal((mirror.get('k')!.rows.get(10) as TaskRow).state, 'running');
    run.feed([
      { type: 'task.spawned', run: 1, ts: 10, id: 50, name: 'late', nursery: 4, system: false, site: null },
      { type: 'task.exited', run: 1, ts: 11, id: 11, outcome: 'returned' },
    ]);
    d = run.state.takeDelta()!;
    c = mirror.delta(run.state.info(), d.upsert, d.remove);
    assert.deepEqual([c.structural, c.finishedChanged, c.added], [true, true, [50]]);
  });

  it('layout: children right of parents, no two nodes of a column on one row', () => {
    const rows = rowsOf(recording('test/fixtures/deep_and_wide.ndjson')[0].rows());
    const layout = layoutTree(buildModel(rows, opts()).root);
    assert.ok(layout.nodes.length > 300);
    const seen = new Set<string>();
    for (const p of layout.nodes) {
      if (p.parent) assert.ok(p.x > p.parent.x);
      const cell = `${p.x}:${Math.round(p.y)}`;
      assert.ok(!seen.has(cell), `overlap at ${cell}`);
      seen.add(cell);
    }
  });

  it('draws qualified task names by their last part, leaves chosen names alone', () => {
    assert.equal(
      displayName('trio._highlevel_open_tcp_stream.open_tcp_stream.<locals>.attempt_connect'),
      'attempt_connect',
    );
    assert.equal(displayName('__main__.main'), 'main');
    assert.equal(displayName('fetch(http://www.cnn.com)'), 'fetch(http://www.cnn.com)');
    assert.equal(displayName('<TrioToken.run_sync_soon task>'), '<TrioToken.run_sync_soon task>');
    assert.equal(displayName('upload chunk 0'), 'upload chunk 0');
  });
});

describe('webview labels (Node)', () => {
  it('maps run time to now with the host clock pair, frozen once the run is over', async () => {
    const { runNow, formatRemaining } = await import('../../webview/tree/labels');
    const info = { status: 'live', clock: { ts: 1000, hostWall: 50_000 } } as Parameters<typeof runNow>[0];
    assert.equal(runNow(info, 52_500), 3500);
    assert.equal(runNow({ ...info, status: 'finished' }, 52_500), 1000);
    assert.equal(formatRemaining(2400), '2.4s');
    assert.equal(formatRemaining(12_900), '12s');
    assert.equal(formatRemaining(125_000), '2m 5s');
    assert.equal(formatRemaining(-1), 'expired');
  });
});
