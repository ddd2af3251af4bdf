import assert from 'node:assert/strict';
import type { Verdict } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { NO_MARKS } from '../../extension/panel/taskFocus';
import { RunState } from '../../extension/store/runState';
import { PAUSED_ICON, TasksModel } from '../../extension/tasksView/tasksModel';
import { exited, hello, opened, prologue, site, spawned, state } from './wireEvents';

function model(events: WireEvent[]): TasksModel {
  const r = new RunState('c1.r1', 'prog.py');
  for (const e of [hello(), ...prologue(), ...events]) r.apply(e);
  return TasksModel.of('c1.r1', r.rows());
}

/** The tree as text, two spaces per level: what a user reads in the side bar. */
function outline(m: TasksModel, marks = NO_MARKS): string[] {
  const out: string[] = [];
  const walk = (keys: string[], depth: number) => {
    for (const k of keys) {
      const it = m.item(k, marks)!;
      out.push(`${'  '.repeat(depth)}${it.label}${it.description ? ` — ${it.description}` : ''}`);
      walk(m.children(k), depth + 1);
    }
  };
  walk(m.roots(), 0);
  return out;
}

describe('Tasks view model (the side bar tree of a run)', () => {
  it("lists the main task at the top (Trio's system rows hidden), its nurseries and tasks with state and await site", () => {
    const m = model([
      opened(4, 3, 1, { site: site(7) }),
      spawned(5, 4, 'fetch', 1.1),
      state(5, 2, 'waiting', site(25, '/abs/prog.py', 'fetch')),
      spawned(6, 4, 'crasher', 1.2),
      exited(6, 3, 'raised', { error: { type: 'ValueError', message: 'bad' } }),
    ]);
    assert.deepEqual(outline(m), [
      'main — scheduled',
      '  nursery main:7 — 2 tasks',
      '    fetch — waiting · fetch:25',
      '    crasher — raised · ValueError',
    ]);
    assert.equal(m.item('3', NO_MARKS)!.open, true, 'the main task starts expanded');
    assert.equal(m.parent('5'), '4');
    assert.equal(m.parent('3'), null);
  });

  it('calls each task group what its library calls it: an asyncio TaskGroup, an AnyIO task group and its tg.start()', () => {
    const m = model([
      opened(4, 3, 1, { site: site(7), kind: 'taskgroup' }),
      spawned(5, 4, 'fetch', 1.1),
      opened(6, 5, 1.2, { site: site(9), kind: 'anyio' }),
      opened(7, 5, 1.3, { site: site(11), kind: 'anyio', start: true }),
    ]);
    assert.deepEqual(outline(m), [
      'main — scheduled',
      '  TaskGroup main:7 — 1 task',
      '    fetch — scheduled',
      '      task group main:9 — 0 tasks',
      '      tg.start() main:11 — 0 tasks',
    ]);
  });

  it('groups many tasks of one kind (one spawn site, names alike) into one "×N" item that holds them, as the panel does', () => {
    const events: WireEvent[] = [opened(4, 3, 1)];
    for (let i = 0; i < 30; i++)
      events.push(
        spawned(10 + i, 4, `worker-${i}`, 2, { site: site(40) }),
        state(10 + i, 3, i === 7 ? 'running' : 'waiting', site(12, '/abs/prog.py', 'worker')),
      );
    const m = model(events);
    assert.equal(m.item('4', NO_MARKS)!.description, '30 tasks', 'the nursery counts the tasks in its one group item');
    const [group] = m.children('4');
    const item = m.item(group, NO_MARKS)!;
    assert.equal(item.label, 'worker ×30');
    assert.equal(item.description, '1 running, 29 waiting');
    assert.match(item.tooltip[0], /^30 tasks started at .*:40 named worker-0 … worker-29/);
    assert.equal(item.row, null, 'a group selects nothing in the panel');
    assert.equal(m.children(group).length, 30);
    // Revealing worker 17 walks up through the group.
    assert.equal(m.keyOf(17), '17');
    assert.equal(m.parent('17'), group);
    assert.equal(m.parent(group), '4');
  });

  it('marks the tasks of a standing deadlock (and those stuck behind it) as the panel rings them; not once it ended', () => {
    const events = [
      opened(4, 3, 1),
      spawned(5, 4, 'transfer a->b', 2),
      spawned(6, 4, 'transfer b->a', 2),
      spawned(7, 4, 'auditor', 2),
      spawned(8, 4, 'report', 2),
      state(5, 3, 'waiting', site(20)),
      state(6, 3, 'waiting', site(20)),
      state(8, 3, 'waiting', site(30)),
    ];
    const r = new RunState('c1.r1', 'prog.py');
    for (const e of [hello(), ...prologue(), ...events]) r.apply(e);
    const lock = (holder: number) => ({ kind: 'lock', label: 'Lock', holders: [holder] });
    const verdict: Verdict = {
      kind: 'deadlock',
      tasks: [
        { id: 5, name: 'transfer a->b', waits: lock(6), on: [6] },
        { id: 6, name: 'transfer b->a', waits: lock(5), on: [5] },
      ],
      behind: [{ id: 8, name: 'report', waits: lock(5), on: [] }],
      taskCount: 2,
      behindCount: 1,
      since: 3000,
      confirmedAt: 4000,
    };
    const m = TasksModel.of('c1.r1', r.rows(), verdict);
    assert.deepEqual(outline(m).slice(2), [
      '    transfer a->b — deadlocked · waiting · main:20',
      '    transfer b->a — deadlocked · waiting · main:20',
      '    auditor — scheduled',
      '    report — stuck behind the deadlock · waiting · main:30',
    ]);
    assert.equal(m.item('5', NO_MARKS)!.icon.color, 'errorForeground', 'drawn as the panel rings it');
    assert.ok(m.item('5', NO_MARKS)!.tooltip.some((l) => /^Deadlocked: /.test(l)));
    assert.notEqual(m.item('8', NO_MARKS)!.icon.color, 'errorForeground');
    const ended = TasksModel.of('c1.r1', r.rows(), { ...verdict, endedAt: 5000 });
    assert.equal(ended.item('5', NO_MARKS)!.description, 'waiting · main:20', 'things moved again: no mark');
  });

  it("marks the paused task with the debugger's arrow and words, and says why in its tooltip", () => {
    const m = model([
      opened(4, 3, 1),
      spawned(5, 4, 'worker-0', 2),
      spawned(6, 4, 'worker-1', 2),
      state(6, 3, 'running', site(12)),
    ]);
    const paused = m.item('6', { run: 'c1.r1', paused: 6, focus: null, reason: 'breakpoint' })!;
    assert.deepEqual(paused.icon, PAUSED_ICON);
    assert.match(paused.description, /^paused here/);
    assert.ok(paused.tooltip.some((l) => /stopped here \(breakpoint\)/.test(l)));
    const other = m.item('5', { run: 'c1.r1', paused: 6, focus: null, reason: 'breakpoint' })!;
    assert.equal(other.icon.id, 'clock');
    // Marks of another run do not show here.
    assert.notDeepEqual(m.item('6', { run: 'c2.r1', paused: 6, focus: null, reason: 'breakpoint' })!.icon, PAUSED_ICON);
  });

  it('keeps program text as text: a task named like markup is its label, nothing else', () => {
    const m = model([opened(4, 3, 1), spawned(5, 4, '<img src=x onerror=alert(1)>', 2)]);
    assert.equal(m.item('5', NO_MARKS)!.label, '<img src=x onerror=alert(1)>');
  });
});
