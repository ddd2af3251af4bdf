// The ingest recording and the collector's path over it, shared by
// bench/ingest.ts and bench/history.ts: a recorded stream of >= 1M events
// from a real Trio program (bench/ingest_program.py, recorded once with the
// real runtime into the git-ignored bench/results/), read as the collector
// reads a socket (64 KiB chunks, framing, validation, the reducer).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineDecoder } from '../extension/collector/lineDecoder';
import { MAX_LINE_BYTES } from '../contract/wire';
import { validateEvent } from '../extension/collector/protocol';
import { StreamReader } from '../extension/collector/streamReader';
import { RunState } from '../extension/store/runState';

const root = join(__dirname, '..');
const WAVES = 540; // ≈ 1.15M events
/** Bytes per read, as a socket delivers them. */
export const CHUNK = 64 * 1024;
const DELTA_EVERY = 20_000;

export function recording(): string {
  // A fixed file (e.g. to compare two versions of the code on the same bytes while the runtime changes).
  const pinned = process.env.BENCH_INGEST_FILE;
  if (pinned) return pinned;
  const dir = join(root, 'bench', 'results');
  const file = join(dir, `ingest-${WAVES}.ndjson`);
  const program = join(root, 'bench', 'ingest_program.py');
  // Re-record when the program or the runtime changed since the recording was made.
  const runtimeDir = join(root, 'runtime', 'python', 'src', 'nursery_lens');
  const sources = [
    program,
    ...readdirSync(runtimeDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.py'))
      .map((f) => join(runtimeDir, f)),
  ];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(file) && statSync(file).mtimeMs > newest) return file;
  mkdirSync(dir, { recursive: true });
  const python = join(root, '.venv', 'bin', 'python');
  console.log(`recording ${program} (${WAVES} waves) with the real runtime into ${file} …`);
  const r = spawnSync(python, ['-m', 'nursery_lens', '--record', file, program, String(WAVES)], {
    stdio: 'inherit',
    // a line per event (no 1.3 batch lines): the yardstick, bare JSON.parse, is per line
    env: { ...process.env, NURSERY_LENS: JSON.stringify({ v: 1, options: { sample_hz: 50, batch: false } }) },
  });
  if (r.status !== 0) throw new Error(`recording failed (exit ${r.status})`);
  return file;
}

const quiet = { warn: () => undefined };

/** One pass: bytes in, a store out. Mirrors Connection.onData after the hello. `history`: keep each run's (the default, as the store does). */
export function ingest(data: Buffer, history = true): { events: number; runs: RunState[]; problems: number } {
  const decoder = new LineDecoder(MAX_LINE_BYTES);
  const runs: RunState[] = [];
  const reader = new StreamReader(
    {
      run: (n) => {
        const s = new RunState(`bench.r${n}`, 'bench', { history });
        runs.push(s);
        return s;
      },
    },
    quiet,
    'bench',
  );
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
  return { events: reader.events, runs, problems: reader.problemCount() + (lines - reader.eventLines) };
}

/** Wall and CPU seconds of f(). */
export function timed<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const value = f();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
