import assert from 'node:assert/strict';
import { PanelBridge, DELTA_INTERVAL_MS } from '../../extension/panel/panelBridge';
import { DRAWN_WAIT_MS } from '../../extension/panel/rowsFeed';
import { contentSecurityPolicy, panelHtml } from '../../extension/panel/panelHtml';
import type { HostMessage } from '../../contract/messages';
import { RunStore } from '../../extension/store/runStore';
import { replayNdjson } from '../../extension/collector/replay';
import type { TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { exited, hello, prologue, spawned, state, site } from './wireEvents';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `draws`: the page says `drawn` to each snapshot and delta, as the real one does after its next frame. */
function setup({ draws = true, now }: { draws?: boolean; now?: () => number } = {}) {
  const store = new RunStore();
  const posted: HostMessage[] = [];
  const opened: [string, number][] = [];
  const commands: string[] = [];
  const warnings: string[] = [];
  const titles: (string | null)[] = [];
  const bridge: PanelBridge = new PanelBridge(store, {
    ...(now ? { now } : {}),
    post: (m) => {
      posted.push(m);
      if (draws && (m.type === 'snapshot' || m.type === 'delta'))
        queueMicrotask(() => void bridge.handle({ type: 'drawn' }));
    },
    openSite: async (f, l) => {
      opened.push([f, l]);
      return undefined;
    },
    runCommand: (c) => commands.push(c),
    log: { warn: (m) => warnings.push(m) },
    selected: (label) => titles.push(label),
  });
  const program = (label: string, instance: string) => {
    const stream = store.openStream({ launchKey: `k-${label}`, launchLabel: label, instance });
    const feed = (e: WireEvent) => {
      stream.run(1)!.apply(e);
      store.changed();
    };
    stream.run(1)!.apply(hello());
    return { stream, feed };
  };
  return { store, posted, opened, commands, warnings, bridge, program, titles };
}

describe('PanelBridge (host side of the panel protocol)', () => {
  it('answers ready with config, the run list and a snapshot of the selected run', async () => {
    const t = setup();
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' });
    assert.deepEqual(
      t.posted.map((m) => m.type),
      ['config', 'runs', 'snapshot'],
    );
    const runs = t.posted[1] as Extract<HostMessage, { type: 'runs' }>;
    assert.equal(runs.runs.length, 1);
    assert.equal(runs.selected, 'c1.r1');
    const snap = t.posted[2] as Extract<HostMessage, { type: 'snapshot' }>;
    assert.equal(snap.run.label, 'A');
    assert.equal(snap.rows.length, 3);
    t.bridge.dispose();
  });

  it('says a host notice (a program that started no event loop) until a run or another launch comes, again to a reloaded page', async () => {
    const t = setup();
    const text = 'no_loop.py ended before starting a Trio, asyncio or AnyIO event loop: there is no task tree to show.';
    t.bridge.notice(text); // before the page is up: kept
    await t.bridge.handle({ type: 'ready' });
    const notices = () => t.posted.filter((m) => m.type === 'notice');
    assert.deepEqual(notices(), [{ type: 'notice', text }]);
    t.posted.length = 0;
    await t.bridge.handle({ type: 'ready' }); // a reload
    assert.deepEqual(notices(), [{ type: 'notice', text }]);
    t.posted.length = 0;
    const a = t.program('A', 'a'); // a run came: the notice is over
    prologue().forEach(a.feed);
    assert.deepEqual(notices(), [{ type: 'notice', text: null }]);
    t.posted.length = 0;
    await t.bridge.handle({ type: 'ready' });
    assert.deepEqual(notices(), []);
    t.bridge.notice(text);
    t.posted.length = 0;
    t.bridge.selectLaunch('k-next'); // another launch starts (a debug session, Run File): the news is over
    assert.deepEqual(notices(), [{ type: 'notice', text: null }]);
    t.bridge.dispose();
  });

  it('a run the host selects while the panel is hidden is marked chosen away in the next run list, once', async () => {
    const t = setup();
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    const b = t.program('B', 'b');
    prologue().forEach(b.feed);
    await t.bridge.handle({ type: 'ready' });
    t.bridge.select('c1.r1');
    await sleep(0);
    t.bridge.detach(); // the tab went behind another
    t.bridge.select('c2.r1'); // the debugger paused B
    t.posted.length = 0;
    await t.bridge.handle({ type: 'ready' });
    const runs = () => t.posted.filter((m): m is Extract<HostMessage, { type: 'runs' }> => m.type === 'runs');
    assert.deepEqual(
      runs().map((m) => [m.selected, m.chosenAway]),
      [['c2.r1', true]],
    );
    t.posted.length = 0;
    await t.bridge.handle({ type: 'ready' }); // a later reload: the page's own choice counts again
    assert.deepEqual(
      runs().map((m) => [m.selected, m.chosenAway]),
      [['c2.r1', undefined]],
    );
    t.bridge.dispose();
  });

  it('sends the next delta only once the page drew the last: a slow page gets the changes merged, not queued', async () => {
    let clock = 1_000_000;
    const t = setup({ draws: false, now: () => clock });
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' });
    await t.bridge.handle({ type: 'drawn' }); // the snapshot is drawn
    const deltas = () => t.posted.filter((m) => m.type === 'delta') as Extract<HostMessage, { type: 'delta' }>[];
    a.feed(state(3, 1, 'running', site(1)));
    await sleep(DELTA_INTERVAL_MS * 3);
    assert.equal(deltas().length, 1, 'the first change goes');
    // The page is busy drawing it: ten intervals of changes, no message.
    for (let i = 0; i < 10; i++) {
      a.feed(state(3, i + 2, i % 2 ? 'running' : 'waiting', site(i + 2)));
      clock += DELTA_INTERVAL_MS;
      await sleep(DELTA_INTERVAL_MS + 5);
    }
    a.feed(spawned(4, 2, 'child', 300));
    await sleep(DELTA_INTERVAL_MS * 2);
    assert.equal(deltas().length, 1, 'nothing more while the page has not drawn the first');
    await t.bridge.handle({ type: 'drawn' });
    await sleep(DELTA_INTERVAL_MS * 3);
    assert.equal(deltas().length, 2, 'drawn: what changed meanwhile goes, in one delta');
    const merged = deltas()[1];
    assert.deepEqual(merged.upsert.map((r) => r.id).sort(), [3, 4]);
    assert.equal((merged.upsert.find((r) => r.id === 3) as TaskRow).awaitSite?.line, 11, 'the latest state of task 3');
    // A page that never says drawn gets the next delta when DRAWN_WAIT_MS have passed (its retry's timer fires).
    a.feed(state(3, 20, 'running', site(20)));
    await sleep(DELTA_INTERVAL_MS * 2);
    clock += DRAWN_WAIT_MS - 1;
    t.bridge.flush();
    assert.equal(deltas().length, 2, 'not before the wait');
    clock += 1;
    t.bridge.flush();
    assert.equal(deltas().length, 3, 'after it');
    t.bridge.dispose();
  });

  it('a page that comes back (hidden, or reloaded) owes nothing: its first change after the snapshot goes at once', async () => {
    const t = setup({ draws: false });
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' }); // a snapshot the page never says it drew
    a.feed(state(3, 1, 'running', site(1)));
    await sleep(DELTA_INTERVAL_MS * 3);
    assert.equal(t.posted.filter((m) => m.type === 'delta').length, 0, 'held');
    // the run list is not held with it: a second program shows up in the list
    const b = t.program('B', 'b');
    prologue().forEach(b.feed);
    await sleep(DELTA_INTERVAL_MS * 3);
    const runs = t.posted.filter((m) => m.type === 'runs') as Extract<HostMessage, { type: 'runs' }>[];
    assert.equal(runs.at(-1)!.runs.length, 2);
    t.bridge.detach();
    await t.bridge.handle({ type: 'ready' });
    await t.bridge.handle({ type: 'drawn' });
    t.posted.length = 0;
    a.feed(state(3, 2, 'waiting', site(2)));
    await sleep(DELTA_INTERVAL_MS * 3);
    assert.equal(t.posted.filter((m) => m.type === 'delta').length, 1);
    t.bridge.dispose();
  });

  it('batches changes into at most one delta per interval, only for the selected run', async () => {
    const t = setup();
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' });
    t.posted.length = 0;
    for (let i = 0; i < 200; i++) a.feed(state(3, i + 1, i % 2 ? 'running' : 'waiting', site(i)));
    a.feed(spawned(4, 2, 'child', 300));
    await sleep(DELTA_INTERVAL_MS * 3);
    const deltas = t.posted.filter((m) => m.type === 'delta') as Extract<HostMessage, { type: 'delta' }>[];
    assert.equal(deltas.length, 1, '201 events, one message');
    assert.deepEqual(deltas[0].upsert.map((r) => r.id).sort(), [3, 4]);
    assert.equal((deltas[0].upsert.find((r) => r.id === 3) as TaskRow).awaitSite?.line, 199);
    // A second program does not send deltas while A is selected and live.
    const b = t.program('B', 'b');
    t.posted.length = 0;
    prologue().forEach(b.feed);
    await sleep(DELTA_INTERVAL_MS * 3);
    assert.equal(t.posted.filter((m) => m.type === 'delta').length, 0);
    const runs = t.posted.filter((m) => m.type === 'runs') as Extract<HostMessage, { type: 'runs' }>[];
    assert.equal(runs.at(-1)!.runs.length, 2, 'the new run shows up in the list');
    assert.equal(runs.at(-1)!.selected, 'c1.r1', 'a live selected run keeps the panel');
    t.bridge.dispose();
  });

  it("selectRun answers with that run's snapshot; a debug launch is selected when its run arrives", async () => {
    const t = setup();
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' });
    t.bridge.selectLaunch('k-B');
    const b = t.program('B', 'b');
    prologue().forEach(b.feed);
    assert.equal(t.bridge.selectedRun, 'c2.r1', 'the pending launch took the selection');
    assert.deepEqual(t.titles, ['A', 'B'], 'the panel title follows the selected run');
    t.posted.length = 0;
    await t.bridge.handle({ type: 'selectRun', run: 'c1.r1' });
    assert.deepEqual(
      t.posted.map((m) => m.type),
      ['runs', 'snapshot'],
    );
    assert.equal((t.posted[1] as Extract<HostMessage, { type: 'snapshot' }>).run.key, 'c1.r1');
    await t.bridge.handle({ type: 'selectRun', run: 'nope' });
    assert.equal(t.bridge.selectedRun, 'c1.r1');
    t.bridge.dispose();
  });

  it('a launch run again (Run File in its terminal) shows its next run, not its last one meanwhile', async () => {
    const t = setup();
    prologue().forEach(t.program('A', 'a').feed); // c1.r1: a.py's first run
    prologue().forEach(t.program('B', 'b').feed); // c2.r1: the user watches b.py's
    await t.bridge.handle({ type: 'ready' });
    t.bridge.select('c2.r1');
    t.bridge.selectLaunch('k-A', true);
    assert.equal(t.bridge.selectedRun, 'c2.r1', "no detour to a.py's earlier run");
    prologue().forEach(t.program('A', 'a2').feed);
    assert.equal(t.bridge.selectedRun, 'c3.r1', "a.py's new run took the selection");
    t.bridge.dispose();
  });

  it('opens only files a program reported, and runs only known commands', async () => {
    const t = setup();
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'openSite', file: '/abs/prog.py', line: 13.7 });
    await t.bridge.handle({ type: 'openSite', file: '/etc/passwd', line: 1 });
    await t.bridge.handle({ type: 'openSite', file: '/abs/prog.py', line: Infinity });
    await t.bridge.handle({ type: 'openSite', file: '/abs/prog.py', line: NaN });
    await t.bridge.handle({ type: 'command', command: 'clearFinished' });
    await t.bridge.handle({ type: 'command', command: 'workbench.action.quit' });
    await t.bridge.handle('garbage');
    assert.deepEqual(t.opened, [['/abs/prog.py', 13]]);
    assert.deepEqual(t.commands, ['clearFinished']);
    assert.equal(t.warnings.length, 1);
    t.bridge.dispose();
  });

  it('a detached (hidden) panel gets no deltas; ready brings a fresh snapshot', async () => {
    const t = setup();
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' });
    t.bridge.detach();
    t.posted.length = 0;
    a.feed(exited(3, 5));
    await sleep(DELTA_INTERVAL_MS * 3);
    assert.equal(t.posted.length, 0);
    await t.bridge.handle({ type: 'ready' });
    const snap = t.posted.find((m) => m.type === 'snapshot') as Extract<HostMessage, { type: 'snapshot' }>;
    assert.equal((snap.rows.find((r) => r.id === 3) as TaskRow).state, 'returned');
    t.bridge.dispose();
  });

  it('clearing finished runs moves the selection and tells the panel', async () => {
    const t = setup();
    const rec = replayNdjson([hello(), ...prologue()].map((e) => JSON.stringify(e)).join('\n'));
    t.store.addRecording(rec.runs, { bytes: [Buffer.from('x')], truncated: false });
    const a = t.program('A', 'a');
    prologue().forEach(a.feed);
    await t.bridge.handle({ type: 'ready' });
    await t.bridge.handle({ type: 'selectRun', run: rec.runs[0].key });
    assert.deepEqual(t.store.clearFinished(), [rec.runs[0].key]);
    assert.equal(t.bridge.selectedRun, 'c1.r1');
    t.bridge.dispose();
  });
});

