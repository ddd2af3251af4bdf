// What the editor's hints say at each line of the selected run, without
// vscode: a spawn site (start_soon, start, create_task, tg.start_soon) says
// what it spawned (`12 live · 3 raised`), an await site where tasks are
// parked says how many (`4 waiting here`); each with the tasks it counts, so
// a click can pick them in the panel. Finished tasks folded away by
// retention are no longer counted by line.
import type { Site, TaskRow } from '../../contract/rows';

export interface LineCounts {
  live: number;
  raised: number;
  /** Finished otherwise (returned, cancelled, lost). */
  done: number;
  waiting: number;
  /** Tasks spawned here (live first), at most MAX_IDS. */
  spawned: number[];
  /** Tasks waiting here, at most MAX_IDS. */
  parked: number[];
}

/** Tasks a hint names (a click selects them); its counts stay exact. */
export const MAX_IDS = 500;

/** file → line (1-based) → counts. */
export type SiteCounts = Map<string, Map<number, LineCounts>>;

function at(out: SiteCounts, site: Site): LineCounts {
  let lines = out.get(site.file);
  if (!lines) out.set(site.file, (lines = new Map()));
  let c = lines.get(site.line);
  if (!c) lines.set(site.line, (c = { live: 0, raised: 0, done: 0, waiting: 0, spawned: [], parked: [] }));
  return c;
}

export function siteCounts(tasks: Iterable<TaskRow>): SiteCounts {
  const out: SiteCounts = new Map();
  for (const t of tasks) {
    if (t.system) continue;
    const live = t.exitedAt === undefined && !t.flags?.includes('pending_at_close');
    if (t.site) {
      const c = at(out, t.site);
      if (live) c.live++;
      else if (t.state === 'raised') c.raised++;
      else c.done++;
      if (c.spawned.length < MAX_IDS) c.spawned.push(t.id);
    }
    if (live && t.state === 'waiting' && t.awaitSite) {
      const c = at(out, t.awaitSite);
      c.waiting++;
      if (c.parked.length < MAX_IDS) c.parked.push(t.id);
    }
  }
  return out;
}

/** What a hint's part counts: the tasks a line spawned, or those waiting at it. */
export type HintKind = 'spawned' | 'waiting';

export interface HintPart {
  kind: HintKind;
  text: string;
  /** Tasks a click on this part selects. */
  ids: number[];
  tooltip: string;
}

const n = (k: number): string => k.toLocaleString('en-US');

/** The parts of one line's hint (empty: nothing to say). */
export function hintParts(c: LineCounts): HintPart[] {
  const parts: HintPart[] = [];
  const spawnedWords = [
    c.live ? `${n(c.live)} live` : '',
    c.raised ? `${n(c.raised)} raised` : '',
    !c.live && c.done ? `${n(c.done)} done` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  if (spawnedWords) {
    const total = c.live + c.raised + c.done;
    parts.push({
      kind: 'spawned',
      text: spawnedWords,
      ids: c.spawned,
      tooltip: `${n(total)} task${total === 1 ? '' : 's'} spawned from this line: click to select them in the task tree`,
    });
  }
  if (c.waiting) {
    parts.push({
      kind: 'waiting',
      text: `${n(c.waiting)} waiting here`,
      ids: c.parked,
      tooltip: `${n(c.waiting)} task${c.waiting === 1 ? '' : 's'} waiting at this line: click to select them in the task tree`,
    });
  }
  return parts;
}

/** A cheap fingerprint of the counts and the tasks they name (hints refresh only when it changes). */
export function countsKey(counts: SiteCounts): string {
  const out: string[] = [];
  for (const [file, lines] of counts) {
    for (const [line, c] of lines)
      out.push(`${file}:${line}:${c.live}:${c.raised}:${c.done}:${c.waiting}:${c.spawned.at(-1)}:${c.parked.at(-1)}`);
  }
  return out.join('|');
}
