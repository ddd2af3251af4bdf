// Render benchmark in real Chromium (the built dist/webview.js in the test
// harness page, product CSP). Two trees of ~10,000 live tasks:
// - every task of its own kind (nothing folds), opened whole by the user
//   (the remembered state says so before the snapshot arrives): first paint
//   (ms from the message to the end of the frame that shows it), then frame
//   times while 1,000 task-state changes per second arrive as deltas for
//   10 s, zoomed in, fitted (the overview), and with spawns and exits;
// - a server (synthetic.ts serverTree: a 2,000-worker pool, connections, a
//   supervised group, 80 shards of 100 jobs) as the first view shows it: first
//   paint, opening and closing the 2,000-task fold (ms from the key to the end
//   of the frame), and frame times under 1,000 state changes per second.
// Prints per-run figures, then one JSON line with medians.
//   npm run bench:render -- --baseline DIR   # DIR: another checkout, built (its dist/):
//                                            # measured interleaved with this one, same minutes
//   npm run bench:render -- --cpu            # + the main thread's CPU time per frame under the
//                                            # changes, from a Chromium trace (a loaded machine
//                                            # stretches wall time, much less CPU time)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostMessage } from '../contract/messages';
import type { Row, TaskRow } from '../contract/rows';
import { Harness, openSession, type Session } from '../test/webview/browser';
import { startServer } from '../test/webview/server';
import { LiveRun, runsMessage } from '../test/webview/streams';
import { bigTree, serverTree } from '../test/webview/synthetic';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CHANGES_PER_SECOND = 1000;
const TOGGLES = 10;
// Plain JavaScript evaluated in the page (kept out of TypeScript so no transpiler helpers leak in).
const PROBE = readFileSync(join(__dirname, 'renderProbe.js'), 'utf8');
const flag = process.argv.indexOf('--baseline');
const BASELINE = flag > 0 ? resolve(process.argv[flag + 1]) : null;
const CPU = process.argv.includes('--cpu');
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number): number => Math.round(x * 10) / 10;

