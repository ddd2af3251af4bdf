// The lints the runtime reports, as the timeline's marks (issue #17 item 2),
// through the panel bridge as the panel asks for them: one mark per block of
// the loop from where it began to where it was given back (its reports while
// it lasts update it), a coroutine never awaited at its moment and line, and
// none for a lint the user switched off in the settings.
import assert from 'node:assert/strict';
import type { TimelineData, TimelineMark } from '../../contract/timeline';
import { DEFAULT_LINT_SETTINGS, type LintSettings } from '../../extension/store/runLints';
import { RunState } from '../../extension/store/runState';
import type { WireEvent } from '../../contract/wire';
import { bridgeOnStore } from './panelHarness';
import { hello, opened, prologue, spawned } from './wireEvents';

const turn = () => new Promise((r) => setImmediate(r));
const at = (line: number) => ({ file: '/app/blocking.py', line, function: 'worker' });

function linted(live: boolean): RunState {
  const run = new RunState('lints.r1', 'blocking.py');
  const events = [
    hello(),
    ...prologue(),
    opened(4, 3, 1),
    spawned(11, 4, 'worker-1', 2),
    spawned(12, 4, 'worker-2', 2),
    { type: 'loop.blocked', run: 1, ts: 250, block: 1, since: 100, duration: 150, ongoing: true, task: 11, at: at(12) },
    ...(live
      ? []
      : [
          { type: 'loop.blocked', run: 1, ts: 400, block: 1, since: 100, duration: 300, task: 11, at: at(12) },
          { type: 'warning', run: 1, ts: 405, category: 'UserWarning', message: 'not a lint', site: at(13), task: 12 },
          {
            type: 'warning',
            run: 1,
            ts: 410,
            category: 'RuntimeWarning',
            message: "coroutine 'fetch' was never awaited",
            kind: 'never_awaited',
            site: at(14),
            task: 12,
          },
        ]),
  ] as WireEvent[];
  for (const e of events) run.apply(e);
  return run;
}

async function marksOf(run: RunState, settings?: LintSettings): Promise<TimelineMark[]> {
  const { store, posted, bridge } = bridgeOnStore(settings ? { lintSettings: () => settings } : {});
  await bridge.handle({ type: 'ready' });
  run.markRecording();
  const [entry] = store.addRecording([run], { bytes: [], truncated: false });
  bridge.select(entry.state.key);
  const request = { run: entry.state.key, seq: 1, from: 0, to: 1000, width: 800, lanes: [], hideSystem: true };
  await bridge.handle({ type: 'timeline', request });
  for (let i = 0; i < 200; i++) {
    await turn();
    const last = posted.filter((m) => m.type === 'timeline').at(-1) as { data: TimelineData } | undefined;
    if (last && !last.data.partial) {
      bridge.dispose();
      return last.data.marks;
    }
  }
  throw new Error('no timeline');
}

describe('timeline: lint marks', () => {
  it('a block spans the time the loop was held, on the task that held it; a dropped coroutine marks its moment', async () => {
    assert.deepEqual(await marksOf(linted(false)), [
      { t: 100, kind: 'blocked', until: 400, id: 11, site: at(12) },
      { t: 410, kind: 'warning', id: 12, site: at(14), coroutine: 'fetch' },
    ]);
  });

  it('a block still holding the loop when the recording ends is marked as far as it was reported, and ongoing', async () => {
    const [m] = await marksOf(linted(true));
    assert.deepEqual([m.t, m.until, m.ongoing], [100, 250, true]);
  });

  it('a lint switched off in the settings leaves no mark', async () => {
    const off = (s: Partial<LintSettings>) => marksOf(linted(false), { ...DEFAULT_LINT_SETTINGS, ...s });
    assert.deepEqual(
      (await off({ loopBlocked: false })).map((m) => m.kind),
      ['warning'],
    );
    assert.deepEqual(
      (await off({ neverAwaited: false })).map((m) => m.kind),
      ['blocked'],
    );
  });
});
