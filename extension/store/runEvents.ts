// The reducer for what concerns the run as a whole: the program's hello,
// run.started / run.finished, dropped counts, the runtime switching itself
// off, and snapshots (after a reconnect, or after dropped lines), which end by
// closing what the program did not replay.
import type {
  DroppedEvent,
  HelloEvent,
  RunFinishedEvent,
  RunStartedEvent,
  RuntimeDisabledEvent,
  SnapshotEndEvent,
} from '../../contract/wire';
import type { NurseryEvents } from './nurseryEvents';
import type { Retention } from './retention';
import type { RunFacts } from './runFacts';
import type { RunTree } from './runTree';
import type { TaskEvents } from './taskEvents';
import { clip, errorOf, MAX_TEXT } from './rowEntries';

/** Arguments of the program's command line kept for the run's header (each cut to MAX_TEXT). */
const MAX_ARGS = 64;

export class RunEvents {
  constructor(
    private readonly tree: RunTree,
    private readonly facts: RunFacts,
    private readonly retention: Retention,
    private readonly tasks: TaskEvents,
    private readonly nurseries: NurseryEvents,
  ) {}

  hello(e: HelloEvent): void {
    const f = this.facts;
    // The header goes with every delta and every run list: it stays small whatever the hello says.
    f.runtime = clip(e.runtime, 100);
    f.runtimeVersion = clip(e.runtime_version, 100);
    f.pid = e.pid;
    f.argv = e.argv.slice(0, MAX_ARGS).map((a) => clip(a, MAX_TEXT));
    f.cwd = clip(e.cwd, MAX_TEXT);
    f.changed = true;
  }

  started(e: RunStartedEvent): void {
    const f = this.facts;
    f.stampClock();
    if (!e.resumed || !f.wall) f.wall = e.wall;
    f.library = e.library ?? 'trio';
    if (e.library_version !== undefined) f.libraryVersion = e.library_version;
    if (e.anyio !== undefined) f.anyio = e.anyio;
    if (f.status !== 'recording') f.status = 'live';
    f.changed = true;
  }

  finished(e: RunFinishedEvent): void {
    const f = this.facts;
    f.stampClock();
    f.outcome = e.outcome;
    f.error = e.error ? errorOf(this.tree.siteOf, e.error) : undefined;
    if (f.status !== 'recording') f.status = 'finished';
    f.ended = true;
    f.changed = true;
    // The run ended among lost lines (PROTOCOL.md, snapshots): nothing of it is live any more.
    if (f.linesLost) this.closeUnseen(new Set(), e.ts);
  }

  dropped(e: DroppedEvent): void {
    this.facts.dropped += e.count;
    this.facts.linesLost = true;
    this.facts.changed = true;
  }

  runtimeDisabled(e: RuntimeDisabledEvent): void {
    this.facts.addProblem(`The runtime switched itself off: ${clip(e.reason, MAX_TEXT)}`);
    // 1.2: this run only is no longer observed; what it still shows as live is closed at its run.finished.
    if (e.run !== undefined) this.facts.linesLost = true;
  }

  snapshotBegin(): void {
    this.tree.snapshotSeen = new Set();
    // The program is talking again (a reconnect, or a replay after dropped lines).
    if (this.facts.status === 'disconnected') {
      this.facts.status = 'live';
      this.facts.stopped = undefined;
      this.facts.changed = true;
    }
  }

  snapshotEnd(e: SnapshotEndEvent): void {
    const seen = this.tree.snapshotSeen;
    this.tree.snapshotSeen = null;
    if (!seen) return;
    this.facts.linesLost = false;
    // Live things the runtime did not replay ended while we were away.
    this.closeUnseen(seen, e.ts);
  }

  /** Live tasks not in `seen` are lost, open nurseries not in it closed. */
  private closeUnseen(seen: ReadonlySet<number>, ts: number): void {
    const tree = this.tree;
    for (const row of [...tree.tasks.values()]) {
      if (row.exitedAt !== undefined || seen.has(row.id)) continue;
      this.tasks.lost(row, ts);
    }
    for (const n of [...tree.nurseries.values()]) {
      if (n.closedAt !== undefined || seen.has(n.id)) continue;
      this.nurseries.close(n, ts);
    }
    this.retention.retain();
  }
}
