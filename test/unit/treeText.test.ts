// Copy Tree as Text: the store's rows as the text of runtime/protocol/TREE_TEXT.md.
// The golden files (test/fixtures/**/*.tree.txt) are shared with the Python
// runtime's tests (runtime/python/tests/test_tree_text.py): both must print
// them byte for byte. `NAME.tree.txt` is NAME.ndjson at its end,
// `NAME.at-S.tree.txt` the same recording S seconds into its run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runsFromNdjson } from '../../extension/collector/replay';
import { validateEvent } from '../../extension/collector/protocol';
import { expandBatch, isBatch } from '../../extension/collector/batches';
import type { TasksSpawnedEvent } from '../../contract/wire';
import { clean, runStatus, seconds, treeLines, treeText } from '../../extension/export/treeText';
import type { Row } from '../../contract/rows';
import { fixtureText, recordingFile } from './fixtureText';
import { run } from './runRows';
import { exited, flagged, hello, opened, prologue, runFinished, scope, spawned, state } from './wireEvents';

const FIXTURES = join(__dirname, '..', 'fixtures');

function goldens(dir = FIXTURES): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return goldens(p);
    return f.endsWith('.tree.txt') ? [p] : [];
  });
}

/** What Copy Tree as Text gives for each run of a recording, the way `show` prints them: a blank line between. */
function textOf(golden: string): string {
  const m = /^(.*?)(?:\.at-([\d.]+))?\.tree\.txt$/.exec(golden)!;
  const ndjson = fixtureText(recordingFile(m[1]));
  if (m[2] === undefined)
    return runsFromNdjson(ndjson)
      .map((r) => treeText(r.rows(), r.info()))
      .join('\n');
  return textAt(ndjson, Number(m[2]) * 1000);
}

/** Each run of a recording as it stood `at` ms into it: its events up to then (what the store's history gives). */
function textAt(ndjson: string, at: number): string {
  // a batch line (1.3) is cut between its tasks, at their own times
  const lines = ndjson
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      const v = validateEvent(JSON.parse(l));
      return v.ok && isBatch(v.event) ? expandBatch(v.event).map((e) => JSON.stringify(e)) : [l];
    });
  const kept = lines.filter((l) => {
    const ts = (JSON.parse(l) as { ts?: unknown }).ts;
    return typeof ts !== 'number' || ts <= at;
  });
  const cut = kept.length < lines.length;
  return runsFromNdjson(kept.join('\n') + '\n')
    .map((r) => {
      const info = r.info();
      return treeText(r.rows(), info, at, cut && !info.outcome ? 'running' : runStatus(info));
    })
    .join('\n');
}

