// `npm run bench:hostile`: what hostile local input costs the extension host.
// Each probe runs in its own Node process (so its peak memory is its own) and
// prints one line; the last line is one JSON object with every figure.
//   scopes     40,000 scope.changed of distinct scopes on one task, fed as a
//              connection feeds them (64 KiB chunks), a delta taken per chunk
//   files      1M task.state samples whose sites name distinct files
//   deepSite   9,000 distinct sites, then one with a 5,000-deep junk field
//   recording  Open Recording of a 200 MB recording (time, peak RSS, the
//              longest the event loop was blocked)
//   longLine   Open Recording of a file holding one 200 MB line
//   hellos2k   a 670 KB recording of 2,000 programs (a hello each) opened
//              with the panel open: time, messages and bytes posted to it
//   hellos20k  the same with 20,000 programs
//   reconnects 10 program connections making 300 runs each: runs held
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineDecoder } from '../extension/collector/lineDecoder';
import { StreamReader } from '../extension/collector/streamReader';
import { MAX_LINE_BYTES } from '../contract/wire';
import type { HelloEvent } from '../contract/wire';
import { RunStore } from '../extension/store/runStore';
import { PanelBridge } from '../extension/panel/panelBridge';
import { chunksOf, readRecording, readRecordingFile, type RecordingRead } from '../extension/collector/recordingReader';

const CHUNK = 64 * 1024;
const quiet = { warn: () => undefined };
const tmp = join(__dirname, 'results');

const helloEv = (instance = 'i1'): HelloEvent => ({
  type: 'hello',
  protocol: 1,
  minor: 2,
  runtime: 'trio',
  runtime_version: '0.27.0',
  lens_version: '0.1.0',
  python: '3.11.9',
  pid: 1,
  argv: ['/abs/prog.py'],
  cwd: '/abs',
  instance,
});
const prologue = (run = 1) => [
  { type: 'run.started', run, ts: 0, wall: 1 },
  { type: 'task.spawned', run, ts: 0.1, id: 1, name: '<init>', nursery: null, system: true, site: null },
  { type: 'nursery.opened', run, ts: 0.2, id: 2, task: 1, site: null, system: true },
  { type: 'task.spawned', run, ts: 0.3, id: 3, name: 'main', nursery: 2, system: false, main: true, site: null },
];
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const peakMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** A store with one program connected, fed chunk by chunk as a connection would. */
function liveRun() {
  const store = new RunStore();
  const stream = store.openStream({ launchKey: 'k', instance: 'i1' });
  const reader = new StreamReader(stream, quiet, 'probe');
  reader.setHello(helloEv());
  const decoder = new LineDecoder(MAX_LINE_BYTES);
  let maxChunkMs = 0;
  const feed = (text: string, onChunk?: () => void) => {
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length; off += CHUNK) {
      const t0 = performance.now();
      reader.lines(decoder.push(bytes.subarray(off, off + CHUNK)));
      onChunk?.();
      maxChunkMs = Math.max(maxChunkMs, performance.now() - t0);
    }
  };
  return { store, stream, reader, feed, maxChunkMs: () => maxChunkMs };
}
const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

