// Render benchmark in real Chromium (the built dist/webview.js in the test
// harness page, product CSP): first paint of a 10,000-task snapshot (ms from
// the message to the end of the frame that shows it), then frame times while
// 1,000 task-state changes per second arrive as deltas for 10 s.
// Prints per-run figures, then one JSON line with medians.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row, TaskRow } from '../contract/rows';
import { Harness, openSession } from '../test/webview/browser';
import { LiveRun, runsMessage } from '../test/webview/streams';
import { bigTree } from '../test/webview/synthetic';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CHANGES_PER_SECOND = 1000;
// Plain JavaScript evaluated in the page (kept out of TypeScript so no transpiler helpers leak in).
const PROBE = readFileSync(join(__dirname, 'renderProbe.js'), 'utf8');

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
}

async function main(): Promise<void> {
  // 100 supervisors × 100 workers, every name distinct (nothing folds): 10,101 tasks + 101 nurseries.
  const big = new LiveRun('bench', 'bench.py').feed(bigTree(100, 100));
  const runs = runsMessage([big.state]);
  const snapshot = big.snapshot();
  const tasks = (snapshot as { rows: Row[] }).rows.filter((r): r is TaskRow => r.kind === 'task' && !r.system).length;
  console.log(`snapshot: ${(snapshot as { rows: Row[] }).rows.length} rows, ${tasks} user tasks`);

  const session = await openSession();
  const results: Record<string, PageResult[]> = { 'initial view': [], 'fit (overview)': [], 'churn (500 spawns + 500 exits/s)': [] };
  try {
    const h = await Harness.open(session, { width: 1200, height: 800 });
    for (let i = 0; i < RUNS; i++) {
      for (const mode of Object.keys(results)) {
        await h.reset();
        await h.send(runs);
        // The rows reach the page before the clock starts: we time the webview, not the CDP transfer.
        await h.page.evaluate((m) => { (window as unknown as { __snapshot: unknown }).__snapshot = m; }, snapshot as unknown);
        const args = { seconds: SECONDS, perSecond: CHANGES_PER_SECOND, fit: mode.startsWith('fit'), churn: mode.startsWith('churn') };
        const r = (await h.page.evaluate(`${PROBE}\nmeasure(${JSON.stringify(args)})`)) as PageResult;
        results[mode].push(r);
        console.log(`run ${i + 1} ${mode}: first paint ${round(r.firstPaint)} ms; frames ${r.frames}, p50 ${round(r.p50)} ms, p95 ${round(r.p95)} ms, max ${round(r.max)} ms, p95 rAF interval ${round(r.p95Interval)} ms, ${r.changes} changes`);
      }
    }
    if (h.errors.length) console.log('page errors:', h.errors);
  } finally {
    await session.close();
  }
  const init = results['initial view'];
  const fit = results['fit (overview)'];
  const churn = results['churn (500 spawns + 500 exits/s)'];
  console.log(JSON.stringify({
    bench: 'render',
    first_paint_ms: round(median(init.map((r) => r.firstPaint))),
    p95_frame_ms: round(median(init.map((r) => r.p95))),
    p95_frame_ms_overview: round(median(fit.map((r) => r.p95))),
    p95_frame_ms_churn: round(median(churn.map((r) => r.p95))),
    p50_frame_ms: round(median(init.map((r) => r.p50))),
    p95_raf_interval_ms: round(median(init.map((r) => r.p95Interval))),
    tasks,
    changes_per_s: CHANGES_PER_SECOND,
    seconds: SECONDS,
    runs: RUNS,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
