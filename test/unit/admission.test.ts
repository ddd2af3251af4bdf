import assert from 'node:assert/strict';
import { LineDecoder, LineTooLongError } from '../../extension/collector/lineDecoder';
import { parseFirstLine, PendingConnections } from '../../extension/collector/admission';
import { nestsDeeperThan } from '../../extension/collector/jsonDepth';
import { RefusalLog } from '../../extension/collector/refusalLog';

describe('admission before the hello', () => {
  it('the first line has its own limit, also when it arrives in pieces; later lines get the full one', () => {
    const d = new LineDecoder(100, 10);
    assert.throws(() => d.push(Buffer.from('0123456789A\n')), LineTooLongError);
    const pieces = new LineDecoder(100, 10);
    pieces.push(Buffer.from('01234'));
    assert.throws(
      () => pieces.push(Buffer.from('567890')),
      (e: unknown) => e instanceof LineTooLongError && e.limit === 10,
    );
    const ok = new LineDecoder(100, 10);
    const long = 'x'.repeat(90);
    assert.deepEqual(ok.push(Buffer.from(`0123456789\n${long}\n${long.slice(0, 50)}`)), ['0123456789', long]);
    assert.deepEqual(ok.push(Buffer.from(`${long.slice(50)}\n`)), [long]);
    assert.throws(
      () => ok.push(Buffer.from('y'.repeat(101))),
      (e: unknown) => e instanceof LineTooLongError && e.limit === 100,
    );
  });

  it('tells deep nesting from brackets inside strings', () => {
    assert.equal(nestsDeeperThan('[[[[]]]]', 3), true);
    assert.equal(nestsDeeperThan('[[[]]]', 3), false);
    assert.equal(nestsDeeperThan('{"argv":["[[[[[[", "\\"[[[[[[[["]}', 2), false);
    assert.equal(nestsDeeperThan('{"a":"\\\\"}[[[', 2), true, 'an escaped backslash ends before the quote');
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    const t0 = performance.now();
    assert.equal(parseFirstLine(deep).ok, false);
    assert.ok(performance.now() - t0 < 20, 'refused without parsing');
    assert.deepEqual(parseFirstLine('{"type":"hello","argv":["a"]}'), {
      ok: true,
      value: { type: 'hello', argv: ['a'] },
    });
  });

  it('the longest-waiting stranger makes room for a new one', () => {
    const p = new PendingConnections<string>(2);
    assert.equal(p.add('a'), undefined);
    assert.equal(p.add('b'), undefined);
    p.delete('a');
    assert.equal(p.add('c'), undefined);
    assert.equal(p.add('d'), 'b');
    assert.equal(p.add('e'), 'c');
    assert.equal(p.size, 2);
  });

  it('refusals: the first few of a window in full, the rest counted in one line', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RefusalLog({ warn: (m) => lines.push(m) }, 1000, 2, () => now);
    for (let i = 0; i < 50; i++) log.refused(`connection ${i}`, `wrong secret in hello (${i})`, 'wrong secret');
    log.refused('connection 50', 'closed before saying hello');
    assert.deepEqual(lines, ['connection 0: wrong secret in hello (0)', 'connection 1: wrong secret in hello (1)']);
    now = 1500;
    log.refused('connection 51', 'no hello within 3 s');
    assert.equal(lines.length, 4);
    assert.match(lines[2], /49 more connection\(s\) refused .*48 × wrong secret; 1 × closed before saying hello/);
    assert.equal(lines[3], 'connection 51: no hello within 3 s', 'a new window writes in full again');
    log.flush();
    assert.equal(lines.length, 4, 'nothing held back, nothing written');
  });
});
