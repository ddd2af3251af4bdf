// The editor side of the lints (issue #17), without vscode: lints mapped to
// diagnostics (file, 0-based line, severity, code, related lines), the
// counts and words of the inline hints, the settings and their defaults
// (package.json says the same), what a launched program's runtime is told,
// and a hint's click reaching the panel as a selection of tasks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostMessage } from '../../contract/messages';
import type { TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';
import { nurseryLensValue } from '../../extension/debug/envInjection';
import { diagnosticsByFile, lintBadge, lintCounts, MAX_PER_FILE } from '../../extension/lints/diagnosticData';
import {
  DEFAULT_BLOCK_MS,
  editorHintsOn,
  lintSettings,
  runtimeLintOptions,
  type SettingGetter,
} from '../../extension/lints/lintSettings';
import { countsKey, hintParts, siteCounts } from '../../extension/lints/siteCounts';
import { DEFAULT_LINT_SETTINGS, type Lint } from '../../extension/store/runLints';
import { run } from './runRows';
import { bridgeOnStore } from './panelHarness';
import { exited, hello, opened, prologue, site, spawned, state } from './wireEvents';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const props = manifest.contributes.configuration.properties as Record<string, { default: unknown }>;
/** The settings as a user who changed nothing has them. */
const defaults: SettingGetter = <T>(key: string, fallback: T): T =>
  (props[`nurseryLens.${key}`]?.default as T) ?? fallback;
const withSettings =
  (values: Record<string, unknown>): SettingGetter =>
  <T>(key: string, fallback: T): T =>
    (key in values ? values[key] : defaults(key, fallback)) as T;

const lint = (line: number, extra: Partial<Lint> = {}): Lint => ({
  code: 'loop-blocked',
  severity: 'warning',
  message: 'held',
  site: site(line),
  ids: [5],
  related: [],
  ongoing: false,
  ...extra,
});

describe('lints in the editor: diagnostics', () => {
  it('one diagnostic per lint at its file and 0-based line, in line order, with severity, code and related lines', () => {
    const by = diagnosticsByFile([
      lint(30, {
        code: 'never-awaited',
        related: [{ site: site(4, '/abs/prog.py', 'fetch'), message: 'fetch is defined here' }],
      }),
      lint(12, { severity: 'information', code: 'start-not-started' }),
      lint(7, { site: site(7, '/abs/other.py') }),
    ]);
    assert.deepEqual([...by.keys()], ['/abs/prog.py', '/abs/other.py']);
    const prog = by.get('/abs/prog.py')!;
    assert.deepEqual(
      prog.map((d) => [d.line, d.severity, d.code]),
      [
        [11, 'information', 'start-not-started'],
        [29, 'warning', 'never-awaited'],
      ],
    );
    assert.deepEqual(prog[1].related, [{ file: '/abs/prog.py', line: 3, message: 'fetch is defined here' }]);
    assert.deepEqual(prog[1].ids, [5]);
  });

  it('a lint without a line marks no file; the run label joins the message when asked; a file holds a bounded number', () => {
    assert.equal(diagnosticsByFile([lint(1, { site: null }), lint(0)]).size, 0);
    assert.equal(
      diagnosticsByFile([lint(3)], 'prog.py · run 2').get('/abs/prog.py')![0].message,
      'held (prog.py · run 2)',
    );
    const many = Array.from({ length: MAX_PER_FILE + 50 }, (_, i) => lint(i + 1));
    assert.equal(diagnosticsByFile(many).get('/abs/prog.py')!.length, MAX_PER_FILE);
    // As the Problems panel's own counts read: warnings and infos apart (it read "⚠ 11" beside "⚠10 ⓘ1").
    assert.equal(lintBadge({ warning: 10, information: 1 }), '$(warning) 10 $(info) 1');
    assert.equal(lintBadge({ warning: 0, information: 2 }), '$(info) 2');
    assert.equal(lintBadge({ warning: 0, information: 0 }), '');
    // The status bar counts what it says is in the Problems panel: not the block at no line.
    assert.deepEqual(lintCounts([lint(1), lint(2, { severity: 'information' }), lint(3), lint(4, { site: null })]), {
      warning: 2,
      information: 1,
    });
  });

  it('a real stream maps end to end: the blocked line of the program is squiggled', () => {
    const r = run([
      ...prologue(),
      { type: 'loop.blocked', run: 1, ts: 400, block: 1, since: 100, duration: 300, task: 3, at: site(14) },
    ]);
    const d = diagnosticsByFile(r.lints(DEFAULT_LINT_SETTINGS, Date.now()).lints).get('/abs/prog.py')!;
    assert.equal(d.length, 1);
    assert.equal(d[0].line, 13);
    assert.match(d[0].message, /blocked here for 300 ms by task 'main'/);
  });
});

describe('lints in the editor: live counts by line', () => {
  const rows = (events: WireEvent[]): TaskRow[] => [...run(events).taskRows()];

  it('a spawn site counts what it spawned (live, raised, done) and an await site the tasks parked there', () => {
    const events: WireEvent[] = [...prologue(), opened(4, 3, 1)];
    for (let i = 0; i < 5; i++) events.push(spawned(10 + i, 4, `w${i}`, 2, { site: site(20) }));
    events.push(exited(10, 3, 'raised', { error: { type: 'ValueError', message: 'x' } }), exited(11, 3));
    events.push(
      state(12, 4, 'waiting', site(40)),
      state(13, 4, 'waiting', site(40)),
      state(14, 4, 'running', site(40)),
    );
    const counts = siteCounts(rows(events));
    const at20 = counts.get('/abs/prog.py')!.get(20)!;
    assert.deepEqual([at20.live, at20.raised, at20.done, at20.spawned.length], [3, 1, 1, 5]);
    assert.deepEqual(
      hintParts(at20).map((p) => p.text),
      ['3 live · 1 raised'],
    );
    assert.deepEqual(hintParts(at20)[0].ids, [10, 11, 12, 13, 14]);
    assert.equal(hintParts(at20)[0].kind, 'spawned'); // a click's command picks the part of its kind
    const at40 = counts.get('/abs/prog.py')!.get(40)!;
    assert.deepEqual(
      hintParts(at40).map((p) => [p.kind, p.text, p.ids]),
      [['waiting', '2 waiting here', [12, 13]]],
    );
    assert.equal(counts.get('/abs/prog.py')!.has(11), false, "Trio's own tasks are not counted");
  });

  it('a finished run says what is done; the fingerprint changes only with the counts', () => {
    const events: WireEvent[] = [
      ...prologue(),
      opened(4, 3, 1),
      spawned(10, 4, 'a', 2, { site: site(20) }),
      spawned(11, 4, 'b', 2, { site: site(20) }),
    ];
    const before = siteCounts(rows(events));
    assert.deepEqual(
      hintParts(before.get('/abs/prog.py')!.get(20)!).map((p) => p.text),
      ['2 live'],
    );
    const after = siteCounts(rows([...events, exited(10, 5), exited(11, 6)]));
    assert.deepEqual(
      hintParts(after.get('/abs/prog.py')!.get(20)!).map((p) => p.text),
      ['2 done'],
    );
    assert.notEqual(countsKey(before), countsKey(after));
    assert.equal(countsKey(siteCounts(rows(events))), countsKey(before));
  });
});

describe('lint settings', () => {
  it("the defaults are package.json's, and each lint has a switch there", () => {
    assert.deepEqual(lintSettings(defaults), DEFAULT_LINT_SETTINGS);
    assert.equal(props['nurseryLens.lints.loopBlocked.thresholdMs'].default, DEFAULT_BLOCK_MS);
    for (const k of ['loopBlocked', 'startNotStarted', 'runawayNursery', 'orphanTasks', 'neverAwaited']) {
      assert.equal(props[`nurseryLens.lints.${k}.enabled`].default, true, k);
    }
    assert.equal(editorHintsOn(defaults), true);
    assert.equal(editorHintsOn(withSettings({ editorHints: false })), false);
  });

  it('switching a lint off zeroes its threshold; nonsense thresholds fall back to the defaults', () => {
    const s = lintSettings(
      withSettings({
        'lints.startNotStarted.enabled': false,
        'lints.runawayNursery.maxChildren': -3,
        'lints.neverAwaited.enabled': false,
      }),
    );
    assert.equal(s.startNotStartedMs, 0);
    assert.equal(s.runawayChildren, DEFAULT_LINT_SETTINGS.runawayChildren);
    assert.equal(s.neverAwaited, false);
  });

  it("the runtime is told the threshold, and a debug session's coroutines record their origin", () => {
    assert.deepEqual(runtimeLintOptions(defaults, 'terminal'), { blockMs: 100, warnings: true, coroOrigin: 0 });
    assert.deepEqual(runtimeLintOptions(defaults, 'debug'), { blockMs: 100, warnings: true, coroOrigin: 2 });
    const off = runtimeLintOptions(
      withSettings({ 'lints.loopBlocked.enabled': false, 'lints.neverAwaited.enabled': false }),
      'debug',
    );
    assert.deepEqual(off, { blockMs: 0, warnings: false, coroOrigin: 0 });
    const value = JSON.parse(
      nurseryLensValue({
        address: 'a:1',
        secret: 's',
        sampleHz: 10,
        lints: { blockMs: 250, warnings: true, coroOrigin: 2 },
      }),
    );
    assert.deepEqual(value.options, {
      sample_hz: 10,
      record: null,
      max_buffer: 1_000_000,
      block_ms: 250,
      warnings: true,
      coro_origin: 2,
    });
  });
});

describe('a hint click selects tasks in the panel', () => {
  function setup() {
    const { store, posted, bridge } = bridgeOnStore();
    const feed = (label: string) => {
      const r = store.openStream({ launchKey: `k-${label}`, launchLabel: label, instance: label }).run(1)!;
      for (const e of [hello(), ...prologue()]) r.apply(e);
      store.changed();
      return r;
    };
    return { store, posted, bridge, feed };
  }

  it('in the shown run: at once; in another run: after that run is selected and its snapshot sent', async () => {
    const t = setup();
    const a = t.feed('A');
    const b = t.feed('B');
    await t.bridge.handle({ type: 'ready' });
    t.bridge.select(b.key);
    await Promise.resolve();
    t.posted.length = 0;
    t.bridge.selectTasks(b.key, [3], '1 live · prog.py:12');
    assert.deepEqual(t.posted, [{ type: 'selectTasks', run: b.key, ids: [3], label: '1 live · prog.py:12' }]);
    t.posted.length = 0;
    t.bridge.selectTasks(a.key, [1, 3], 'x');
    await Promise.resolve();
    assert.deepEqual(
      t.posted.map((m) => m.type),
      ['runs', 'snapshot', 'selectTasks'],
    );
    assert.equal((t.posted[1] as Extract<HostMessage, { type: 'snapshot' }>).run.key, a.key);
    t.bridge.selectTasks('no-such-run', [1], 'x');
    t.bridge.dispose();
  });

  it('before the panel is up: sent once it says ready, after its snapshot', async () => {
    const t = setup();
    const a = t.feed('A');
    t.bridge.selectTasks(a.key, [3], 'x');
    assert.equal(t.posted.length, 0, 'nothing before the panel is up');
    await t.bridge.handle({ type: 'ready' });
    assert.deepEqual(
      t.posted.map((m) => m.type),
      ['config', 'runs', 'snapshot', 'selectTasks'],
    );
    t.bridge.dispose();
  });
});
