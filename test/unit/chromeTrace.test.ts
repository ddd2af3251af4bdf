// Export Chrome Trace…: a run's events → Trace Event Format JSON. No trace
// viewer runs here (Perfetto's trace_processor is a binary its PyPI package
// downloads at run time; Chromium's chrome://tracing is switched off), so the
// format's rules are checked as the viewers apply them: fields per phase,
// whole microseconds, metadata names, and complete slices that nest on each
// track (a slice that overlaps another without containing it breaks the view).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayNdjson } from '../../extension/collector/replay';
import { chromeTrace, type ChromeTrace, type TraceEvent } from '../../extension/export/chromeTrace';
import { eventsOfRun, runAddress } from '../../extension/export/runLines';
import { RunStore } from '../../extension/store/runStore';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
const METADATA = new Set(['process_name', 'thread_name', 'thread_sort_index', 'process_sort_index']);

/** What a trace viewer would choke on, one line per problem. */
function traceProblems(trace: ChromeTrace): string[] {
  const problems: string[] = [];
  const tracks = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    const where = `${e.ph} ${e.name} @${e.ts} tid ${e.tid}`;
    if (typeof e.name !== 'string' || !e.name) problems.push(`no name: ${where}`);
    if (!Number.isInteger(e.ts) || e.ts < 0) problems.push(`ts not whole microseconds: ${where}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push(`pid/tid: ${where}`);
    if (e.ph === 'X') {
      if (!Number.isInteger(e.dur) || e.dur! < 0) problems.push(`dur: ${where}`);
      const key = `${e.pid}:${e.tid}`;
      if (!tracks.has(key)) tracks.set(key, []);
      tracks.get(key)!.push(e);
    } else if (e.ph === 'i') {
      if (!['t', 'p', 'g'].includes(e.s ?? '')) problems.push(`instant scope: ${where}`);
    } else if (e.ph === 'M') {
      if (!METADATA.has(e.name) || typeof e.args !== 'object') problems.push(`metadata: ${where}`);
    } else problems.push(`phase: ${where}`);
  }
  for (const [key, slices] of tracks) {
    const open: TraceEvent[] = [];
    for (const s of [...slices].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!)) {
      while (open.length && open[open.length - 1].ts + open[open.length - 1].dur! <= s.ts) open.pop();
      const outer = open[open.length - 1];
      if (outer && s.ts + s.dur! > outer.ts + outer.dur!)
        problems.push(`track ${key}: ${s.name} overlaps ${outer.name} without nesting`);
      open.push(s);
    }
  }
  return problems;
}

function traceOf(name: string): ChromeTrace {
  const text = fixture(name);
  const { hello, events } = eventsOfRun(text, { program: 1, run: 1 });
  return chromeTrace(events, hello);
}

const slices = (t: ChromeTrace, tid: number) => t.traceEvents.filter((e) => e.tid === tid && e.ph === 'X');
const meta = (t: ChromeTrace, name: string, tid: number) =>
  t.traceEvents.find((e) => e.ph === 'M' && e.name === name && e.tid === tid)?.args;

describe('Chrome trace export', () => {
  for (const f of [
    'failing_child.ndjson',
    'deadlines.ndjson',
    'start_server.ndjson',
    'hettinger_trio.ndjson',
    'deep_and_wide.ndjson',
    'synthetic/tree_text_edges.ndjson',
  ]) {
    it(`${f}: the Trace Event shape, slices nesting on every track`, () => {
      const trace = traceOf(f);
      assert.deepEqual(traceProblems(trace), []);
      assert.deepEqual(JSON.parse(JSON.stringify(trace)), trace);
      assert.equal(trace.displayTimeUnit, 'ms');
    });
  }

  it('the shape check itself catches slices that overlap without nesting, and fractional times', () => {
    const x = (name: string, ts: number, dur: number): TraceEvent => ({ name, ph: 'X', ts, dur, pid: 1, tid: 1 });
    const bad: ChromeTrace = {
      traceEvents: [x('a', 0, 10), x('b', 5, 10), x('c', 1.5, 1)],
      displayTimeUnit: 'ms',
      otherData: {},
    };
    assert.deepEqual(traceProblems(bad), [
      'ts not whole microseconds: X c @1.5 tid 1',
      'track 1:1: b overlaps a without nesting',
    ]);
  });

  it('draws each task as a track: its life, its sampled states inside, its failure and the cancels it caused', () => {
    const trace = traceOf('failing_child.ndjson');
    const [life, ...states] = slices(trace, 10);
    assert.equal(life.name, 'parse feed');
    assert.equal(life.args?.outcome, 'raised ValueError: feed item 3 has no date');
    assert.ok(
      states.some((s) => s.name === 'waiting @ failing_child.py:46'),
      states.map((s) => s.name).join(),
    );
    assert.equal(meta(trace, 'thread_name', 10)?.name, 'parse feed #10');
    const instants = trace.traceEvents.filter((e) => e.ph === 'i').map((e) => `${e.tid} ${e.name}`);
    assert.ok(instants.includes('10 raised ValueError: feed item 3 has no date'));
    assert.ok(instants.includes('9 cancelled'));
    assert.match(String(meta(trace, 'process_name', 0)?.name), /^failing_child\.py \(pid 5655\) · Trio 0\.35\.0$/);
    assert.match(slices(trace, 0)[0].name, /^run: returned$/);
  });

  it('says where a task and a run raised (protocol 1.6), in words and as the full path', () => {
    const text = fixture('synthetic/tree_text_edges.ndjson');
    const asyncio = eventsOfRun(text, { program: 1, run: 1 });
    const [life] = slices(chromeTrace(asyncio.events, asyncio.hello), 14);
    assert.equal(life.args?.outcome, "raised KeyError: 'user' @ edge cases.py:64");
    assert.equal(life.args?.raised_at, '/home/u/edge cases.py:64 (fire_and_forget)');
    const anyio = eventsOfRun(text, { program: 2, run: 1 });
    const trace = chromeTrace(anyio.events, anyio.hello);
    assert.match(slices(trace, 0)[0].name, /^run: raised ExceptionGroup: .* \[OSError\] @ server\.py:51$/);
    const instants = trace.traceEvents.filter((e) => e.ph === 'i').map((e) => `${e.tid} ${e.name}`);
    assert.ok(instants.includes('5 raised OSError @ server.py:33'), instants.join('\n'));
  });

  it('orders the tracks as the tree: a nursery right above its tasks, depth first', () => {
    const trace = traceOf('failing_child.ndjson');
    const at = (tid: number) => Number(meta(trace, 'thread_sort_index', tid)?.sort_index);
    // main (5) > its nursery (7) > check config (8) … uploader (11) > its nursery > upload chunks
    assert.ok(at(5) < at(7) && at(7) < at(8) && at(8) < at(9) && at(9) < at(10) && at(10) < at(11));
    const uploaderNursery = trace.traceEvents.find((e) => e.ph === 'X' && e.cat === 'nursery' && e.args?.owner === 11)!;
    assert.ok(at(11) < at(uploaderNursery.tid));
  });

  it('marks a task a snapshot did not replay as lost, and the lost lines', () => {
    const text = fixture('synthetic/tree_text_edges.ndjson');
    const { hello, events } = eventsOfRun(text, { program: 2, run: 1 });
    assert.equal(hello?.instance, 'b2');
    const trace = chromeTrace(events, hello);
    assert.deepEqual(traceProblems(trace), []);
    assert.equal(slices(trace, 9)[0].args?.outcome, 'lost');
    assert.ok(trace.traceEvents.some((e) => e.ph === 'i' && e.s === 'g' && e.name === '3 events dropped'));
    assert.match(String(meta(trace, 'process_name', 0)?.name), /· AnyIO 4\.6\.0 on Trio 0\.35\.0$/);
  });

  it("finds a run's lines by its store key, live or from a recording of several programs", () => {
    const rec = replayNdjson(fixture('synthetic/tree_text_edges.ndjson')).runs;
    assert.deepEqual(
      rec.map((r) => runAddress(r.key)),
      [
        { program: 1, run: 1 },
        { program: 2, run: 1 },
      ],
    );
    const store = new RunStore();
    const stream = store.openStream({ launchKey: 'L', instance: 'i1' });
    assert.deepEqual(runAddress(stream.run(2)!.key), { program: 1, run: 2 });
  });
});
