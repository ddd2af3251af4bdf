// The model at real-world size, in Node: tasks folded by kind (not by name),
// pages of a fold, members lifted out of it, search inside it, the panel's
// budget of levels, long lists, and focus. On the server-like recording
// (the real runtime) and on rows built for one rule each.
import assert from 'node:assert/strict';
import type { Row, Site, TaskRow } from '../../contract/rows';
import { buildModel, type Model, type ViewNode } from '../../webview/tree/model';
import { hiddenWords } from '../../webview/tree/labels';
import { kindSentence } from '../../webview/tree/taskKinds';
import { opts } from './modelOptions';
import { idsByName, serverLike } from './serverLike';
import { LiveRun, recording } from './streams';
import { prologue } from './synthetic';
import { earlyThenJobs, jobGroups } from '../unit/wireEvents';

const rowsOf = (rows: Row[]) => new Map(rows.map((r) => [r.id, r]));
const all = (n: ViewNode): ViewNode[] => [n, ...n.children.flatMap(all)];
const named = (m: Model, rows: ReadonlyMap<number, Row>, name: string): ViewNode | undefined =>
  all(m.root).find((n) => n.kind === 'task' && (rows.get(n.id) as TaskRow | undefined)?.name === name);

describe('webview model at real-world size (Node)', () => {
  const live = serverLike();
  const rows = rowsOf(live.state.rows());
  const ids = idsByName(live);
  const poolNursery = (rows.get(ids.get('worker-0')!) as TaskRow).parent!;
  const workerFold = (m: Model): ViewNode => m.byKey.get(String(poolNursery))!.children.find((n) => n.kind === 'fold')!;

  it('folds 2,000 uniquely named workers into one node of their kind, and says its rule in words', () => {
    const m = buildModel(rows, opts());
    const pool = m.byKey.get(String(poolNursery))!;
    assert.equal(pool.children.length, 1, 'one node for the whole pool');
    const fold = workerFold(m);
    assert.equal(fold.members!.length, 2000);
    assert.equal(fold.name, 'worker');
    assert.match(
      kindSentence(fold.members!, rows),
      /^2,000 tasks started at server_like\.py:\d+ named worker-0 … worker-1999$/,
    );
    assert.equal(m.keyOf(ids.get('worker-1234')!), fold.key, 'a member is found at its fold');
    // Eight connections (fewer than the threshold) stay tasks, each with its reader, consumer and writer.
    for (let i = 0; i < 8; i++) {
      const conn = named(m, rows, `conn-${i}`)!;
      assert.deepEqual(conn.children[0].children.map((n) => (rows.get(n.id) as TaskRow).name).sort(), [
        `consumer conn-${i}`,
        `reader conn-${i}`,
        `writer conn-${i}`,
      ]);
    }
  });

  it('with the function known (protocol 1.2), tasks fold by function and spawn site whatever their names', () => {
    const at = (line: number, fn: string): Site => ({ file: '/home/user/app/swarm.py', line, function: fn });
    const users = Array.from({ length: 25 }, (_, i) => `serve ${String.fromCharCode(97 + i).repeat(3)}`);
    const spawn = (id: number, name: string, func?: Site) => ({
      type: 'task.spawned',
      run: 1,
      ts: 2,
      id,
      name,
      nursery: 4,
      system: false,
      site: at(12, 'main'),
      ...(func ? { func } : {}),
    });
    const kindsOf = (events: Array<Record<string, unknown>>) => {
      const r = rowsOf(new LiveRun('k', 'k').feed([...prologue(), ...events]).state.rows());
      return buildModel(r, opts())
        .byKey.get('4')!
        .children.map((n) => (n.kind === 'fold' ? `${n.name} ×${n.members!.length}` : 'task'));
    };
    // Names with nothing in common: without the function nothing says they are alike.
    assert.equal(kindsOf(users.map((n, i) => spawn(10 + i, n))).length, 25);
    assert.deepEqual(kindsOf(users.map((n, i) => spawn(10 + i, n, at(40, 'handle_user')))), ['handle_user ×25']);
    // One line starting two functions: two kinds (13 and 12, each under the threshold).
    assert.equal(
      kindsOf(users.map((_, i) => spawn(10 + i, `job-${i}`, at(i % 2 ? 40 : 50, i % 2 ? 'a' : 'b')))).length,
      25,
    );
    // Without the function, a shared name pattern from one line is enough.
    assert.deepEqual(kindsOf(users.map((_, i) => spawn(10 + i, `fetch(https://site-${i}.example)`))), ['fetch ×25']);
  });

  it('a failing member stands beside its fold: the failed probe group is "probe ×24" and probe-7', () => {
    const m = buildModel(rows, opts());
    const probeFolds = all(m.root).filter((n) => n.kind === 'fold' && n.name === 'probe');
    assert.equal(probeFolds.length, 2, 'the failed group and the fresh one');
    const failedGroup = m.byKey.get(String(probeFolds[0].id))!;
    assert.deepEqual(
      failedGroup.children.map((n) =>
        n.kind === 'fold' ? `${n.name} ×${n.members!.length}` : (rows.get(n.id) as TaskRow).name,
      ),
      ['probe ×24', 'probe-7'],
    );
    assert.equal((rows.get(failedGroup.children[1].id) as TaskRow).state, 'raised');
    assert.deepEqual(
      m.byKey.get(String(probeFolds[1].id))!.children.map((n) => n.kind),
      ['fold'],
      'the live group has nobody beside its fold',
    );
  });

  it('an open fold shows a page at a time: 50 members, then "50 more… (1,950 left)"', () => {
    const key = workerFold(buildModel(rows, opts())).key;
    const page = (n: number) => workerFold(buildModel(rows, opts({ pages: new Map([[key, n]]) })));
    const one = page(1);
    assert.equal(one.children.filter((n) => n.kind === 'task').length, 50);
    assert.deepEqual(one.children.at(-1)!.more, { owner: key, page: 50, left: 1950 });
    assert.deepEqual(page(2).children.at(-1)!.more, { owner: key, page: 50, left: 1900 });
    assert.equal(page(40).children.filter((n) => n.kind === 'more').length, 0, 'all 2,000 after 40 pages');
  });

  it('a selected member no page shows is drawn beside its fold, and goes back when the selection moves', () => {
    const id = ids.get('worker-1500')!;
    const m = buildModel(rows, opts({ selected: String(id) }));
    const pool = m.byKey.get(String(poolNursery))!;
    assert.deepEqual(
      pool.children.map((n) => n.kind),
      ['fold', 'task'],
    );
    assert.equal(pool.children[1].key, String(id));
    assert.equal(m.holdsSelection, true, 'selecting another node rebuilds');
    const shown = buildModel(rows, opts({ selected: String(id), pages: new Map([[workerFold(m).key, 40]]) }));
    assert.equal(shown.byKey.get(String(id))!.key, String(id));
    assert.equal(shown.holdsSelection, false, 'on a page it needs no lifting');
    assert.equal(buildModel(rows, opts({ selected: String(poolNursery) })).holdsSelection, false);
  });

  it('a search shows the matching members inside their fold, a page at a time, and counts every match', () => {
    const m = buildModel(rows, opts({ search: 'worker-17' }));
    assert.equal(m.matchCount, 111, 'worker-17, worker-170…179, worker-1700…1799');
    const fold = workerFold(m);
    assert.equal(fold.members!.length, 2000, 'the fold still stands for all its tasks');
    assert.equal(fold.children.filter((n) => n.match).length, 50);
    assert.equal(fold.children.at(-1)!.more!.left, 61);
    assert.equal(m.matches.length, 50, 'drawn matches, for Enter to step through');
  });

  it("a fold the user opened stays drawn open where the panel's budget closes its levels", () => {
    const small = { rows: 16, depth: 4, width: 12 };
    const key = workerFold(buildModel(rows, opts())).key;
    assert.equal(
      buildModel(rows, opts({ budget: small })).byKey.get(key),
      undefined,
      'the budget alone hides the pool',
    );
    const m = buildModel(rows, opts({ budget: small, pages: new Map([[key, 1]]) }));
    assert.equal(m.byKey.get(key)?.children.length, 51, 'its page of 50 members and "more"');
    // What the user collapsed on the way still wins.
    const poolTask = (rows.get(poolNursery) as Row).parent!;
    const closed = buildModel(
      rows,
      opts({ budget: small, pages: new Map([[key, 1]]), collapsed: new Set([String(poolTask)]) }),
    );
    assert.equal(closed.byKey.get(key), undefined);
  });

  it("the budget opens whole levels while they fit, collapses the next with counts, and leaves the user's choices alone", () => {
    const deep = rowsOf(recording('test/fixtures/deep_and_wide.ndjson')[0].rows());
    const budget = { rows: 43, depth: 12, width: 21 };
    const m = buildModel(deep, opts({ budget }));
    assert.ok(Number.isFinite(m.autoDepth), 'a level did not fit');
    const auto = all(m.root).filter((n) => n.auto);
    assert.ok(auto.length > 1);
    assert.ok(auto.every((n) => n.hiddenChildren > 0 && n.children.length === 0 && n.hidden!.tasks > 0));
    const leaves = all(m.root).filter((n) => n.children.length === 0).length;
    assert.ok(leaves <= budget.rows, `${leaves} leaf rows fit ${budget.rows}`);
    // Opening one node opens it alone: the others stay as they were.
    const opened = buildModel(deep, opts({ budget, opened: new Set([auto[0].key]) }));
    assert.ok(opened.byKey.get(auto[0].key)!.children.length > 0);
    assert.equal(
      all(opened.root).filter((n) => n.auto).length,
      auto.length - 1 + opened.byKey.get(auto[0].key)!.children.filter((c) => c.auto).length,
    );
    const top = m.root.children[0];
    assert.equal(
      buildModel(deep, opts({ budget, collapsed: new Set([top.key]) })).root.children[0].children.length,
      0,
      'collapsed by the user',
    );
    assert.ok(
      all(buildModel(deep, opts({ budget, deep: new Set([top.key]) })).root).length > 400,
      'everything below, on request',
    );
  });

  it('a long list keeps its first and last items around "N more…", and never hides the selected row or a failing task', () => {
    const site = (line: number): Site => ({ file: '/home/user/app/swarm.py', line, function: 'main' });
    const base = new LiveRun('wide', 'wide').feed(prologue()).state.rows();
    const tasks: TaskRow[] = Array.from({ length: 100 }, (_, i) => ({
      kind: 'task',
      id: 100 + i,
      parent: 4,
      name: `job_${i}`,
      system: false,
      main: false,
      state: i === 60 ? 'raised' : 'waiting',
      since: 0,
      spawnedAt: 0,
      site: site(100 + i),
      awaitSite: null,
      scopes: [],
    }));
    const wide = rowsOf([...base, ...tasks]);
    const list = (o = {}) =>
      buildModel(wide, opts({ budget: { rows: 200, depth: 10, width: 20 }, ...o })).byKey.get('4')!.children;
    const plain = list();
    assert.deepEqual(
      plain.map((n) => n.key).slice(0, 10),
      tasks.slice(0, 10).map((t) => String(t.id)),
    );
    assert.equal(plain[10].kind, 'more');
    assert.deepEqual(
      plain.slice(11).map((n) => n.key),
      ['160', ...tasks.slice(90).map((t) => String(t.id))],
      'the failing one, then the newest',
    );
    assert.equal(plain[10].more!.left, 79);
    assert.ok(
      list({ selected: '150' }).some((n) => n.key === '150'),
      'the selected row stays',
    );
    assert.equal(list({ pages: new Map([['4', 1]]) })[60].kind, 'more', 'a page more at the front');
  });

  it('focus: a nursery or a fold is the root of the view, with the way down to it; a gone focus shows the whole run', () => {
    const m = buildModel(rows, opts({ focus: String(poolNursery) }));
    assert.deepEqual(
      m.root.children.map((n) => n.key),
      [String(poolNursery)],
    );
    const words = (path: ViewNode[]) =>
      path.map((n) => (n.kind === 'task' ? (rows.get(n.id) as TaskRow).name : n.kind));
    assert.deepEqual(words(m.focusPath!), ['__main__.main', 'nursery', 'pool', 'nursery']);
    const failedFold = all(buildModel(rows, opts()).root).filter((n) => n.kind === 'fold' && n.name === 'probe')[0];
    const f = buildModel(rows, opts({ focus: failedFold.key }));
    const root = f.root.children[0];
    assert.equal(root.kind, 'fold');
    assert.equal(
      (rows.get(root.children[0].id) as TaskRow).name,
      'probe-7',
      'a focused fold shows its failing member first',
    );
    assert.equal(root.children.length, 24);
    assert.equal(words(f.focusPath!).at(-1), 'fold');
    const gone = buildModel(rows, opts({ focus: '999999' }));
    assert.equal(gone.focusPath, null);
    assert.equal(gone.root.children[0].key, m.focusPath![0].key);
  });

  it('a collapsed node counts the finished tasks and task groups the store let go below it', () => {
    // 150 job groups of two steps under `jobs`, 10 finished tasks kept: most groups and steps are let go
    // (the closed groups past the bound with the task that opened them, the steps into retired rows).
    const live = new LiveRun('k', 'jobs.py', { retainFinished: 10 }).feed(jobGroups(150).events);
    const stored = rowsOf(live.state.rows());
    const jobs = [...stored.values()].find((r): r is TaskRow => r.kind === 'task' && r.name === 'jobs')!;
    assert.ok(jobs.folded && jobs.folded.nurseries > 0, 'groups were let go');
    const m = buildModel(stored, opts({ collapsed: new Set([String(jobs.id)]) }));
    const node = m.byKey.get(String(jobs.id))!;
    assert.deepEqual(node.hidden, { tasks: 300, nurseries: 150, raised: 15 });
    assert.equal(hiddenWords(node.hidden!), '+300 tasks in 150 nurseries · 15 raised');
  });

  it('a task whose every task group was let go still says what was below it, though nothing is left to open', () => {
    // `early` ran one job group before `jobs` ran 120: its group is the oldest empty one, the first to go
    const live = new LiveRun('k', 'jobs.py', { retainFinished: 10 }).feed(earlyThenJobs(120));
    const stored = rowsOf(live.state.rows());
    const early = stored.get(6) as TaskRow;
    assert.deepEqual(early.folded, {
      count: 2,
      byOutcome: { returned: 2, raised: 0, cancelled: 0, lost: 0 },
      nurseries: 1,
    });
    const node = buildModel(stored, opts()).byKey.get('6')!;
    assert.equal(node.children.length, 0);
    assert.deepEqual(node.hidden, { tasks: 2, nurseries: 1, raised: 0 });
  });
});
