import assert from 'node:assert/strict';
import { replayNdjson, runsFromNdjson } from '../../extension/collector/replay';
import { exited, hello, prologue, runFinished, spawned } from './wireEvents';

const ndjson = (values: unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';

describe('runsFromNdjson (recordings)', () => {
  it('replays a recording into one run per trio.run, with status recording', () => {
    const text = ndjson([
      hello({ argv: ['/home/u/crawl.py', '--fast'] }),
      ...prologue(1),
      exited(3, 5),
      runFinished(6, 'returned', {}, 1),
      ...prologue(2),
      exited(3, 5, 'returned', {}, 2),
      runFinished(6, 'returned', {}, 2),
    ]);
    const runs = runsFromNdjson(text);
    assert.equal(runs.length, 2);
    assert.equal(runs[0].info().status, 'recording');
    assert.equal(runs[0].info().label, 'crawl.py');
    assert.equal(runs[1].info().label, 'crawl.py · run 2');
    assert.equal(runs[0].info().outcome, 'returned');
    assert.notEqual(runs[0].key, runs[1].key);
    assert.equal(runs[0].rows().length, 3);
  });

  it('keeps the good lines and reports each bad one by line number', () => {
    const text = ndjson([
      hello(),
      ...prologue(),
      '{"type": "task.spawned", "run": 1, ', // line 6: cut short
      spawned(4, 2, 'x', 1),
      { type: 'task.spawned', run: 1, ts: 1, id: 'five' }, // line 8: invalid field
      { type: 'future.event', run: 1, ts: 1 }, // line 9: unknown type
      spawned(6, 2, 'y', 1, { colour: 'red' }), // line 10: unknown field, still used
    ]);
    const r = replayNdjson(text, { label: 'mine' });
    assert.equal(r.runs.length, 1);
    assert.equal(r.runs[0].info().label, 'mine');
    assert.equal(r.runs[0].info().totalTasks, 4);
    assert.equal(r.badLines, 3);
    assert.ok(
      r.problems.some((p) => p.includes('line 6') && p.includes('malformed JSON')),
      r.problems.join('\n'),
    );
    assert.ok(r.problems.some((p) => p.includes('line 8') && p.includes('"id"')));
    assert.ok(r.problems.some((p) => p.includes('line 9') && p.includes('future.event')));
    assert.ok(r.problems.some((p) => p.includes('line 10') && p.includes('colour')));
    assert.ok(r.runs[0].info().problems.some((p) => p.includes('3 line(s)')));
  });

  it('honours retainFinished', () => {
    const events: unknown[] = [hello(), ...prologue()];
    for (let i = 10; i < 30; i++) events.push(spawned(i, 2, 't', 1), exited(i, 2));
    const [run] = runsFromNdjson(ndjson(events), { retainFinished: 5 });
    assert.equal(run.info().retired, 15);
  });
});
