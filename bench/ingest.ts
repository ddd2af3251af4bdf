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
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { CHUNK, ingest, median, recording, timed } from './ingestStream';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

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
    const ratio = events / cpuSeconds / (bare.value / bare.cpuSeconds);
    rates.push(events / seconds);
    cpuRates.push(events / cpuSeconds);
    heaps.push(heapMb);
    bareRates.push(bare.value / bare.cpuSeconds);
    ratios.push(ratio);
    wallRatios.push(events / seconds / (bare.value / bare.seconds));
    console.log(
      `run ${i + 1}: ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds).toLocaleString('en')} events/s ` +
        `(${cpuSeconds.toFixed(2)} s CPU = ${Math.round(events / cpuSeconds).toLocaleString('en')} events per CPU-second); ` +
        `bare JSON.parse ${Math.round(bare.value / bare.cpuSeconds).toLocaleString('en')} lines per CPU-second, ratio ${ratio.toFixed(3)}; ` +
        `heap ${heapMb.toFixed(1)} MB; rows ${rows}, tasks ${info.totalTasks}, retired ${info.retired}, problems ${result.problems}`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'ingest',
      events_per_s: Math.round(median(rates)),
      vs_json_parse: Number(median(ratios).toFixed(3)),
      heap_mb: Number(median(heaps).toFixed(1)),
      events_per_cpu_s: Math.round(median(cpuRates)),
      json_parse_per_cpu_s: Math.round(median(bareRates)),
      vs_json_parse_wall: Number(median(wallRatios).toFixed(3)),
      events,
      runs: RUNS,
      load: Number(loadavg()[0].toFixed(2)),
    }),
  );
}

main();
