// In-page half of bench/render.ts: dispatches the snapshot and deltas as host
// messages and times frames with requestAnimationFrame; optionally toggles a
// fold open and closed first (o.toggle: its selector). Plain JS on purpose.
/* eslint-disable */
async function measure(o) {
  const snap = window.__snapshot;
  const afterFrame = () =>
    new Promise((resolve) => {
      requestAnimationFrame(() => {
        // A message posted in rAF is delivered after this frame's style, layout and paint.
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve(performance.now());
        ch.port2.postMessage(0);
      });
    });
  const t0 = performance.now();
  window.dispatchEvent(new MessageEvent('message', { data: snap }));
  const firstPaint = (await afterFrame()) - t0;
  if (o.fit) {
    document.querySelector('svg.tree').dispatchEvent(new KeyboardEvent('keydown', { key: 'f', bubbles: true }));
    await afterFrame();
    await afterFrame();
  }
  const toggles = [];
  if (o.toggle) {
    // A click selects the fold (the details pane opens beside it) and opens it; then Space folds it back and opens it again.
    const fold = document.querySelector(o.toggle);
    if (!fold) throw new Error(`nothing matches ${o.toggle} in the first view`);
    fold.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    for (let i = 0; i < 4; i++) await afterFrame();
    const svg = document.querySelector('svg.tree');
    for (let i = 0; i < o.toggles; i++) {
      const t = performance.now();
      svg.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
      toggles.push((await afterFrame()) - t);
      await afterFrame();
    }
  }

  // Leaf tasks only (workers): supervisors keep their nurseries.
  const leaf = new RegExp(o.leaf);
  const tasks = snap.rows.filter((r) => r.kind === 'task' && !r.system && r.state !== 'raised' && leaf.test(r.name));
  const finished = [];
  let nextId = 1 + Math.max(...snap.rows.map((r) => r.id));
  const states = ['running', 'scheduled', 'waiting'];
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const frameMs = [];
  const intervals = [];
  let changes = 0;
  let running = true;
  let lastStart = 0;
  const loop = () => {
    if (!running) return;
    // Registered a frame ahead, so it runs first in each frame: the frame's work starts here.
    requestAnimationFrame((ts) => {
      const start = performance.now();
      if (lastStart) intervals.push(ts - lastStart);
      lastStart = ts;
      const ch = new MessageChannel();
      ch.port1.onmessage = () => frameMs.push(performance.now() - start);
      ch.port2.postMessage(0);
      loop();
    });
  };
  loop();
  // The host batches deltas about once per frame: ~17 state changes every 16.7 ms.
  // Marks for a trace of the page (bench/render.ts --cpu): the frames between them are the churn's.
  performance.mark('nl-churn-start');
  const started = performance.now();
  let ts = snap.run.clock.ts;
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      if (elapsed >= o.seconds * 1000) {
        resolve();
        return;
      }
      const due = Math.floor((elapsed / 1000) * o.perSecond) - changes;
      if (due > 0) {
        const upsert = [];
        const remove = [];
        ts += 16;
        for (let i = 0; i < due; i++) {
          const k = rand(tasks.length);
          const t = tasks[k];
          if (o.churn && i % 2 === 0) {
            // Churn: this task exits and a new sibling replaces it (the tree's size stays ~10,000).
            upsert.push({ ...t, state: 'returned', since: ts, exitedAt: ts });
            finished.push(t.id);
            const born = { ...t, id: nextId++, name: `${t.name}+`, state: 'scheduled', since: ts, spawnedAt: ts };
            tasks[k] = born;
            upsert.push(born);
            // The store keeps ~2,000 finished tasks; older ones leave.
            if (finished.length > 2000) remove.push(finished.shift());
            continue;
          }
          const next = { ...t, state: states[rand(3)], since: ts };
          tasks[k] = next;
          upsert.push(next);
        }
        changes += due;
        const run = { ...snap.run, clock: { ts, hostWall: Date.now() } };
        window.dispatchEvent(new MessageEvent('message', { data: { type: 'delta', run, upsert, remove } }));
      }
      setTimeout(tick, 16);
    };
    tick();
  });
  running = false;
  performance.mark('nl-churn-end');
  const sorted = [...frameMs].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const iv = [...intervals].sort((a, b) => a - b);
  return {
    firstPaint,
    p95: pct(0.95),
    p50: pct(0.5),
    max: sorted.at(-1) ?? 0,
    frames: sorted.length,
    p95Interval: iv[Math.floor(0.95 * iv.length)] ?? 0,
    changes,
    toggles,
  };
}
