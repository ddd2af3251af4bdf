// `npm run bench:history`: what a run's history (issue #16) costs and how
// fast it answers.
//  - Memory: the heap and ArrayBuffers with the ingest recording's store alive (1.15M events
//    of a real Trio program, bench/ingestStream.ts), with its history and
//    without, per event; and the history's own accounting (bytes()).
//  - Seek: the first 400,000 events of that recording as one run (and the
//    whole of it, the "1M" case): a panel's cursor (HistoryCursor,
//    what a `seek` runs) jumps to random moments, before the timeline's pass
//    (only the live run's sparse checkpoints) and after it (the finer ones a
//    replay leaves); plus the timeline's pass itself.
//  - Draw: in Chromium, the real store and bridge behind the built page
//    (test/webview/liveHost.ts): from a `timeline` message to the end of the
//    frame that shows it, for the 400,000-event run and a 10,101-task run;
//    and, dragging the cursor over the strip of the 10,101-task run, the
//    page's work per frame that shows a new moment, with the host's seek
//    per step: a scrub's frames per second is 1000 / (their sum), at their
//    p95s (scrub_10k_tasks_fps) and their medians (…_typical).
// Prints each figure, then one JSON line: {"bench":"history",…}.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { HostMessage } from '../contract/messages';
import { HistoryCursor } from '../extension/store/historyCursor';
import type { RunState } from '../extension/store/runState';
import { TimelineIndex } from '../extension/store/timelineIndex';
import { Harness, openSession } from '../test/webview/browser';
import { LiveHost } from '../test/webview/liveHost';
import { LiveRun } from '../test/webview/streams';
import { bigTree } from '../test/webview/synthetic';
import { ingest, median, recording, timed } from './ingestStream';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SEEKS = 200;
const SHORT_RUN = 400_000;
const DRAWS = 15;
// In the page, plain JavaScript (no transpiler helpers): a frame loop that times
// each frame whose past moment changed (the badge over the tree), from the
// frame's first rAF callback to the end of its paint.
const SCRUB_PROBE = `(() => {
  const w = window;
  w.__scrub = { frames: [], on: true };
  let changed = false;
  new MutationObserver(() => { changed = true; })
    .observe(document.querySelector('.past-badge'), { childList: true, characterData: true, subtree: true, attributes: true });
  function frame() {
    if (!w.__scrub.on) return;
    const start = performance.now();
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      if (changed) w.__scrub.frames.push(performance.now() - start);
      changed = false;
    };
    ch.port2.postMessage(0);
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})()`;

const round = (x: number, d = 1): number => Number(x.toFixed(d));
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))];
}

/** The hello and the first `events` lines of the recording. */
function prefix(data: Buffer, events: number): Buffer {
  let at = -1;
  for (let n = 0; n <= events; n++) {
    at = data.indexOf(10, at + 1);
    if (at < 0) return data;
  }
  return data.subarray(0, at + 1);
}

/** The JavaScript heap and the ArrayBuffers outside it (the event log's pages live there). */
function heapMb(gc: () => void): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1024 / 1024;
}

/** Heap per event with and without the history, the history's own count of its bytes. */
function memory(
  data: Buffer,
  gc: () => void,
): { perEvent: number; accounted: number; withMb: number; withoutMb: number; events: number } {
  const base = heapMb(gc);
  let kept = ingest(data, false);
  const withoutMb = heapMb(gc) - base;
  kept = { events: 0, runs: [], problems: 0 };
  const base2 = heapMb(gc);
  kept = ingest(data, true);
  const withMb = heapMb(gc) - base2;
  const h = kept.runs[0].history!;
  return {
    perEvent: ((withMb - withoutMb) * 1024 * 1024) / kept.events,
    accounted: h.bytes() / kept.events,
    withMb,
    withoutMb,
    events: kept.events,
  };
}