interface PageResult {
  firstPaint: number;
  p95: number;
  p50: number;
  max: number;
  frames: number;
  p95Interval: number;
  changes: number;
  toggles: number[];
  /** With --cpu: the main thread's CPU time in the frames under the changes, p50 and p95. */
  cpuP50?: number;
  cpuP95?: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** CPU time (ms) of each frame of the renderer's main thread between the probe's churn marks. */
function frameCpu(trace: Buffer): number[] {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = new Set(
    events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const on = events.filter((e) => main.has(`${e.pid}:${e.tid}`)).sort((a, b) => a.ts - b.ts);
  const from = on.find((e) => e.name === 'nl-churn-start')?.ts ?? Infinity;
  const to = on.find((e) => e.name === 'nl-churn-end')?.ts ?? -Infinity;
  const inFrame = on.filter((e) => e.ph === 'X' && (e.name === 'FireAnimationFrame' || e.name === 'Commit'));
  // A frame is a task of the main thread that runs animation frame callbacks or commits.
  const out: number[] = [];
  let i = 0;
  for (const task of on) {
    if (task.name !== 'RunTask' || task.ph !== 'X' || task.ts < from || task.ts > to) continue;
    const end = task.ts + (task.dur ?? 0);
    while (i < inFrame.length && inFrame[i].ts < task.ts) i++;
    if (i < inFrame.length && inFrame[i].ts < end) out.push((task.tdur ?? 0) / 1000);
  }
  return out;
}

interface Mode {
  run: LiveRun;
  /** The user opened the whole tree below this key (in the remembered state, before the snapshot). */
  openAll?: string;
  fit?: boolean;
  churn?: boolean;
  /** The fold to open and close. */
  toggle?: string;
  /** Names of the tasks whose states change. */
  leaf: string;
}

/** The remembered state of a page that opened `root`'s whole subtree in run `run` (viewState.ts's shape). */
async function rememberOpened(h: Harness, run: string, root: string): Promise<void> {
  await h.page.evaluate(
    ([key, open]) => {
      const slot = new URLSearchParams(location.search).get('slot') ?? '0';
      const runView = {
        collapsed: [],
        opened: [],
        deep: [open],
        pages: {},
        focus: null,
        transform: null,
        selected: null,
      };
      const state = {
        v: 1,
        run: key,
        follow: true,
        hideFinished: false,
        hideSystem: null,
        search: '',
        detailsOpen: true,
        runs: { [key]: runView },
        recent: [key],
      };
      sessionStorage.setItem(`vscodeState:${slot}`, JSON.stringify(state));
    },
    [run, root],
  );
  await h.page.reload();
  await h.page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
}

async function measure(h: Harness, mode: Mode): Promise<PageResult> {
  await h.reset();
  const key = mode.run.state.info().key;
  if (mode.openAll) await rememberOpened(h, key, mode.openAll);
  await h.send(runsMessage([mode.run.state]));
  const snapshot: HostMessage = mode.run.snapshot();
  // The rows reach the page before the clock starts: we time the webview, not the CDP transfer.
  await h.page.evaluate((m) => {
    (window as unknown as { __snapshot: unknown }).__snapshot = m;
  }, snapshot as unknown);
  const args = {
    seconds: SECONDS,
    perSecond: CHANGES_PER_SECOND,
    fit: !!mode.fit,
    churn: !!mode.churn,
    toggle: mode.toggle ?? null,
    toggles: TOGGLES,
    leaf: mode.leaf,
  };
  if (CPU) await h.page.context().browser()!.startTracing(h.page, { categories: TRACE_CATEGORIES });
  const result = (await h.page.evaluate(`${PROBE}\nmeasure(${JSON.stringify(args)})`)) as PageResult;
  if (CPU) {
    const cpu = frameCpu(await h.page.context().browser()!.stopTracing()).sort((a, b) => a - b);
    result.cpuP50 = cpu[Math.floor(cpu.length / 2)] ?? 0;
    result.cpuP95 = cpu[Math.min(cpu.length - 1, Math.floor(cpu.length * 0.95))] ?? 0;
  }
  return result;
}

/** The figures of one build: medians over the runs of each mode. */
function summary(r: Record<string, PageResult[]>): Record<string, number> {
  const [init, fit, churn, fold] = Object.values(r);
  return {
    first_paint_ms: round(median(init.map((x) => x.firstPaint))),
    p95_frame_ms: round(median(init.map((x) => x.p95))),
    p95_frame_ms_overview: round(median(fit.map((x) => x.p95))),
    p95_frame_ms_churn: round(median(churn.map((x) => x.p95))),
    p50_frame_ms: round(median(init.map((x) => x.p50))),
    p95_raf_interval_ms: round(median(init.map((x) => x.p95Interval))),
    fold_first_paint_ms: round(median(fold.map((x) => x.firstPaint))),
    fold_toggle_ms: round(median(fold.map((x) => median(x.toggles)))),
    fold_toggle_max_ms: round(median(fold.map((x) => Math.max(...x.toggles)))),
    fold_p95_frame_ms: round(median(fold.map((x) => x.p95))),
    ...(CPU
      ? {
          p95_frame_cpu_ms: round(median(init.map((x) => x.cpuP95!))),
          p95_frame_cpu_ms_overview: round(median(fit.map((x) => x.cpuP95!))),
          p95_frame_cpu_ms_churn: round(median(churn.map((x) => x.cpuP95!))),
          fold_p95_frame_cpu_ms: round(median(fold.map((x) => x.cpuP95!))),
          p50_frame_cpu_ms_churn: round(median(churn.map((x) => x.cpuP50!))),
          fold_p50_frame_cpu_ms: round(median(fold.map((x) => x.cpuP50!))),
        }
      : {}),
  };
}

async function main(): Promise<void> {
  // 100 supervisors × 100 workers, every task of its own kind: 10,101 tasks + 101 nurseries.
  const big = new LiveRun('bench', 'bench.py').feed(bigTree(100, 100));
  const server = new LiveRun('server', 'server.py').feed(serverTree());
  const userTasks = (run: LiveRun): number =>
    run.state.rows().filter((r: Row): r is TaskRow => r.kind === 'task' && !r.system).length;
  console.log(
    `big tree: ${big.state.rows().length} rows, ${userTasks(big)} user tasks; server: ${server.state.info().liveTasks} live tasks, a fold of 2,000`,
  );
  const modes: Record<string, Mode> = {
    'initial view': { run: big, openAll: '3', leaf: '^worker_' },
    'fit (overview)': { run: big, openAll: '3', fit: true, leaf: '^worker_' },
    'churn (500 spawns + 500 exits/s)': { run: big, openAll: '3', churn: true, leaf: '^worker_' },
    'server with a 2,000-task fold': {
      run: server,
      toggle: 'g.node.fold[aria-label^="worker ×2,000"]',
      leaf: '^(worker|job)-',
    },
  };
  const session = await openSession();
  // The baseline's page: its own bundle and harness, in the same browser.
  const baseServer = BASELINE ? await startServer(BASELINE) : null;
  const builds: Array<[string, Session]> = [['', session]];
  if (baseServer) builds.push(['baseline ', { ...session, server: baseServer }]);
  const results = new Map<string, Record<string, PageResult[]>>();
  try {
    const pages: Array<[string, Harness]> = [];
    for (const [label, s] of builds) {
      results.set(label, Object.fromEntries(Object.keys(modes).map((m) => [m, []])));
      pages.push([label, await Harness.open(s, { width: 1200, height: 800 })]);
    }
    for (let i = 0; i < RUNS; i++) {
      for (const [name, mode] of Object.entries(modes)) {
        // Each mode of this run measured on both builds back to back: the same minutes of a shared machine.
        for (const [label, h] of pages) {
          const r = await measure(h, mode);
          results.get(label)![name].push(r);
          const toggles = r.toggles.length
            ? `; fold toggles median ${round(median(r.toggles))} ms, max ${round(Math.max(...r.toggles))} ms`
            : '';
          const cpu = CPU ? `; frame CPU p50 ${round(r.cpuP50!)} ms, p95 ${round(r.cpuP95!)} ms` : '';
          console.log(
            `run ${i + 1} ${label}${name}: first paint ${round(r.firstPaint)} ms${toggles}; frames ${r.frames}, p50 ${round(r.p50)} ms, p95 ${round(r.p95)} ms, max ${round(r.max)} ms, p95 rAF interval ${round(r.p95Interval)} ms, ${r.changes} changes${cpu}`,
          );
        }
      }
    }
    for (const [label, h] of pages) if (h.errors.length) console.log(`${label}page errors:`, h.errors);
  } finally {
    await session.close();
    await baseServer?.close();
  }
  console.log(
    JSON.stringify({
      bench: 'render',
      ...summary(results.get('')!),
      ...(BASELINE ? { baseline: summary(results.get('baseline ')!) } : {}),
      tasks: userTasks(big),
      fold_live_tasks: server.state.info().liveTasks,
      changes_per_s: CHANGES_PER_SECOND,
      seconds: SECONDS,
      runs: RUNS,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