const probes: Record<string, () => Promise<Record<string, unknown>>> = {
  async scopes() {
    const p = liveRun();
    p.feed(ndjson(prologue()));
    const run = p.stream.run(1)!;
    const events = [];
    for (let i = 0; i < 40_000; i++)
      events.push({
        type: 'scope.changed',
        run: 1,
        ts: 1 + i / 1000,
        id: 100 + i,
        task: 3,
        deadline: 5000,
        shield: false,
        cancel_called: false,
      });
    const t0 = performance.now();
    p.feed(ndjson(events), () => run.takeDelta());
    return { ms: Math.round(performance.now() - t0), maxChunkMs: Math.round(p.maxChunkMs()), peakMb: peakMb() };
  },

  async files() {
    const p = liveRun();
    p.feed(ndjson(prologue()));
    const run = p.stream.run(1)!;
    gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let k = 0; k < 10; k++) {
      const events = [];
      for (let i = 0; i < 100_000; i++) {
        const n = k * 100_000 + i;
        events.push({
          type: 'task.state',
          run: 1,
          ts: 1 + n / 1000,
          id: 3,
          state: n % 2 ? 'running' : 'waiting',
          at: { file: `/src/pkg/module_${n}.py`, line: 7, function: 'work' },
        });
      }
      p.feed(ndjson(events), () => run.takeDelta());
    }
    const ms = performance.now() - t0;
    gc();
    return {
      heapGrowthMb: Math.round((process.memoryUsage().heapUsed - before) / 1e6),
      reportedFiles: run.reportedFiles.size,
      usPerEvent: Number(((ms * 1000) / 1e6).toFixed(2)),
      peakMb: peakMb(),
    };
  },

  async deepSite() {
    const p = liveRun();
    p.feed(ndjson(prologue()));
    const run = p.stream.run(1)!;
    const events = [];
    for (let i = 0; i < 9000; i++)
      events.push({
        type: 'task.state',
        run: 1,
        ts: 1,
        id: 3,
        state: 'waiting',
        at: { file: '/abs/prog.py', line: i, function: 'f' },
      });
    p.feed(ndjson(events));
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    p.feed(
      `{"type":"task.state","run":1,"ts":2,"id":3,"state":"running","at":{"file":"/abs/prog.py","line":1,"function":"g","junk":${deep}}}\n`,
    );
    let serializable = true;
    try {
      JSON.stringify(run.rows());
      structuredClone(run.rows());
    } catch {
      serializable = false;
    }
    return { snapshotSerializable: serializable };
  },

  async recording() {
    const file = await bigRecording();
    return openRecordingFile(file);
  },

  async longLine() {
    const file = join(tmp, 'hostile-long-line.ndjson');
    if (!existsSync(file)) {
      const out = createWriteStream(file);
      out.write(JSON.stringify(helloEv()) + '\n' + JSON.stringify(prologue()[0]) + '\n');
      out.write('{"type":"task.spawned","run":1,"ts":1,"id":1,"nursery":null,"system":false,"site":null,"name":"');
      const block = 'x'.repeat(1 << 20);
      for (let i = 0; i < 200; i++) out.write(block);
      out.write('"}\n');
      await new Promise<void>((r) => out.end(() => r()));
    }
    return openRecordingFile(file);
  },

  async hellos() {
    const lines = (programs: number) => {
      const out: string[] = [];
      for (let k = 0; k < programs; k++) {
        out.push(JSON.stringify(helloEv(`inst${k}`)), JSON.stringify(prologue()[0]), JSON.stringify(prologue()[1]));
      }
      return out.join('\n') + '\n';
    };
    const once = async (programs: number) => {
      const text = lines(programs);
      const store = new RunStore();
      let bytes = 0;
      let messages = 0;
      const bridge = new PanelBridge(store, {
        post: (m) => {
          bytes += JSON.stringify(m).length;
          messages++;
        },
        openSite: async () => undefined,
        runCommand: () => undefined,
      });
      await bridge.handle({ type: 'ready' });
      bytes = messages = 0;
      const t0 = performance.now();
      await openRecordingText(store, bridge, text);
      await new Promise((r) => setImmediate(r)); // what the bridge sends at once
      const ms = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 200)); // and what it batches
      bridge.dispose();
      return {
        fileKb: Math.round(text.length / 1024),
        panelMb: Number((bytes / 1e6).toFixed(2)),
        messages,
        ms: Math.round(ms),
      };
    };
    return once(Number(process.env.PROGRAMS ?? 2000));
  },

  async reconnects() {
    const store = new RunStore();
    const readers = [];
    for (let c = 0; c < 10; c++) {
      const stream = store.openStream({ launchKey: 'k', instance: c % 2 ? 'same' : `i${c}` });
      const reader = new StreamReader(stream, quiet, `c${c}`);
      reader.setHello(helloEv());
      const events = [];
      for (let r = 1; r <= 300; r++) events.push({ type: 'run.started', run: r, ts: 0, wall: 1 });
      reader.lines(ndjson(events).trim().split('\n'));
      readers.push(reader);
    }
    return { runsHeld: store.all().length };
  },
};