describe('panel HTML', () => {
  it('has a strict CSP with a nonce, and loads only the bundle', () => {
    const html = panelHtml({
      cspSource: 'https://x.vscode-cdn.net',
      scriptUri: 'https://x/dist/webview.js',
      styleUri: 'https://x/dist/webview.css',
      nonce: 'abc123',
    });
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc123');
    assert.ok(csp.startsWith("default-src 'none'"));
    assert.ok(csp.includes("script-src 'nonce-abc123'"));
    assert.ok(!csp.includes('unsafe'));
    assert.ok(html.includes(`content="${csp.replace(/'/g, "'")}"`));
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview.js"><\/script>/);
    assert.match(html, /<div id="root"><\/div>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('makes a different nonce each time', () => {
    const a = panelHtml({ cspSource: 'c', scriptUri: 's', styleUri: 't' });
    const b = panelHtml({ cspSource: 'c', scriptUri: 's', styleUri: 't' });
    const nonce = (h: string) => /nonce-([^']+)'/.exec(h)![1];
    assert.notEqual(nonce(a), nonce(b));
    assert.ok(nonce(a).length >= 16);
  });
});

describe('RunStore', () => {
  it("labels a launch's second process by pid, and saves what a program sent", () => {
    const store = new RunStore();
    const one = store.openStream({ launchKey: 'k', launchLabel: 'Debug', instance: 'i1', pid: 1 });
    const two = store.openStream({ launchKey: 'k', launchLabel: 'Debug', instance: 'i2', pid: 2 });
    assert.equal(one.run(1)!.label, 'Debug');
    assert.equal(two.run(1)!.label, 'Debug (pid 2)');
    assert.equal(one.run(2)!.label, 'Debug · run 2');
    one.record('{"a":1}');
    one.record('{"b":2}');
    assert.deepEqual(store.recordingOf(one.run(1)!.key), { text: '{"a":1}\n{"b":2}\n', truncated: false });
    assert.equal(store.openStream({ launchKey: 'k', instance: 'i1' }), one, 'a reconnect finds its stream');
    // Run again once both ended (Run File in its terminal): not a subprocess, no pid
    for (const s of [one, one, two]) s.disconnected('done'); // one twice: the reconnect above
    const again = store.openStream({ launchKey: 'k', launchLabel: 'Debug', instance: 'i3', pid: 3 });
    assert.equal(again.run(1)!.label, 'Debug');
  });

  it('keeps raw lines bounded: per program, then in total, letting go of programs that are gone first', () => {
    const store = new RunStore(() => 2000, { perProgram: 100, total: 150 });
    const old = store.openStream({ launchKey: 'k', instance: 'old' });
    old.run(1)!;
    for (let i = 0; i < 8; i++) old.record('x'.repeat(9)); // 80 bytes
    old.disconnected('gone');
    const live = store.openStream({ launchKey: 'k', instance: 'live' });
    live.run(1)!;
    for (let i = 0; i < 9; i++) live.record('y'.repeat(9)); // 90 bytes: needs the old program's room
    assert.equal(store.recordingOf(old.run(1)!.key)!.dropped, true);
    assert.equal(store.recordingOf(live.run(1)!.key)!.truncated, false);
    live.record('y'.repeat(9));
    live.record('y'.repeat(9)); // past 100 bytes for one program
    const rec = store.recordingOf(live.run(1)!.key)!;
    assert.equal(rec.truncated, true);
    assert.equal(rec.text.split('\n').length - 1, 10);
  });

  it('keeps at most 50 runs that are over, dropping the oldest', () => {
    const store = new RunStore();
    const removed: string[] = [];
    store.onDidChange((e) => {
      if (e.kind === 'removed') removed.push(...e.keys);
    });
    const live = store.openStream({ launchKey: 'k', instance: 'live' }).run(1)!;
    for (let i = 0; i < 55; i++) {
      const s = store.openStream({ launchKey: 'k', instance: `p${i}` });
      s.run(1)!;
      s.disconnected('gone');
    }
    store.openStream({ launchKey: 'k', instance: 'last' }).run(1)!;
    assert.equal(store.all().filter((e) => e.state.currentStatus !== 'live').length, 50);
    assert.equal(removed.length, 5);
    assert.ok(store.get(live.key), 'live runs are never dropped');
  });
});