/** Milliseconds per seek to `count` random moments (seeded), one cursor as the panel keeps it. */
function seeks(run: RunState, count: number, seed: number): number[] {
  const h = run.history!;
  const cursor = new HistoryCursor(h);
  const span = h.timeOf(h.length) - h.since;
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const at = h.since + (s / 0x7fffffff) * span;
    const t0 = process.hrtime.bigint();
    if (!cursor.move({ at })) throw new Error('no moment');
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

interface SeekFigures {
  cold: number[];
  warm: number[];
  pass: number;
  rows: number;
  events: number;
}

function seekRun(data: Buffer, seed: number): SeekFigures {
  const { runs, events } = ingest(data, true);
  const run = runs[0];
  const cold = seeks(run, SEEKS, seed);
  const index = new TimelineIndex(run.history!);
  const pass = timed(() => index.advance(Number.MAX_SAFE_INTEGER)).seconds * 1000;
  const warm = seeks(run, SEEKS, seed + 1);
  return { cold, warm, pass, rows: run.rowCount, events };
}

/** A 10,101-task run whose workers change state for 20 s and exit in waves (~110k events). */
function tenThousand(): RunState {
  const live = new LiveRun('bench.10k', 'bench.py').feed(bigTree(100, 100));
  const ev: Array<Record<string, unknown>> = [];
  const states = ['running', 'scheduled', 'waiting'];
  let s = 7;
  for (let ms = 4; ms < 20_000; ms += 10) {
    for (let k = 0; k < 50; k++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      ev.push({
        type: 'task.state',
        run: 1,
        ts: ms,
        id: 12 + (s % 100) * 102 + ((s >> 8) % 100),
        state: states[s % 3],
      });
    }
  }
  for (let g = 0; g < 100; g += 2)
    for (let w = 0; w < 100; w += 3)
      ev.push({ type: 'task.exited', run: 1, ts: 10_000 + g * 50, id: 12 + g * 102 + w, outcome: 'returned' });
  return live.feed(ev).state;
}

/**
 * In the page: the frame's work after `msg` arrives, as the host would send
 * it: from the start of the next frame (a rAF callback registered before the
 * message, so it runs first) to the end of that frame (a message posted from
 * a rAF callback registered after: delivered after style, layout and paint).
 */
async function drawTimes(h: Harness, msg: HostMessage): Promise<number[]> {
  return h.page.evaluate(
    async ({ m, n }: { m: { data: object }; n: number }) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        let start = 0;
        requestAnimationFrame(() => {
          start = performance.now();
        });
        // A newer seq each time: the page takes only answers at least as new as the one it holds.
        const data = { ...m, data: { ...m.data, seq: 1e9 + i } };
        window.dispatchEvent(new MessageEvent('message', { data }));
        const end = await new Promise<number>((r) =>
          requestAnimationFrame(() => {
            const ch = new MessageChannel();
            ch.port1.onmessage = () => r(performance.now());
            ch.port2.postMessage(0);
          }),
        );
        out.push(end - start);
      }
      return out;
    },
    { m: msg as unknown as { data: object }, n: DRAWS },
  );
}

/** The whole-run timeline the host answered last, once it has caught up. */
async function fullTimeline(host: LiveHost): Promise<HostMessage> {
  for (let i = 0; i < 600; i++) {
    const last = [...host.sent].reverse().find((m) => m.type === 'timeline');
    if (last && last.type === 'timeline' && !last.data.partial) return last;
    await host.settle();
  }
  throw new Error('the timeline never caught up');
}

/**
 * Drags the cursor along the strip in `moves` steps (as fast as the test
 * browser takes mouse moves) and times, in the page, the work of each frame
 * that showed a new past moment (the badge over the tree changed): from the
 * frame's first rAF callback to the end of its paint.
 */
async function scrubFrames(h: Harness, moves: number): Promise<number[]> {
  await h.page.evaluate(SCRUB_PROBE);
  const box = (await h.page.locator('.tl-top-svg').boundingBox())!;
  const y = box.y + 20;
  await h.page.mouse.move(box.x + 2, y);
  await h.page.mouse.down();
  for (let i = 1; i <= moves; i++) await h.page.mouse.move(box.x + 2 + ((box.width - 4) * i) / moves, y);
  await h.page.mouse.up();
  await new Promise((r) => setTimeout(r, 500));
  return (await h.page.evaluate('window.__scrub.on = false; window.__scrub.frames')) as number[];
}

