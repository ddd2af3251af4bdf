// Event streams → host messages, through the extension's own store (no second
// reducer here): a recording becomes runs + snapshots; a stream fed in steps
// becomes a live run with a snapshot and then deltas.
import { join } from 'node:path';
import type { HostMessage } from '../../contract/messages';
import { runsFromNdjson } from '../../extension/collector/replay';
import { RunState } from '../../extension/store/runState';
import { repoRoot, type Harness } from './browser';
import { fixtureText } from '../unit/fixtureText';

export function readStream(path: string): string {
  return fixtureText(join(repoRoot, path));
}

export function eventsOf(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function recording(path: string, options?: { retainFinished?: number }): RunState[] {
  return runsFromNdjson(readStream(path), options);
}

export function runsMessage(runs: RunState[], selected: string | null = runs[0]?.info().key ?? null): HostMessage {
  return { type: 'runs', runs: runs.map((r) => r.info()), selected };
}

export function snapshotMessage(run: RunState): HostMessage {
  run.takeDelta();
  return { type: 'snapshot', run: run.info(), rows: run.rows() };
}

/** Feeds events to a live run; `delta()` is what the host would post next. */
export class LiveRun {
  readonly state: RunState;

  constructor(key: string, label: string, options?: { retainFinished?: number }) {
    this.state = new RunState(key, label, options);
  }

  feed(events: ReadonlyArray<object>): this {
    for (const e of events) this.state.apply(e as unknown as Parameters<RunState['apply']>[0]);
    return this;
  }

  snapshot(): HostMessage {
    return snapshotMessage(this.state);
  }

  delta(): HostMessage | null {
    const d = this.state.takeDelta();
    return d ? { type: 'delta', run: this.state.info(), upsert: d.upsert, remove: d.remove } : null;
  }
}

/** Shows the crawl of live.ndjson as the one live run of the panel. */
export async function showLive(h: Harness): Promise<LiveRun> {
  const live = new LiveRun('live1', 'crawl.py').feed(eventsOf(readStream('test/webview/streams/live.ndjson')));
  await h.send(runsMessage([live.state]), live.snapshot());
  return live;
}
