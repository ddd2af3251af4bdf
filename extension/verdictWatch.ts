// Looks for deadlocks and hangs in live runs on a timer (a stuck program sends
// nothing, so no event would make the store look), and tells each verdict
// once in the log, in words. No vscode import: tested in plain Node.
import { holdersJoint, labelNamesHolder, type Verdict, type VerdictTask } from '../contract/rows';
import type { RunStore } from './store/runStore';

/** How often live runs are looked at, in ms. */
export const WATCH_MS = 500;

/** `deadlock: w1 waits for Lock lock_b held by w2; w2 waits for Lock lock_a held by w1 (since 0.3 s into the run)`. */
export function verdictSentence(v: Verdict): string {
  const names = new Map<number, string>();
  for (const t of [...v.tasks, ...v.behind]) names.set(t.id, t.name);
  const one = (t: VerdictTask): string => {
    let held = t.on.map((id) => names.get(id) ?? `#${id}`);
    if (labelNamesHolder(t.waits, held)) held = [];
    return `${t.name} waits for ${t.waits.label}${held.length ? `${holdersJoint(t.waits)}${held.join(', ')}` : ''}`; // as the panel says
  };
  const more = (shown: number, count: number): string => (count > shown ? `; and ${count - shown} more` : '');
  const parts = v.tasks.map(one).join('; ') + more(v.tasks.length, v.taskCount);
  const behind = v.behindCount
    ? ` Stuck behind it: ${v.behind.map((t) => t.name).join(', ')}${more(v.behind.length, v.behindCount)}.`
    : '';
  // in ms under a second, as the banner says it (it read '0.0 s' beside the banner's '28 ms')
  const at = v.since < 1000 ? `${Math.round(v.since)} ms` : `${(v.since / 1000).toFixed(1)} s`;
  const since = ` (nothing moved since ${at} into the run)`;
  return v.kind === 'deadlock'
    ? `deadlock: ${parts}${since}.${behind}`
    : `hung: every task waits and nothing can wake them: ${parts}${since}.`;
}

export class VerdictWatch {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: RunStore,
    private readonly log: { warn(message: string): void },
    every = WATCH_MS,
  ) {
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref?.();
  }

  /** Judges every live run now; logs what is new (from any run: recordings find theirs as they are read). */
  tick(now = Date.now()): void {
    let changed = false;
    for (const e of this.store.all()) {
      const s = e.state;
      if (s.currentStatus === 'live' && s.judge(now)) changed = true;
      const news = s.takeVerdictNews();
      if (news) this.log.warn(`${s.label}: ${verdictSentence(news)}`);
    }
    if (changed) this.store.changed();
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