/** Host milliseconds per seek while scrubbing: `steps` moments in order across the run, one cursor. */
function scrubSeeks(run: RunState, steps: number): number[] {
  const h = run.history!;
  const cursor = new HistoryCursor(h);
  const span = h.timeOf(h.length) - h.since;
  cursor.move({ at: h.since });
  const out: number[] = [];
  for (let i = 1; i <= steps; i++) {
    const t0 = process.hrtime.bigint();
    cursor.move({ at: h.since + (span * i) / steps });
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function browser(short: Buffer): Promise<{
  draw400k: number[];
  draw10k: number[];
  scrubFrame10k: number[];
  scrubSeek10k: number[];
  scrubFrame10kP50: number[];
  scrubSeek10kP50: number[];
}> {
  const session = await openSession();
  const out = {
    draw400k: [] as number[],
    draw10k: [] as number[],
    scrubFrame10k: [] as number[],
    scrubSeek10k: [] as number[],
    scrubFrame10kP50: [] as number[],
    scrubSeek10kP50: [] as number[],
  };
  try {
    const h = await Harness.open(session, { width: 1200, height: 800 });
    for (let i = 0; i < RUNS; i++) {
      for (const which of ['400k', '10k'] as const) {
        await h.reset();
        const host = await LiveHost.attach(h);
        const run = which === '400k' ? ingest(short, true).runs[0] : tenThousand();
        run.markRecording();
        const [entry] = host.store.addRecording([run], { bytes: [], truncated: false });
        host.bridge.select(entry.state.key);
        const msg = await fullTimeline(host);
        await host.settle(200);
        const times = await drawTimes(h, msg);
        if (which === '400k') out.draw400k.push(median(times));
        else {
          out.draw10k.push(median(times));
          const frames = await scrubFrames(h, 40);
          if (!frames.length) throw new Error('the scrub showed no past moment');
          const seeks10k = scrubSeeks(run, 40);
          out.scrubFrame10k.push(p95(frames));
          out.scrubSeek10k.push(p95(seeks10k));
          out.scrubFrame10kP50.push(median(frames));
          out.scrubSeek10kP50.push(median(seeks10k));
          console.log(
            `run ${i + 1} scrub 10k: ${frames.length} past moments shown, page frame p50 ${round(median(frames))} ms, p95 ${round(p95(frames))} ms; host seek per step p50 ${round(median(seeks10k))} ms, p95 ${round(p95(seeks10k))} ms`,
          );
        }
        console.log(
          `run ${i + 1} ${which}: timeline drawn in ${round(median(times))} ms (median of ${DRAWS}, p95 ${round(p95(times))} ms)`,
        );
        if (h.errors.length) console.log('page errors:', h.errors);
        host.dispose();
      }
    }
  } finally {
    await session.close();
  }
  return out;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:history does)');
  const data = readFileSync(recording());
  const short = prefix(data, SHORT_RUN);

  const mem = [];
  for (let i = 0; i < RUNS; i++) {
    const m = memory(data, gc);
    mem.push(m);
    console.log(
      `run ${i + 1} memory: ${m.events} events, heap ${round(m.withoutMb)} MB without history, ${round(m.withMb)} MB with: ${round(m.perEvent)} bytes per event (history's own count ${round(m.accounted)})`,
    );
  }
  const seek400: SeekFigures[] = [];
  const seekAll: SeekFigures[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [label, bytes, into] of [
      ['400k', short, seek400],
      ['all', data, seekAll],
    ] as const) {
      gc();
      const f = seekRun(bytes, 1000 + i);
      into.push(f);
      console.log(
        `run ${i + 1} seek ${label} (${f.events} events, ${f.rows} rows now): before the timeline's pass p50 ${round(median(f.cold))} ms, p95 ${round(p95(f.cold))} ms, max ${round(Math.max(...f.cold))} ms; ` +
          `the pass ${Math.round(f.pass)} ms; after it p50 ${round(median(f.warm))} ms, p95 ${round(p95(f.warm))} ms, max ${round(Math.max(...f.warm))} ms`,
      );
    }
  }
  const b = await browser(short);
  const med = (xs: SeekFigures[], f: (s: SeekFigures) => number) => round(median(xs.map(f)));
  console.log(
    JSON.stringify({
      bench: 'history',
      history_bytes_per_event: round(median(mem.map((m) => m.perEvent))),
      history_accounted_bytes_per_event: round(median(mem.map((m) => m.accounted))),
      heap_mb_with_history: round(median(mem.map((m) => m.withMb))),
      heap_mb_without_history: round(median(mem.map((m) => m.withoutMb))),
      events: mem[0].events,
      seek_400k_p95_ms: med(seek400, (s) => p95(s.cold)),
      seek_400k_p50_ms: med(seek400, (s) => median(s.cold)),
      seek_400k_p95_ms_after_pass: med(seek400, (s) => p95(s.warm)),
      seek_all_p95_ms: med(seekAll, (s) => p95(s.cold)),
      seek_all_p95_ms_after_pass: med(seekAll, (s) => p95(s.warm)),
      timeline_pass_400k_ms: med(seek400, (s) => s.pass),
      timeline_pass_all_ms: med(seekAll, (s) => s.pass),
      timeline_draw_400k_ms: round(median(b.draw400k)),
      timeline_draw_10k_tasks_ms: round(median(b.draw10k)),
      scrub_10k_tasks_page_frame_p95_ms: round(median(b.scrubFrame10k)),
      scrub_10k_tasks_host_seek_p95_ms: round(median(b.scrubSeek10k)),
      // One scrub step: the host's seek, then the page's frame (the transfer between them is VS Code's postMessage, not counted).
      scrub_10k_tasks_fps: round(1000 / (median(b.scrubFrame10k) + median(b.scrubSeek10k))),
      scrub_10k_tasks_fps_typical: round(1000 / (median(b.scrubFrame10kP50) + median(b.scrubSeek10kP50))),
      runs: RUNS,
      load: round(loadavg()[0], 2),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
