// The RunState reducer's retention: finished tasks fold into per-nursery
// RetiredRows so that memory stays bounded on long runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RETAIN_FINISHED, RunState } from '../../extension/store/runState';
import type { RetiredRow, TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { byId, run } from './runRows';
import { closed, exited, jobGroups, opened, prologue, spawned } from './wireEvents';

describe('RunState reducer: retention', () => {
  it('retention folds the oldest finished tasks into per-nursery RetiredRows', () => {
    const events: WireEvent[] = [...prologue(), opened(4, 3, 1)];
    let id = 10;
    for (let i = 0; i < 50; i++) {
      events.push(spawned(id, 4, `w${i}`, 1 + i));
      events.push(
        exited(
          id,
          1.5 + i,
          i % 10 === 0 ? 'raised' : i % 5 === 0 ? 'cancelled' : 'returned',
          i % 10 === 0 ? { error: { type: 'E', message: '' } } : {},
        ),
      );
      id++;
    }
    const r = run(events, { retainFinished: 20 });
    const rows = r.rows();
    const tasks = rows.filter((x) => x.kind === 'task' && x.parent === 4) as TaskRow[];
    assert.equal(tasks.length, 20);
    assert.equal(Math.min(...tasks.map((t) => t.id)), 40, 'the newest finished stay');
    const retired = rows.find((x) => x.kind === 'retired') as RetiredRow;
    assert.equal(retired.id, -4);
    assert.equal(retired.parent, 4);
    assert.equal(retired.count, 30);
    assert.deepEqual(retired.byOutcome, { returned: 24, raised: 3, cancelled: 3, lost: 0 });
    assert.equal(r.info().retired, 30);
    assert.equal(r.info().totalTasks, 52);
  });

  it('folds a finished task together with its closed nurseries and their descendants', () => {
    const r = run(
      [
        ...prologue(),
        opened(4, 3, 1),
        spawned(5, 4, 'parent', 1),
        opened(6, 5, 1.1),
        spawned(7, 6, 'child', 1.2),
        spawned(8, 6, 'child', 1.2),
        exited(7, 2),
        exited(8, 2.1),
        closed(6, 2.2),
        exited(5, 2.3),
        spawned(9, 4, 'later', 3),
        exited(9, 3.1),
      ],
      { retainFinished: 1 },
    );
    const rows = byId(r.rows());
    assert.equal(rows.has(5), false);
    assert.equal(rows.has(6), false);
    assert.equal(rows.has(7), false);
    assert.ok(rows.has(9));
    const retired = rows.get(-4) as RetiredRow;
    assert.equal(retired.count, 3);
    assert.equal(retired.nurseries, 1, 'the task group folded with its task is counted');
    assert.equal(rows.has(-6), false);
  });

  it("a task's closed task groups let go past the bound keep their counts under it, and fold with it", () => {
    // A long-lived task opening a task group per job (deep_and_wide: "+340 tasks in 84 nurseries" beside
    // "+84 tasks in 20 nurseries" for identical subtrees): past the bound of empty closed groups the oldest
    // go, and their finished tasks went with them.
    const JOBS = 150;
    const r = new RunState('k', 'l', { retainFinished: 10 });
    const made = jobGroups(JOBS);
    let { ts, id } = made;
    for (const e of made.events) r.apply(e);
    const below = (rows: ReturnType<RunState['rows']>) => {
      const jobs = rows.find((x) => x.id === 5) as TaskRow;
      const groups = rows.filter((x) => x.kind === 'nursery' && x.parent === 5);
      const ids = new Set(groups.map((g) => g.id));
      const visible = rows.filter((x) => x.kind === 'task' && x.parent !== null && ids.has(x.parent)).length;
      const retired = rows.filter((x): x is RetiredRow => x.kind === 'retired' && ids.has(x.parent));
      return {
        jobs,
        groups: groups.length + (jobs.folded?.nurseries ?? 0),
        tasks: visible + retired.reduce((a, x) => a + x.count, 0) + (jobs.folded?.count ?? 0),
      };
    };
    const live = below(r.rows());
    assert.ok(
      live.jobs.folded && live.jobs.folded.nurseries >= 40,
      `groups were let go (${live.jobs.folded?.nurseries})`,
    );
    assert.deepEqual([live.groups, live.tasks], [JOBS, 2 * JOBS], 'every group and task still counted under jobs');
    // the oldest go first: one raised in every tenth
    assert.equal(live.jobs.folded!.byOutcome.raised, Math.ceil(live.jobs.folded!.nurseries / 10), 'by how they ended');

    // jobs itself ends and folds: its parent's retired row holds it, its groups and their tasks
    r.apply(exited(5, ts++));
    for (let k = 0; k < 20; k++) {
      r.apply(spawned(id, 4, 'later', ts++));
      r.apply(exited(id++, ts++));
    }
    const retired = byId(r.rows()).get(-4) as RetiredRow;
    assert.ok(retired.count >= 1 + 2 * JOBS, `${retired.count}`);
    assert.equal(retired.nurseries, JOBS);
    assert.equal(r.info().retired, retired.count);
  });

  it('keeps as many finished tasks by default as the retainFinishedTasks setting says by default', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    assert.equal(
      manifest.contributes.configuration.properties['nurseryLens.retainFinishedTasks'].default,
      DEFAULT_RETAIN_FINISHED,
    );
  });

  it('memory stays bounded: closed nurseries whose children are all retired fold too', () => {
    const r = new RunState('k', 'l', { retainFinished: 10 });
    for (const e of prologue()) r.apply(e);
    let id = 10;
    let ts = 1;
    for (let n = 0; n < 1000; n++) {
      const nid = id++;
      r.apply(opened(nid, 3, ts++));
      for (let k = 0; k < 3; k++) {
        const t = id++;
        r.apply(spawned(t, nid, 'w', ts++));
        r.apply(exited(t, ts++));
      }
      r.apply(closed(nid, ts++));
    }
    const rows = r.rows();
    assert.ok(rows.length < 250, `rows stay bounded (${rows.length})`);
    assert.equal(r.info().retired, 2990);
    assert.equal(r.info().liveTasks, 2);
  });
});