describe('tree as text', () => {
  const files = goldens();

  it('has golden files for every recorded fixture and the synthetic edge cases', () => {
    const names = files.map((f) => relative(FIXTURES, f));
    for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.ndjson')))
      assert.ok(names.includes(f.replace('.ndjson', '.tree.txt')), f);
    assert.ok(names.includes(join('synthetic', 'tree_text_edges.tree.txt')));
    assert.ok(names.some((n) => n.includes('.at-')));
  });

  for (const f of files) {
    it(`prints ${relative(FIXTURES, f)} byte for byte`, () => {
      assert.equal(textOf(f), readFileSync(f, 'utf8'));
    });
  }

  it('cuts a batch line (1.3) between its tasks, as it cuts the lines it stands for', () => {
    const leaf = (id: number, ts: number) =>
      spawned(id, 4, 'leaf', ts, { site: { file: '/a/w.py', line: 9, function: 'main' } });
    const head = [hello({ minor: 3 }), ...prologue(), opened(4, 3, 0.5)];
    const { id: _id, type: _type, ...shared } = leaf(5, 1);
    const batch: TasksSpawnedEvent = { ...shared, type: 'tasks.spawned', first: 5, after_us: [0, 500, 1000] };
    const text = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const batched = textAt(text([...head, batch]), 1.6);
    assert.equal(batched, textAt(text([...head, leaf(5, 1), leaf(6, 1.5), leaf(7, 2)]), 1.6));
    assert.match(batched, /leaf ×2/);
  });

  it('collapses siblings whose whole subtrees print alike into one line with ×N', () => {
    const r = run([
      hello(),
      ...prologue(),
      opened(4, 3, 1),
      ...[5, 6, 7].map((id) => spawned(id, 4, 'worker', 2, { site: { file: '/a/w.py', line: 9, function: 'main' } })),
      spawned(8, 4, 'worker', 2, { site: { file: '/a/w.py', line: 9, function: 'main' } }),
      ...[5, 6, 7, 8].map((id) =>
        state(id, 3, 'waiting', { file: '/a/w.py', line: id === 8 ? 30 : 20, function: 'work' }),
      ),
    ]);
    assert.deepEqual(treeLines(r.rows()), [
      'main · scheduled · spawned @ prog.py:13',
      '  nursery @ prog.py:24',
      '    worker ×3 · waiting @ w.py:20 · spawned @ w.py:9',
      '    worker · waiting @ w.py:30 · spawned @ w.py:9',
    ]);
  });

  it("leaves out the library's own tasks and nurseries, lifting what hangs below them", () => {
    const r = run([
      hello(),
      ...prologue(),
      spawned(4, 2, '<TrioToken.run_sync_soon task>', 1, { system: true, site: null }),
    ]);
    const lines = treeLines(r.rows());
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^main /);
  });

  it('says what retention folded away, by outcome', () => {
    const events = [hello(), ...prologue(), opened(4, 3, 1)];
    for (let id = 5; id < 10; id++)
      events.push(
        spawned(id, 4, `t${id}`, 2),
        exited(
          id,
          3,
          id === 9 ? 'raised' : 'returned',
          id === 9 ? { error: { type: 'ValueError', message: 'x' } } : {},
        ),
      );
    const lines = treeLines(run(events, { retainFinished: 1 }).rows());
    assert.deepEqual(lines.slice(-2), [
      '    t9 · raised ValueError: x · spawned @ prog.py:19',
      '    … 4 finished tasks not kept (4 returned)',
    ]);
  });

  it('keeps program text on its line: control and direction characters escaped, long text cut by code points', () => {
    assert.equal(clean('a\nb\u202ec\u0007\t'), 'a\\nb\\u202ec\\x07\\t');
    assert.equal(clean('x\ud800y'), 'x\ufffdy');
    const astral = '\u{1d50f}'.repeat(300);
    assert.equal(Array.from(clean(astral)).length, 200);
    assert.ok(clean(astral).endsWith('…'));
  });

  it('rounds times to the millisecond the same way in both languages (half up)', () => {
    assert.equal(seconds(2500.5), '2.501s');
    assert.equal(seconds(1500.4999), '1.500s');
    assert.equal(seconds(-1.5), '-0.001s');
    assert.equal(seconds(0), '0.000s');
    assert.equal(seconds(61_234), '61.234s');
  });

  it('heads the text with the program, its library and how the run stands', () => {
    const live = run([hello({ argv: ['/srv/app.py'] }), ...prologue()]);
    assert.equal(treeText(live.rows(), live.info()).split('\n')[0], 'app.py · Trio 0.27.0 · running');
    const done = run([
      hello(),
      ...prologue(),
      exited(3, 5, 'raised', { error: { type: 'KeyError', message: "'k'" } }),
      runFinished(6, 'raised', { error: { type: 'KeyError', message: "'k'" } }),
    ]);
    assert.equal(
      treeText(done.rows(), done.info(), 6).split('\n')[0],
      "prog.py · Trio 0.27.0 · raised KeyError: 'k' · at 0.006s",
    );
    const pytest = run([hello({ argv: ['/venv/lib/site-packages/pytest/__main__.py', '-x'] }), ...prologue()]);
    assert.match(treeText(pytest.rows(), pytest.info()), /^pytest · Trio/);
    live.markDisconnected('gone');
    assert.equal(runStatus(live.info()), 'disconnected');
  });

  it('names scopes, loose tasks and flags as the panel does, in words', () => {
    const r = run([
      hello({ runtime: 'asyncio', runtime_version: '3.12.1' }),
      { type: 'run.started', run: 1, ts: 0, wall: 1, library: 'asyncio' },
      spawned(1, null, 'main', 0, { main: true }),
      spawned(2, null, 'warmer', 1, { parent: 1 }),
      scope(3, 2, 2, { deadline: 1234.4, kind: 'timeout' }),
      flagged(2, 'pending_at_close', 3),
    ]);
    const rows: Row[] = r.rows();
    assert.deepEqual(treeLines(rows), [
      'main · scheduled',
      '  warmer · scheduled · loose · asyncio.timeout (deadline at 1.234s) · ⚠ pending at close',
    ]);
    assert.equal(treeText([], r.info()).split('\n')[1], '(no tasks)');
  });
});
