// Hostile recordings (#12 item 4, "Open Recording is unbounded and blocks the
// host"): a recording is streamed through the limits of a live connection,
// gives the event loop back while it is read, can be cancelled, and reaches
// the panel as one run list and one snapshot however many programs it holds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunksOf, readRecording, readRecordingFile } from '../../extension/collector/recordingReader';
import { MAX_RECORDING_RUNS, RecordingReplay, replayNdjson } from '../../extension/collector/replay';
import { RunStore } from '../../extension/store/runStore';
import { bridgeOnStore } from './panelHarness';
import { exited, hello, opened, prologue, runFinished, spawned, state, site, closed } from './wireEvents';

const ndjson = (values: unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';

/** About `mb` MB of a busy run: waves of 100 tasks spawned, sampled and exited. */
function busyRecording(mb: number): string {
  const parts = [ndjson([hello(), ...prologue()])];
  let size = parts[0].length;
  let id = 10;
  for (let ts = 1; size < mb * 1e6; ts++) {
    const nursery = id++;
    const wave: unknown[] = [opened(nursery, 3, ts)];
    const first = id;
    for (let i = 0; i < 100; i++) wave.push(spawned(id++, nursery, 'worker', ts));
    for (let t = first; t < id; t++) wave.push(state(t, ts, 'waiting', site(30)));
    for (let t = first; t < id; t++) wave.push(exited(t, ts));
    wave.push(closed(nursery, ts));
    const text = ndjson(wave);
    parts.push(text);
    size += text.length;
  }
  parts.push(ndjson([runFinished(1e9)]));
  return parts.join('');
}

/** Bytes of `text`'s start that this machine replays per ms of CPU time (the best of a few one-chunk replays). */
function bytesPerCpuMs(text: string): number {
  const chunk = Buffer.from(text.slice(0, 256 * 1024));
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const replay = new RecordingReplay();
    const before = process.cpuUsage();
    replay.push(chunk);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return chunk.length / best;
}

describe('hostile recordings: Open Recording is bounded and keeps the host responsive (#12 item 4)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nl-rec-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a large recording is streamed: the event loop turns between every few chunks, progress grows to the size, the runs equal a whole-text replay', async () => {
    const text = busyRecording(12);
    const file = join(dir, 'big.ndjson');
    writeFileSync(file, text);
    // What a user notices is the host's loop held by the reading's own work,
    // not the waits of a loaded machine: so the hold is counted in bytes
    // replayed between two turns of the loop, against what this machine
    // replays in 150 ms of CPU time.
    const budget = 150 * bytesPerCpuMs(text);
    const progress: number[] = [];
    const atTurns: number[] = [0];
    const timer = setInterval(() => atTurns.push(progress.at(-1) ?? 0), 2);
    const read = await readRecordingFile(file, { onProgress: (b) => progress.push(b) });
    clearInterval(timer);
    atTurns.push(progress.at(-1)!);
    const held = Math.max(...atTurns.slice(1).map((b, i) => b - atTurns[i]));
    assert.ok(held < budget, `${held} bytes replayed between two turns; 150 ms of CPU replays ${budget.toFixed(0)}`);
    assert.ok(progress.length > 10);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1), Buffer.byteLength(text));
    const whole = replayNdjson(text);
    assert.equal(read.events, whole.events);
    assert.deepEqual(
      read.runs.map((r) => r.rows()),
      whole.runs.map((r) => r.rows()),
    );
    assert.deepEqual(read.runs[0].info().retired, whole.runs[0].info().retired);
    assert.equal(read.truncated, false);
    assert.equal(Buffer.concat(read.bytes).toString(), text);
  });

  it('cancel stops the reading: no runs', async () => {
    const file = join(dir, 'cancel.ndjson');
    writeFileSync(file, busyRecording(4));
    const abort = new AbortController();
    let chunks = 0;
    const read = await readRecordingFile(file, {
      signal: abort.signal,
      onProgress: () => {
        if (++chunks === 2) abort.abort();
      },
    });
    assert.equal(read.cancelled, true);
    assert.deepEqual(read.runs, []);
    assert.equal(chunks, 2);
  });

  it('a line over 1 MiB ends the reading there, as it ends a connection; what came before stays', async () => {
    const text =
      ndjson([hello(), ...prologue(), spawned(4, 2, 'before', 1)]) +
      `{"type":"task.spawned","run":1,"ts":2,"id":5,"nursery":2,"system":false,"site":null,"name":"${'x'.repeat(3 << 20)}"}\n` +
      ndjson([spawned(6, 2, 'after', 3)]);
    const read = await readRecording(chunksOf(Buffer.from(text)));
    assert.equal(read.runs.length, 1);
    assert.deepEqual(
      read.runs[0]
        .rows()
        .filter((r) => r.kind === 'task')
        .map((r) => r.id),
      [1, 3, 4],
    );
    assert.ok(
      read.problems.some((p) => /line 7 is longer than 1048576 bytes/.test(p)),
      read.problems.join('\n'),
    );
    assert.equal(read.badLines, 1);
    const whole = replayNdjson(text); // one buffer holding every line: the same
    assert.deepEqual(
      whole.runs[0]
        .rows()
        .filter((r) => r.kind === 'task')
        .map((r) => r.id),
      [1, 3, 4],
    );
  });

  it('the lines kept for Save Recording are bounded, cut at a line', async () => {
    const text = busyRecording(1);
    const read = await readRecording(chunksOf(Buffer.from(text)), { keepBytes: 100_000 });
    const store = new RunStore();
    const [entry] = store.addRecording(read.runs, read);
    const saved = store.recordingOf(entry.state.key)!;
    assert.equal(saved.truncated, true);
    assert.ok(saved.text.length <= 100_000 && saved.text.length > 90_000);
    assert.ok(saved.text.endsWith('\n'));
    assert.ok(text.startsWith(saved.text));
  });

  it("a recording's kept lines count with the programs' raw lines, and are let go for a live program's", async () => {
    const store = new RunStore(() => 2000, { perProgram: 100, total: 150 });
    const text = ndjson([hello(), ...prologue()]);
    const { runs } = await readRecording(chunksOf(Buffer.from(text)));
    const [rec] = store.addRecording(runs, { bytes: [Buffer.from('x\n'.repeat(60))], truncated: false });
    const live = store.openStream({ launchKey: 'k', instance: 'live' });
    live.run(1);
    for (let i = 0; i < 8; i++) live.record('y'.repeat(9)); // 80 bytes: only with the recording's room
    assert.equal(store.recordingOf(rec.state.key)!.dropped, true);
    assert.equal(store.recordingOf(live.run(1)!.key)!.truncated, false);
  });

  it('2,000 programs in one recording: runs capped, one run list and one snapshot for the panel', async () => {
    const lines: unknown[] = [];
    for (let k = 0; k < 2000; k++) lines.push(hello({ instance: `p${k}` }), ...prologue());
    const read = await readRecording(chunksOf(Buffer.from(ndjson(lines))));
    assert.equal(read.runs.length, MAX_RECORDING_RUNS);
    assert.ok(read.problems.length <= 201, `${read.problems.length} problems listed`);
    const { store, posted, bridge } = bridgeOnStore();
    await bridge.handle({ type: 'ready' });
    posted.length = 0;
    const entries = store.addRecording(read.runs, read);
    bridge.select(entries[0].state.key); // as the command does
    await new Promise((r) => setTimeout(r, 100));
    // …and the time cursor of the one shown, at its start (a recording opens there).
    assert.deepEqual(
      posted.map((m) => m.type),
      ['runs', 'snapshot', 'cursor'],
    );
    assert.ok(JSON.stringify(posted).length < 200_000, `${JSON.stringify(posted).length} characters`);
    bridge.dispose();
  });
});
