// The reducer for what the runtime reports as lints (protocol 1.2): the loop
// held (`loop.blocked`, gathered by the line it was held at, so "how often"
// survives any number of blocks) and warnings (a coroutine never awaited,
// gathered by line and message). Bounded: a program that blocks a million
// times keeps a few hundred records.
import type { Site } from '../../contract/rows';
import type { LoopBlockedEvent, WarningEvent, WireWarningKind } from '../../contract/wire';
import type { RunTree } from './runTree';
import { clip, MAX_TEXT } from './rowEntries';

/** Blocks whose later reports are still matched to them (only the latest block is ever re-reported). */
const MAX_BLOCKS = 256;
/** Lines (or line and message) gathered; past this, new ones are counted in `overflow` only. */
const MAX_GROUPS = 500;
/** Distinct tasks remembered per group (for the marks). */
const MAX_TASKS = 20;

export interface BlockGroup {
  /** The user line that held the loop (null: no user code was running). */
  site: Site | null;
  count: number;
  longest: number;
  total: number;
  /** The block still holding the loop here, if any. */
  ongoing: BlockRecord | undefined;
  /** Tasks that held the loop here, the latest last (undefined: outside any task). */
  tasks: number[];
  lastTask: number | undefined;
  /** Run-relative ms of the latest report. */
  lastTs: number;
}

interface BlockRecord {
  group: BlockGroup;
  duration: number;
  /** The task the record was counted for. */
  task: number | undefined;
}

export interface WarningGroup {
  site: Site | null;
  func: Site | null;
  category: string;
  message: string;
  kind: WireWarningKind | undefined;
  count: number;
  tasks: number[];
  lastTask: number | undefined;
}

export class LintEvents {
  readonly blockGroups = new Map<Site | null, BlockGroup>();
  readonly warningGroups = new Map<string, WarningGroup>();
  /** Reports not gathered for lack of room. */
  overflow = 0;
  /** Bumped by every report: the lints need another look. */
  version = 0;
  private readonly blocks = new Map<number, BlockRecord>();

  constructor(private readonly tree: RunTree) {}

  blocked(e: LoopBlockedEvent): void {
    this.version++;
    const site = e.at === undefined ? null : this.tree.site(e.at);
    const group = this.blockGroup(site, e.ts);
    let rec = this.blocks.get(e.block);
    if (rec && rec.group !== group) {
      // The line seen most often changed between reports: the block moves.
      rec.group.count--;
      rec.group.total -= rec.duration;
      if (rec.group.ongoing === rec) rec.group.ongoing = undefined;
      rec = undefined;
      this.blocks.delete(e.block);
    }
    if (!group) return;
    if (!rec) {
      rec = { group, duration: 0, task: undefined };
      this.blocks.set(e.block, rec);
      if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
      group.count++;
    }
    group.total += e.duration - rec.duration;
    rec.duration = e.duration;
    if (e.duration > group.longest) group.longest = e.duration;
    group.lastTs = e.ts;
    if (e.ongoing) group.ongoing = rec;
    else if (group.ongoing === rec) group.ongoing = undefined;
    if (e.task !== undefined) remember(group.tasks, e.task);
    group.lastTask = e.task;
    rec.task = e.task;
  }

  warning(e: WarningEvent): void {
    this.version++;
    const site = this.tree.site(e.site);
    const message = clip(e.message, MAX_TEXT);
    const key = `${site ? `${site.file}\u0000${site.line}` : ''}\u0000${message}`;
    let group = this.warningGroups.get(key);
    if (!group) {
      if (this.warningGroups.size >= MAX_GROUPS) {
        this.overflow++;
        return;
      }
      group = {
        site,
        func: e.func ? this.tree.site(e.func) : null,
        category: clip(e.category, MAX_TEXT),
        message,
        kind: e.kind,
        count: 0,
        tasks: [],
        lastTask: undefined,
      };
      this.warningGroups.set(key, group);
    }
    group.count++;
    if (e.task !== undefined) remember(group.tasks, e.task);
    group.lastTask = e.task;
  }

  /** The run ended: nothing holds its loop any more. */
  runEnded(): void {
    for (const g of this.blockGroups.values()) g.ongoing = undefined;
    this.version++;
  }

  private blockGroup(site: Site | null, ts: number): BlockGroup | undefined {
    let group = this.blockGroups.get(site);
    if (!group) {
      if (this.blockGroups.size >= MAX_GROUPS) {
        this.overflow++;
        return undefined;
      }
      group = { site, count: 0, longest: 0, total: 0, ongoing: undefined, tasks: [], lastTask: undefined, lastTs: ts };
      this.blockGroups.set(site, group);
    }
    return group;
  }
}

/** Adds `id` as the latest of a bounded list of distinct ids. */
function remember(ids: number[], id: number): void {
  const at = ids.indexOf(id);
  if (at >= 0) ids.splice(at, 1);
  else if (ids.length >= MAX_TASKS) ids.shift();
  ids.push(id);
}