/** ~200 MB of valid events: waves of 100 tasks spawned, sampled and exited. */
async function bigRecording(): Promise<string> {
  const file = join(tmp, 'hostile-200mb.ndjson');
  if (existsSync(file) && statSync(file).size > 190e6) return file;
  mkdirSync(tmp, { recursive: true });
  const out = createWriteStream(file);
  out.write(ndjson([helloEv(), ...prologue()]));
  let id = 10;
  let ts = 1;
  for (let bytes = 0; bytes < 200e6;) {
    const wave: unknown[] = [];
    const nursery = id++;
    wave.push({
      type: 'nursery.opened',
      run: 1,
      ts,
      id: nursery,
      task: 3,
      site: { file: '/abs/prog.py', line: 20, function: 'main' },
    });
    const first = id;
    for (let i = 0; i < 100; i++)
      wave.push({
        type: 'task.spawned',
        run: 1,
        ts: (ts += 0.01),
        id: id++,
        name: 'worker',
        nursery,
        system: false,
        site: { file: '/abs/prog.py', line: 21, function: 'main' },
      });
    for (let t = first; t < id; t++)
      wave.push({
        type: 'task.state',
        run: 1,
        ts: (ts += 0.01),
        id: t,
        state: 'waiting',
        at: { file: '/abs/prog.py', line: 30, function: 'worker' },
      });
    for (let t = first; t < id; t++)
      wave.push({ type: 'task.exited', run: 1, ts: (ts += 0.01), id: t, outcome: 'returned' });
    wave.push({ type: 'nursery.closed', run: 1, ts, id: nursery });
    const text = ndjson(wave);
    bytes += text.length;
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.write(ndjson([{ type: 'run.finished', run: 1, ts, outcome: 'returned' }]));
  await new Promise<void>((r) => out.end(() => r()));
  return file;
}

/** What Open Recording… does once the file is read: add its runs, select the first. */
function addToStore(store: RunStore, bridge: PanelBridge | null, result: RecordingRead): void {
  const entries = store.addRecording(result.runs, result);
  if (entries[0]) bridge?.select(entries[0].state.key);
}

async function openRecordingText(store: RunStore, bridge: PanelBridge, text: string): Promise<void> {
  addToStore(store, bridge, await readRecording(chunksOf(Buffer.from(text)), { retainFinished: 2000 }));
}

/** Opens a recording file as the command does, watching how long the event loop is blocked at most. */
async function openRecordingFile(file: string): Promise<Record<string, unknown>> {
  let maxBlockMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxBlockMs = Math.max(maxBlockMs, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  const store = new RunStore();
  const result = await readRecordingFile(file, { retainFinished: 2000 });
  addToStore(store, null, result);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  const rows = result.runs[0]?.rows() ?? [];
  return {
    ms: Math.round(ms),
    maxBlockMs: Math.round(maxBlockMs),
    peakMb: peakMb(),
    runs: result.runs.length,
    events: result.events,
    snapshotMb: Number((JSON.stringify(rows).length / 1e6).toFixed(1)),
  };
}

/** Each run: [name in the output, probe, environment]. */
const RUNS: [string, string, Record<string, string>][] = [
  ['scopes', 'scopes', {}],
  ['files', 'files', {}],
  ['deepSite', 'deepSite', {}],
  ['recording', 'recording', {}],
  ['longLine', 'longLine', {}],
  ['hellos2k', 'hellos', { PROGRAMS: '2000' }],
  ['hellos20k', 'hellos', { PROGRAMS: '20000' }],
  ['reconnects', 'reconnects', {}],
];
const LIMIT_MS = Number(process.env.PROBE_LIMIT_S ?? 120) * 1000;

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only) {
    const result = await probes[only]();
    console.log(JSON.stringify(result));
    return;
  }
  mkdirSync(tmp, { recursive: true });
  await bigRecording();
  const all: Record<string, unknown> = { bench: 'hostile' };
  for (const [name, probe, env] of RUNS) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import=tsx', __filename, probe], {
      encoding: 'utf8',
      timeout: LIMIT_MS,
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    });
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    let value: unknown;
    try {
      value = JSON.parse(last);
    } catch {
      value = r.signal ? { notDoneAfterS: LIMIT_MS / 1000 } : { failed: r.status, stderr: r.stderr.slice(-300) };
    }
    console.log(`${name}: ${JSON.stringify(value)}`);
    all[name] = value;
  }
  console.log(JSON.stringify(all));
}

void main();
