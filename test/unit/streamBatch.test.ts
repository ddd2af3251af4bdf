import assert from 'node:assert/strict';
import { LineDecoder, LineTooLongError } from '../../extension/collector/lineDecoder';
import { StreamReader } from '../../extension/collector/streamReader';
import { RunState } from '../../extension/store/runState';
import { exited, hello, opened, prologue, spawned, state } from './wireEvents';

// StreamReader.lines() parses a chunk's lines with one JSON.parse; these pin
// that it gives exactly what feeding the same lines one by one gives.
function reader() {
  const warnings: string[] = [];
  const runs: RunState[] = [];
  const r = new StreamReader(
    {
      run: (n) => {
        const s = new RunState(`t.r${n}`, 'prog.py');
        runs.push(s);
        return s;
      },
    },
    { warn: (m) => warnings.push(m) },
    'test',
  );
  return { r, warnings, runs };
}

const good = [
  ...prologue(),
  opened(4, 3, 1),
  spawned(5, 4, 'a', 1.1),
  spawned(6, 4, 'b', 1.2),
  state(5, 1.3, 'waiting'),
  exited(6, 1.4),
  exited(5, 1.5),
].map((e) => JSON.stringify(e));

function outcome(x: ReturnType<typeof reader>) {
  return {
    events: x.r.events,
    problems: [...x.r.problems],
    warnings: x.warnings,
    count: x.r.problemCount(),
    rows: x.runs.map((s) => s.rows()),
    info: x.runs.map((s) => ({ ...s.info(), clock: null })),
  };
}

function both(lines: string[]) {
  const one = reader();
  for (const l of lines) one.r.line(l);
  const batch = reader();
  batch.r.lines(lines);
  assert.deepEqual(outcome(batch), outcome(one));
  return batch;
}

describe('StreamReader.lines (one JSON.parse per chunk, per-line fallback)', () => {
  it('a chunk of valid lines: every event applied, nothing reported', () => {
    const x = both(good);
    assert.equal(x.r.events, good.length);
    assert.equal(x.r.problemCount(), 0);
    assert.equal(x.runs[0].info().totalTasks, 4);
  });

  it('one malformed line in the middle of a chunk loses only that line (counted and logged once)', () => {
    const lines = [...good.slice(0, 6), '{"type":"task.state","run":1,', ...good.slice(6)];
    const x = both(lines);
    assert.equal(x.r.events, good.length);
    assert.deepEqual([...x.r.problems], [['json', 1]]);
    assert.equal(x.warnings.length, 1);
    assert.match(x.warnings[0], /malformed JSON/);
    assert.equal(x.runs[0].info().totalTasks, 4);
  });

  it('odd lines (blank, two objects on one line, an array, unknown type or field) cost only themselves', () => {
    const lines = [
      ...good.slice(0, 4),
      '',
      '{"type":"nursery.closed","run":1,"ts":1,"id":9},{"type":"x"}',
      '[1,2]',
      '{"type":"task.teleported","run":1}',
      JSON.stringify({ ...spawned(7, 4, 'c', 1.6), colour: 'red' }),
      '{"a":[{}',
      '{}]}',
      ...good.slice(4),
    ];
    const x = both(lines);
    assert.equal(x.r.events, good.length + 1);
    assert.equal(x.r.problems.get('json'), 3);
    assert.equal(x.r.problems.get('not-object'), 1);
    assert.equal(x.r.problems.get('type:task.teleported'), 1);
    assert.equal(x.r.problems.get('field:task.spawned.colour'), 1);
  });

  it('two bad lines that would make one valid element when joined are still two bad lines', () => {
    const lines = [...good.slice(0, 5), '{"type":"scope.closed","run":1,"ts":1,"id":[{}', '{}]}', ...good.slice(5)];
    const x = both(lines);
    assert.equal(x.r.events, good.length);
    assert.equal(x.r.problems.get('json'), 2);
  });

  it('`from` skips lines already handled (a hello earlier in the chunk)', () => {
    const x = reader();
    x.r.lines([JSON.stringify(hello()), ...good], 1);
    assert.equal(x.r.events, good.length);
    assert.equal(x.r.problemCount(), 0);
  });

  it('through the decoder: a line split across chunks arrives whole; an over-long line is still refused', () => {
    const bytes = Buffer.from(good.join('\n') + '\n');
    const x = reader();
    const decoder = new LineDecoder(1024);
    for (let off = 0; off < bytes.length; off += 37) x.r.lines(decoder.push(bytes.subarray(off, off + 37)));
    assert.equal(x.r.events, good.length);
    assert.equal(x.r.problemCount(), 0);
    assert.equal(decoder.buffered, 0);
    const long = Buffer.from(JSON.stringify(spawned(8, 4, 'n'.repeat(2000), 2)) + '\n');
    assert.throws(() => {
      for (let off = 0; off < long.length; off += 500) x.r.lines(decoder.push(long.subarray(off, off + 500)));
    }, LineTooLongError);
    assert.equal(x.r.events, good.length);
  });
});
