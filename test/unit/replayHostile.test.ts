import assert from 'node:assert/strict';
import { replayNdjson } from '../../extension/collector/replay';
import { hello, prologue, spawned } from './wireEvents';

describe('a shared recording built to stall the host', () => {
  it('lines nested deeper than any event are not parsed: 20 MB of them cost milliseconds, and the good lines still load', () => {
    const half = 512 * 1024 - 1;
    const deep = '['.repeat(half) + ']'.repeat(half);
    const objects = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const good = [hello(), ...prologue(), spawned(4, 2, 'worker', 1)].map((v) => JSON.stringify(v));
    const text =
      [good[0], good[1], ...Array.from({ length: 20 }, () => deep), objects, ...good.slice(2)].join('\n') + '\n';
    const t0 = performance.now();
    const result = replayNdjson(text);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms (parsing them took ~2.5 s)`);
    assert.equal(result.badLines, 21);
    assert.equal(result.runs.length, 1);
    assert.equal(result.runs[0].info().totalTasks, 3);
    assert.ok(result.problems.some((p) => /nests deeper than 32 levels/.test(p)));
  });

  it('an exception group nested as deep as the validator allows is still read', () => {
    let error: Record<string, unknown> = { type: 'ValueError', message: 'leaf' };
    for (let i = 0; i < 8; i++) error = { type: 'ExceptionGroup', message: `level ${i}`, exceptions: [error] };
    const lines = [
      hello(),
      ...prologue(),
      spawned(4, 2, 'w', 1),
      { type: 'task.exited', run: 1, ts: 2, id: 4, outcome: 'raised', error },
    ];
    const result = replayNdjson(lines.map((v) => JSON.stringify(v)).join('\n') + '\n');
    assert.equal(result.badLines, 0, result.problems.join('\n'));
  });
});
