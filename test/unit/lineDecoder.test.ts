import assert from 'node:assert/strict';
import { LineDecoder, LineTooLongError } from '../../extension/collector/lineDecoder';

describe('LineDecoder (NDJSON framing)', () => {
  it('returns whole lines, and keeps a line split across chunks until its newline', () => {
    const d = new LineDecoder(1024);
    assert.deepEqual(d.push(Buffer.from('{"a":1}\n{"b"')), ['{"a":1}']);
    assert.deepEqual(d.push(Buffer.from(':2')), []);
    assert.deepEqual(d.push(Buffer.from('}\n\n{"c":3}\r\n')), ['{"b":2}', '', '{"c":3}']);
    assert.equal(d.buffered, 0);
  });

  it('decodes multi-byte UTF-8 characters split between chunks', () => {
    const text = '{"name":"Grüße 🌳 木"}\n';
    const bytes = Buffer.from(text, 'utf8');
    // Split at every possible byte position, including inside each character.
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new LineDecoder(1024);
      const lines = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      assert.deepEqual(lines, ['{"name":"Grüße 🌳 木"}'], `cut at ${cut}`);
    }
    // And byte by byte.
    const d = new LineDecoder(1024);
    const lines: string[] = [];
    for (const b of bytes) lines.push(...d.push(Buffer.from([b])));
    assert.deepEqual(lines, ['{"name":"Grüße 🌳 木"}']);
  });

  it('accepts a line of exactly the limit and rejects one byte more, also when it arrives in pieces', () => {
    const ok = new LineDecoder(10);
    assert.deepEqual(ok.push(Buffer.from('0123456789\n')), ['0123456789']);
    assert.throws(() => new LineDecoder(10).push(Buffer.from('0123456789A\n')), LineTooLongError);
    const pieces = new LineDecoder(10);
    pieces.push(Buffer.from('01234'));
    pieces.push(Buffer.from('56789'));
    assert.throws(() => pieces.push(Buffer.from('A')), LineTooLongError, 'no newline needed to detect it');
  });

  it('never buffers more than the limit while waiting for a newline', () => {
    const d = new LineDecoder(1024 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let threw = false;
    for (let i = 0; i < 100 && !threw; i++) {
      try {
        d.push(chunk);
      } catch (e) {
        assert.ok(e instanceof LineTooLongError);
        threw = true;
      }
      assert.ok(d.buffered <= 1024 * 1024);
    }
    assert.ok(threw);
  });
});
