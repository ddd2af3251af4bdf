// Task labels in Node: names cut so the part that tells siblings apart
// survives, and await labels that read as `function:line`.
import assert from 'node:assert/strict';
import type { Site, TaskRow } from '../../contract/rows';
import { awaitKey, awaitLabel } from '../../webview/tree/labels';
import { cutName, fitMiddle } from '../../webview/tree/textFit';

/** One pixel per character: the cuts are about which characters stay. */
const chars = { width: (s: string) => s.length };

const task = (over: Partial<TaskRow>): TaskRow => ({
  kind: 'task',
  id: 10,
  parent: 4,
  name: 'fetch',
  system: false,
  main: false,
  state: 'waiting',
  since: 0,
  spawnedAt: 0,
  site: { file: '/app/crawl.py', line: 118, function: 'crawl' },
  awaitSite: null,
  scopes: [],
  ...over,
});
const at = (file: string, line: number, fn: string): Site => ({ file, line, function: fn });

describe('webview labels: names and await sites (Node)', () => {
  it('leaves names that fit alone and draws dotted Trio names by their last part', () => {
    assert.equal(cutName(chars, 'fetch(http://www.cnn.com)', 40), 'fetch(http://www.cnn.com)');
    assert.equal(
      cutName(chars, 'trio._highlevel_open_tcp_stream.open_tcp_stream.<locals>.attempt_connect', 40),
      'attempt_connect',
    );
  });

  it('cuts f(url) names to keep the function and the host, not the scheme', () => {
    const cut = cutName(chars, 'fetch(https://www.a-rather-long-hostname.example.com/some/deep/path)', 32);
    assert.ok(cut.length <= 32, cut);
    assert.match(cut, /^fetch\(…a-rather-long-hostname/, cut);
    assert.match(cut, /\)$/);
    // Two sites that differ only in the host stay apart after the cut.
    const a = cutName(chars, 'fetch(http://www.first-site-with-a-long-name.org/index.html)', 30);
    const b = cutName(chars, 'fetch(http://www.other-site-with-a-long-name.org/index.html)', 30);
    assert.notEqual(a, b);
  });

  it('cuts other f(arg) names in the argument, keeping its end', () => {
    const cut = cutName(chars, 'handle(connection from 127.0.0.1 port 50517)', 30);
    assert.ok(cut.length <= 30, cut);
    assert.match(cut, /^handle\(/);
    assert.match(cut, /50517\)$/);
  });

  it('cuts plain names in the middle so both ends survive', () => {
    const cut = cutName(chars, 'worker for the image thumbnail queue number 17', 24);
    assert.ok(cut.length <= 24, cut);
    assert.match(cut, /^worker/);
    assert.match(cut, /17$/);
    assert.equal(fitMiddle(chars, 'abcdef', 6), 'abcdef');
  });

  it('labels an await site by function and line, naming the file only when it is not the spawn file', () => {
    assert.equal(awaitLabel(task({ awaitSite: at('/app/crawl.py', 53, 'page_size') })), 'page_size:53');
    assert.equal(awaitLabel(task({ awaitSite: at('/app/net/http.py', 120, 'read') })), 'http.py › read:120');
    assert.equal(awaitLabel(task({ awaitSite: at('/app/crawl.py', 7, '<module>') })), 'crawl.py:7');
  });

  it('names the object a task waits on (protocol 1.2 waits) in preference to the site; a sleep or socket keeps the site', () => {
    const site = { awaitSite: at('/app/crawl.py', 74, 'fetch') };
    const t = task({
      ...site,
      waits: { kind: 'limiter', obj: 9, label: 'CapacityLimiter limiter', holders: [3] },
    });
    assert.equal(awaitLabel(t), 'CapacityLimiter limiter');
    assert.equal(awaitKey(t), 'obj:9', 'tasks waiting on one object share a key (and a mark)');
    const sleeping = task({
      ...site,
      waits: { kind: 'sleep', label: 'trio.sleep', until: 900, wakes: true },
    });
    assert.equal(awaitLabel(sleeping), 'fetch:74');
    // Same site, no waits: keyed by the site; a finished task has no await key (and waits for nothing).
    assert.equal(awaitKey(task(site)), '/app/crawl.py:74');
    assert.equal(awaitKey(task({ state: 'returned', ...site, waits: t.waits })), null);
    assert.equal(
      awaitLabel(task({ state: 'scheduled', ...site, waits: t.waits })),
      'fetch:74',
      'a task that is not waiting names no object',
    );
  });
});
