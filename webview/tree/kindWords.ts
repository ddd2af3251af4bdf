// What the panel calls the things each async library makes (protocol 1.2):
// the library of a run, task groups by kind (a Trio nursery, an asyncio
// TaskGroup, an AnyIO task group), cancel scopes by what made them, why a
// task was cancelled (waitWords.ts), what a task was flagged for, and how a loose task came
// to be. One table per fact, so the tree, the hover card, the details and the
// legend say the same words. Plain strings: they go in as text.
import type { NurseryRow, Row, RunInfo, ScopeInfo, TaskRow } from '../../contract/rows';
import type { WireScopeKind, WireTaskFlag } from '../../contract/wire';

type GroupKind = NonNullable<NurseryRow['groupKind']> | 'nursery';

interface GroupWords {
  /** The kind in a sentence or a label (`TaskGroup`). */
  word: string;
  /** What the user opened, in code (`asyncio.TaskGroup()`). */
  code: string;
  /** The library it belongs to. */
  library: string;
}

const GROUPS: Record<GroupKind, GroupWords> = {
  nursery: { word: 'nursery', code: 'trio.open_nursery()', library: 'Trio' },
  taskgroup: { word: 'TaskGroup', code: 'asyncio.TaskGroup()', library: 'asyncio' },
  anyio: { word: 'task group', code: 'anyio.create_task_group()', library: 'AnyIO' },
};

/** Every kind of task group, in the order the legend lists them. */
export const GROUP_KINDS = Object.keys(GROUPS) as GroupKind[];

export const groupKindOf = (n: NurseryRow): GroupKind => n.groupKind ?? 'nursery';
export const groupCodeOfKind = (k: GroupKind): string => GROUPS[k].code;
/** `TaskGroup (asyncio)`. */
export const groupWithLibrary = (k: GroupKind): string => `${GROUPS[k].word} (${GROUPS[k].library})`;
/** `TaskGroup`, `task group`, `nursery`. */
export const groupWord = (n: NurseryRow): string => GROUPS[groupKindOf(n)].word;

/** The same word starting with a capital, for a title (`TaskGroup`, `Task group`, `Nursery`). */
export const groupTitle = (n: NurseryRow): string => {
  const w = groupWord(n);
  return w[0].toUpperCase() + w.slice(1);
};

const loopLibrary = (info: RunInfo): string => (info.library === 'asyncio' ? 'asyncio' : 'Trio');

/** Which library runs a run: `Trio`, `asyncio`, `AnyIO on asyncio`. */
export function libraryWords(info: RunInfo): string {
  const lib = loopLibrary(info);
  return info.anyio !== undefined ? `AnyIO on ${lib}` : lib;
}

/** The library a program is written against (`AnyIO`, else the loop's), whose own work Hide system hides. */
export const programLibrary = (info: RunInfo): string => (info.anyio !== undefined ? 'AnyIO' : loopLibrary(info));

/** What a run's task groups are called when no row says (`nursery`, `TaskGroup`, `task group`). */
export const runGroupWord = (info: RunInfo | undefined): string =>
  GROUPS[info?.anyio !== undefined ? 'anyio' : info?.library === 'asyncio' ? 'taskgroup' : 'nursery'].word;

const SCOPES: Record<WireScopeKind, string> = {
  cancel_scope: 'cancel scope',
  timeout: 'asyncio.timeout',
  wait_for: 'asyncio.wait_for',
  shield: 'asyncio.shield',
  anyio: 'AnyIO CancelScope',
};

/** `cancel scope`, `asyncio.timeout`: what made a scope of this kind (absent: Trio's). */
export const scopeKindWord = (kind: WireScopeKind | undefined): string => SCOPES[kind ?? 'cancel_scope'];
export const scopeWord = (s: ScopeInfo): string => scopeKindWord(s.kind);

/** What user code called to make a scope (`trio.move_on_after`), else what made it (`asyncio.timeout`, `cancel scope`). */
export const scopeMaker = (s: ScopeInfo): string =>
  s.call && (s.kind ?? 'cancel_scope') === 'cancel_scope' ? `trio.${s.call}` : scopeWord(s);

interface FlagWords {
  /** Short, beside the task in the tree. */
  badge: string;
  /** A sentence for the details and the hover card. */
  sentence: string;
}

const FLAGS: Record<WireTaskFlag, FlagWords> = {
  pending_at_close: { badge: 'pending at close', sentence: 'Still pending when the loop closed: it never finished.' },
  exception_never_retrieved: {
    badge: 'never retrieved',
    sentence: 'Exception never retrieved: nothing awaited the task or asked for its result.',
  },
};

export const flagBadge = (f: WireTaskFlag): string => FLAGS[f].badge;
export const flagSentence = (f: WireTaskFlag): string => FLAGS[f].sentence;

/** Every flag, in the order the legend lists them. */
export const FLAG_ORDER = Object.keys(FLAGS) as WireTaskFlag[];

/**
 * How a loose task came to be, in one sentence: `made by main outside any
 * task group (create_task, ensure_future, gather…): no task group owns it`.
 */
export function looseWords(t: TaskRow, rows: ReadonlyMap<number, Row>): string {
  const maker = t.parent !== null ? rows.get(t.parent) : undefined;
  const by = maker?.kind === 'task' ? `made by ${maker.name}` : 'made by a callback or a task no longer shown';
  return `Loose task: ${by} outside any task group (create_task, ensure_future, gather…); no task group owns it.`;
}

/** The call that opened a start() nursery: `tg.start()` for AnyIO, else `nursery.start()`. */
export const startWord = (n: NurseryRow): string => (n.groupKind === 'anyio' ? 'tg.start()' : 'nursery.start()');
