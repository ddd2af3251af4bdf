// `npm run bench:ingest`: events per second through the collector's path —
// NDJSON framing (LineDecoder, 64 KiB chunks as a socket delivers them),
// validation (StreamReader, the collector's checkEvent) and the reducer (RunState, default
// retention) — on a recorded stream of >= 1M events from a real Trio program
// (bench/ingest_program.py, recorded once with the real runtime into the
// git-ignored bench/results/). Then the heap with the resulting store alive.
// An absolute rate moves with the machine, so each run also reads the same
// bytes with nothing but bare JSON.parse (the same 64 KiB chunks cut into
// lines by toString + split, what any reader must do, and each line parsed),
// back to back with our pass. `vs_json_parse` is our rate over that one, in
// CPU time (on this shared machine wall-time ratios swing by ±30% as other
// jobs take the cores; `vs_json_parse_wall` has them): the median of the
// per-run ratios. 1.0 would mean validation and the reducer cost nothing.
// Prints each run, then one JSON line:
// {"bench":"ingest","events_per_s":…,"vs_json_parse":…,"heap_mb":…,…}.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { LineDecoder } from '../extension/collector/lineDecoder';
import { MAX_LINE_BYTES } from '../contract/wire';
import { validateEvent } from '../extension/collector/protocol';
import { StreamReader } from '../extension/collector/streamReader';
import { RunState } from '../extension/store/runState';

const root = join(__dirname, '..');
const WAVES = 540; // ≈ 1.15M events
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHUNK = 64 * 1024;
const DELTA_EVERY = 20_000;

function recording(): string {
  // A fixed file (e.g. to compare two versions of the code on the same bytes while the runtime changes).
  const pinned = process.env.BENCH_INGEST_FILE;
  if (pinned) return pinned;
  const dir = join(root, 'bench', 'results');
  const file = join(dir, `ingest-${WAVES}.ndjson`);
  const program = join(root, 'bench', 'ingest_program.py');
  // Re-record when the program or the runtime changed since the recording was made.
  const runtimeDir = join(root, 'runtime', 'python', 'src', 'nursery_lens');
  const sources = [program, ...readdirSync(runtimeDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py')).map((f) => join(runtimeDir, f))];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(file) && statSync(file).mtimeMs > newest) return file;
  mkdirSync(dir, { recursive: true });
  const python = join(root, '.venv', 'bin', 'python');
  console.log(`recording ${program} (${WAVES} waves) with the real runtime into ${file} …`);
  const r = spawnSync(python, ['-m', 'nursery_lens', '--record', file, program, String(WAVES)], {
    stdio: 'inherit',
    env: { ...process.env, NURSERY_LENS: JSON.stringify({ v: 1, options: { sample_hz: 50 } }) },
  });
  if (r.status !== 0) throw new Error(`recording failed (exit ${r.status})`);
  return file;
}

const quiet = { warn: () => undefined };

/** One pass: bytes in, a store out. Mirrors Connection.onData after the hello. */
function ingest(data: Buffer): { events: number; runs: RunState[]; problems: number } {
  const decoder = new LineDecoder(MAX_LINE_BYTES);
  const runs: RunState[] = [];
  const reader = new StreamReader({
    run: (n) => {
      const s = new RunState(`bench.r${n}`, 'bench');
      runs.push(s);
      return s;
    },
  }, quiet, 'bench');
  let helloSeen = false;
  let lines = 0;
  let lastTake = 0;
  for (let off = 0; off < data.length; off += CHUNK) {
    const got = decoder.push(data.subarray(off, Math.min(off + CHUNK, data.length)));
    let from = 0;
    if (!helloSeen && got.length) {
      const v = validateEvent(JSON.parse(got[0]));
      if (!v.ok || v.event.type !== 'hello') throw new Error('the recording does not start with a hello');
      reader.setHello(v.event);
      helloSeen = true;
      from = 1;
    }
    reader.lines(got, from);
    lines += got.length - from;
    // The panel bridge takes each run's delta every 50 ms; at these rates that is every ~20k events.
    if (lines - lastTake >= DELTA_EVERY) {
      lastTake = lines;
      for (const r of runs) r.takeDelta();
    }
  }
  return { events: reader.events, runs, problems: reader.problemCount() + (lines - reader.events) };
}

/** The yardstick: the same bytes cut into lines, each given to JSON.parse, nothing kept. Returns the objects read. */
function bareParse(data: Buffer): number {
  let objects = 0;
  let rest = '';
  for (let off = 0; off < data.length; off += CHUNK) {
    const lines = (rest + data.toString('utf8', off, Math.min(off + CHUNK, data.length))).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line && typeof JSON.parse(line) === 'object') objects++;
  }
  if (rest && typeof JSON.parse(rest) === 'object') objects++;
  return objects;
}

/** Wall and CPU seconds of f(). */
function timed<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const value = f();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:ingest does)');
  const data = readFileSync(recording());
  const rates: number[] = [];
  // This machine is shared: CPU time shows the work itself when other jobs take turns on the cores.
  const cpuRates: number[] = [];
  const heaps: number[] = [];
  const bareRates: number[] = [];
  const ratios: number[] = [];
  const wallRatios: number[] = [];
  let events = 0;
  for (let i = 0; i < RUNS; i++) {
    gc();
    const { value: result, seconds, cpuSeconds } = timed(() => ingest(data));
    events = result.events;
    if (events < 1_000_000) throw new Error(`only ${events} events in the recording`);
    gc();
    // Heap with the store still alive (the recording itself is a Buffer, outside the JS heap).
    const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
    const info = result.runs[0].info();
    const rows = result.runs[0].rows().length;
    gc();
    const bare = timed(() => bareParse(data));
    const ratio = (events / cpuSeconds) / (bare.value / bare.cpuSeconds);
    rates.push(events / seconds);
    cpuRates.push(events / cpuSeconds);
    heaps.push(heapMb);
    bareRates.push(bare.value / bare.cpuSeconds);
    ratios.push(ratio);
    wallRatios.push((events / seconds) / (bare.value / bare.seconds));
    console.log(`run ${i + 1}: ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds).toLocaleString('en')} events/s `
      + `(${cpuSeconds.toFixed(2)} s CPU = ${Math.round(events / cpuSeconds).toLocaleString('en')} events per CPU-second); `
      + `bare JSON.parse ${Math.round(bare.value / bare.cpuSeconds).toLocaleString('en')} lines per CPU-second, ratio ${ratio.toFixed(3)}; `
      + `heap ${heapMb.toFixed(1)} MB; rows ${rows}, tasks ${info.totalTasks}, retired ${info.retired}, problems ${result.problems}`);
  }
  console.log(JSON.stringify({
    bench: 'ingest', events_per_s: Math.round(median(rates)), vs_json_parse: Number(median(ratios).toFixed(3)),
    heap_mb: Number(median(heaps).toFixed(1)), events_per_cpu_s: Math.round(median(cpuRates)),
    json_parse_per_cpu_s: Math.round(median(bareRates)), vs_json_parse_wall: Number(median(wallRatios).toFixed(3)),
    events, runs: RUNS, load: Number(loadavg()[0].toFixed(2)),
  }));
}

main();
