// How one node looks: the texts, the classes that colour it, its icon, its
// ARIA label. Computed from the row, never stored on it, so a delta that only
// changes a state repaints a few nodes without a relayout.
import type { LintMark, NurseryRow, Row, RunInfo, TaskRow, TaskState } from '../../contract/rows';
import { EXTRA_CHARS, NAME_CHARS } from './geometry';
import {
  awaitKey,
  awaitOnOf,
  baseName,
  count,
  displayName,
  formatRemaining,
  hiddenWords,
  moreWords,
  nextDeadline,
  runNow,
  siteWords,
  taskAria,
  taskExtra,
} from './labels';
import { flagBadge, groupWord, startWord } from './kindWords';
import { memberCounts, type ViewNode } from './model';
import { NURSERY_ICON, SHAPE } from './shapes';
import { DEBUG_ICON_ROOM, debugMarkOf, type DebugMark, type DebugPointers } from './debugLook';
import { MARK_ROOM, type Mark, type SitePalette } from './sitePalette';
import { inStateOrder, isDimmedState, isFinishedState, stateClass, stateIcon, stateWord } from './taskStates';
import { cutName, fitMiddle, fitSite } from './textFit';
import type { TextMeasure } from './textMeasure';

export interface Look {
  classes: string;
  shape: string;
  icon: string;
  name: string;
  extra: string;
  extraClass: string;
  badge: string;
  badgeClass: string;
  more: string;
  /** Shared by tasks waiting at the same place (sitePalette.ts); drawn before `extra`. */
  mark: Mark | null;
  /** Label width in px, from the label's start. */
  width: number;
  /** Width of the drawn name, in px (the mark and the extra follow it). */
  nameWidth: number;
  /** The room given was too small: part of the label was cut for lack of room, not for length. */
  cramped: boolean;
  aria: string;
  /** Fold: counts by state, in display order. */
  histogram: Array<[TaskState, number]> | null;
  /** Drawn muted, with the links to it (a task that ended quietly, a closed nursery). */
  faded: boolean;
  /** A countdown is shown: repaint it while the run is live. */
  ticking: boolean;
  /** The debugger points here (debugLook.ts): the badge starts with its words, after its icon at `debugX`. */
  debug: DebugMark | null;
  debugX: number;
}

export interface Measures {
  name: TextMeasure;
  /** Names drawn bold (the main task, search matches). */
  nameBold: TextMeasure;
  code: TextMeasure;
  small: TextMeasure;
  /** Error types, counts, `+N`. */
  smallBold: TextMeasure;
}

/** What a look is computed from, besides the node and the room it gets. */
export interface LookContext {
  rows: ReadonlyMap<number, Row>;
  info: RunInfo;
  measures: Measures;
  wallNow: number;
  palette: SitePalette;
  /** What the debugger points at in this run. */
  debug?: DebugPointers;
}

export const HISTOGRAM_WIDTH = 44;
export const GAP = 6;

/** The most a name may take: about NAME_CHARS characters. */
/** Site text is drawn in the editor font, other dim text in the UI font (styles.css). */
export const extraMeasure = (m: Measures, extraClass: string): TextMeasure =>
  extraClass === 'site' ? m.code : extraClass === 'error' || extraClass === 'count' ? m.smallBold : m.small;

const nameCap = (m: Measures): number => m.name.width('x'.repeat(NAME_CHARS));
const extraCap = (m: Measures): number => m.code.width('x'.repeat(EXTRA_CHARS));

/**
 * The look of `node` with `room` px for its label (the layout gives each
 * column the room its widest label wants; Infinity asks what a label wants).
 */
export function lookOf(node: ViewNode, c: LookContext, room: number): Look {
  const { rows, measures: m } = c;
  const look = blankLook(node);
  if (node.match) look.classes += ' match';
  if ((node.hiddenChildren > 0 || node.hidden) && node.kind !== 'fold')
    look.more = node.hidden ? hiddenWords(node.hidden) : `+${node.hiddenChildren}`;
  if (node.kind === 'more' && node.more) return moreLook(look, node.more, m);
  if (node.kind === 'fold') return foldLook(look, node, c, room);

  const row = rows.get(node.id);
  if (!row) {
    // Removed by the host; the next rebuild drops the node.
    look.classes += ' gone';
    look.aria = 'removed';
    return look;
  }
  if (row.kind === 'retired') {
    look.name = `${row.count} finished (folded)`;
    look.width = look.nameWidth = m.name.width(look.name);
    look.aria = `${count(row.count, 'finished task', 'finished tasks')} folded away: ${inStateOrder(row.byOutcome)
      .map(([s, c]) => `${c} ${stateWord(s)}`)
      .join(', ')}`;
    return look;
  }
  if (row.kind === 'nursery') return nurseryLook(look, row, m, room);
  return taskLook(look, row, c, room, node.match);
}

function blankLook(node: ViewNode): Look {
  return {
    classes: `node ${node.kind}`,
    shape: SHAPE[node.kind],
    icon: '',
    name: '',
    extra: '',
    extraClass: '',
    badge: '',
    badgeClass: '',
    more: '',
    mark: null,
    width: 0,
    nameWidth: 0,
    cramped: false,
    aria: '',
    histogram: null,
    faded: false,
    ticking: false,
    debug: null,
    debugX: 0,
  };
}

/** A "show more" node: what it shows, and how many are left. */
function moreLook(look: Look, more: NonNullable<ViewNode['more']>, m: Measures): Look {
  const [name, left] = moreWords(more);
  look.name = name;
  look.extra = `(${left})`;
  look.extraClass = 'count';
  look.nameWidth = m.name.width(name);
  look.width = look.nameWidth + GAP + m.smallBold.width(look.extra);
  look.aria = `show ${name.replace('…', '')}, ${left}`;
  return look;
}

/** A fold of tasks of one kind: its name, its count and its histogram of states. */
function foldLook(look: Look, node: ViewNode, c: LookContext, room: number): Look {
  const { rows, measures: m } = c;
  look.histogram = inStateOrder(memberCounts(node, rows));
  const n = node.members?.length ?? 0;
  look.extra = `×${n.toLocaleString('en-US')}`;
  look.extraClass = 'count';
  const nm = node.match ? m.nameBold : m.name;
  const nameRoom = Math.min(nameCap(m), room - HISTOGRAM_WIDTH - GAP * 2 - m.smallBold.width(look.extra));
  look.name = cutName(nm, node.name ?? '', nameRoom);
  look.cramped = nameRoom < nameCap(m) && look.name !== cutName(nm, node.name ?? '', nameCap(m));
  look.classes += node.children.length ? ' unfolded' : ' folded';
  look.nameWidth = nm.width(look.name);
  look.width = look.nameWidth + GAP + m.smallBold.width(look.extra) + GAP + HISTOGRAM_WIDTH;
  const parts = look.histogram.map(([s, c]) => `${c} ${stateWord(s)}`).join(', ');
  look.aria = `${node.name ?? ''} ×${n.toLocaleString('en-US')}, tasks of one kind, ${node.children.length ? 'unfolded' : 'folded'}: ${parts}`;
  return look;
}

function nurseryLook(look: Look, row: NurseryRow, m: Measures, room: number): Look {
  look.icon = NURSERY_ICON;
  if (row.system) look.classes += ' system';
  if (row.closedAt !== undefined && row.closedAt !== null) {
    look.classes += ' closed';
    look.faded = true;
  }
  // The square already says "nursery": the label says where it was opened,
  // and what it is when it is not a Trio nursery (an asyncio TaskGroup, an AnyIO task group).
  const kind = row.start ? 'start()' : row.system ? 'system' : row.groupKind ? groupWord(row) : '';
  if (row.groupKind) look.classes += ` group-${row.groupKind}`;
  look.name = kind;
  look.extra = row.site
    ? fitSite(m.code, row.site.file, row.site.line, Math.min(extraCap(m), room - (kind ? m.name.width(kind) + GAP : 0)))
    : kind
      ? ''
      : 'nursery';
  look.extraClass = 'site';
  look.nameWidth = kind ? m.name.width(kind) : 0;
  look.width = look.nameWidth + (look.extra ? (kind ? GAP : 0) + m.code.width(look.extra) : 0);
  look.aria = `${row.start ? `${startWord(row)} ${groupWord(row)}` : row.system ? `system ${groupWord(row)}` : groupWord(row)}${row.site ? ` at ${baseName(row.site.file)} line ${row.site.line}` : ''}${look.classes.includes('closed') ? ', closed' : ''}`;
  if (row.lints?.length) {
    // A lint on the group (a runaway nursery): its badge after the site.
    look.badge = lintBadges(row.lints).join(' · ');
    look.badgeClass = 'flag';
    look.classes += ' linted';
    look.width += GAP + m.small.width(look.badge);
    look.aria += row.lints.map((l) => `, ${l.badge}`).join('');
  }
  if (look.more) look.width += GAP + m.smallBold.width(look.more);
  return look;
}

/**
 * The words after a task's name: its error's type, where it waits, or what
 * cancelled it: the task whose failure did (`← load(stock)`) or a deadline
 * that passed (a timeout, move_on_after). The layout's first guess at a
 * label's length counts them too (shownTree.ts).
 */
export function extraWords(t: TaskRow, rows: ReadonlyMap<number, Row>): ExtraWords {
  const cause = t.state === 'cancelled' && t.cancelledBy !== undefined ? rows.get(t.cancelledBy) : undefined;
  if (cause?.kind === 'task')
    return { text: `← ${displayName(cause.name)}`, cls: 'cause', aria: `, cancelled by ${cause.name}` };
  if (t.state === 'cancelled' && t.cancelSource === 'deadline')
    return { text: '← deadline', cls: 'cause', aria: ', cancelled by a deadline' };
  return { text: taskExtra(t), cls: t.state === 'raised' ? 'error' : 'site', aria: '' };
}

interface ExtraWords {
  text: string;
  cls: 'error' | 'site' | 'cause';
  /** What cancelled it, for screen readers (the rest is in taskAria). */
  aria: string;
}

function taskLook(look: Look, t: TaskRow, c: LookContext, room: number, match: boolean): Look {
  const { rows, measures: m } = c;
  look.classes += ` ${stateClass(t.state)}`;
  look.faded = isDimmedState(t.state);
  if (t.system) look.classes += ' system';
  if (t.main) look.classes += ' main';
  if (t.starting) look.classes += ' starting';
  if (t.loose) look.classes += ' loose';
  if (t.flags?.length) look.classes += ' flagged';
  look.icon = stateIcon(t.state);
  const said = extraWords(t, rows);
  const extra = said.text;
  look.extraClass = said.cls;
  const key = extra ? awaitKey(t) : null;
  if (key) look.mark = c.palette.markOf(key);
  const markW = look.mark ? MARK_ROOM : 0;
  const { badges, dl, shielded } = taskBadges(look, t, c);
  look.badge = badges.join(' · ');
  const badgeW = look.badge
    ? GAP + (look.debug ? m.smallBold.width(look.badge) + DEBUG_ICON_ROOM : m.small.width(look.badge))
    : 0;
  const moreW = look.more ? GAP + m.smallBold.width(look.more) : 0;
  const xm = extraMeasure(m, look.extraClass);
  const xCap = extraCap(m);
  // Short of room, an await label first drops its file (`http.py › read:120` →
  // `read:120`; the file is in the hover card), then loses its middle so
  // `page_size:53` keeps its line and `CapacityLimiter.acquire` its method.
  const short = look.extraClass === 'site' && t.awaitSite && !awaitOnOf(t) ? siteWords(t.awaitSite) : extra;
  const fitExtra = (max: number): string => (xm.width(extra) <= max ? extra : fitMiddle(xm, short, max, 0.6));
  const extraAtCap = extra ? fitExtra(xCap) : '';
  const extraFull = extra ? GAP + markW + xm.width(extraAtCap) : 0;
  // The name gets its ~40 characters unless the room is short; then the
  // extra keeps at most about half of what is left.
  const nCap = nameCap(m);
  const nameRoom = Math.min(nCap, Math.max(48, room - badgeW - moreW - Math.min(extraFull, room * 0.45)));
  const nm = t.main || match ? m.nameBold : m.name;
  look.name = cutName(nm, t.name, nameRoom);
  if (nameRoom < nCap && look.name !== cutName(nm, t.name, nCap)) look.cramped = true;
  look.nameWidth = nm.width(look.name);
  const extraRoom = Math.min(xCap, room - look.nameWidth - badgeW - moreW - GAP - markW);
  look.extra = !extra ? '' : extraRoom >= xCap ? extraAtCap : fitExtra(extraRoom);
  if (extra && look.extra !== extraAtCap) look.cramped = true;
  if (look.extra === '…' || look.extra === '') {
    look.extra = '';
    look.mark = null;
  }
  const beforeBadge = look.nameWidth + (look.extra ? GAP + (look.mark ? MARK_ROOM : 0) + xm.width(look.extra) : 0);
  look.width = beforeBadge + badgeW + moreW;
  look.debugX = beforeBadge + GAP + DEBUG_ICON_ROOM / 2;
  look.aria =
    taskAria(t) +
    said.aria +
    (dl ? deadlineAria(badges[badges.length - (shielded ? 2 : 1)]) : '') +
    (t.loose ? ', loose (owned by no task group)' : '') +
    (t.flags ?? []).map((f) => `, ${flagBadge(f)}`).join('') +
    (t.lints ?? []).map((l) => `, ${l.badge}`).join('') +
    (look.debug ? `, ${look.debug.words}` : '');
  return look;
}

/**
 * A task's badges, in order: where the debugger points, what the runtime
 * flagged (pending when the loop closed, an exception nobody retrieved), its
 * lints (the loop held, a coroutine never awaited, a start() not started…),
 * its next deadline, shielded. Each may set the classes and the badge's class.
 */
function taskBadges(
  look: Look,
  t: TaskRow,
  c: LookContext,
): { badges: string[]; dl: ReturnType<typeof nextDeadline>; shielded: boolean } {
  const { info } = c;
  const live = !isFinishedState(t.state);
  const dl = live ? nextDeadline(t.scopes) : null;
  const shielded = live && t.scopes.some((s) => s.shield);
  const badges: string[] = [];
  look.debug = debugMarkOf(t.id, c.debug);
  if (look.debug) {
    badges.push(look.debug.words);
    look.classes += ` ${look.debug.kind}`;
    look.badgeClass = look.debug.kind;
  }
  for (const f of t.flags ?? []) badges.push(`⚠ ${flagBadge(f)}`);
  if (t.flags?.length) look.badgeClass ||= 'flag';
  if (t.lints?.length) {
    badges.push(...lintBadges(t.lints));
    look.classes += ' linted';
    look.badgeClass ||= 'flag';
  }
  if (dl) {
    badges.push(formatRemaining((dl.deadline as number) - runNow(info, c.wallNow)));
    look.ticking = info.status === 'live' && info.at === undefined;
    look.badgeClass ||= 'deadline';
  }
  if (shielded) {
    badges.push('shielded');
    look.classes += ' shielded';
    look.badgeClass ||= 'shield';
  }
  return { badges, dl, shielded };
}

/** The deadline in a task's label for screen readers: `, deadline in 2.4s`, or `, deadline passed`. */
const deadlineAria = (left: string): string => (left === 'expired' ? ', deadline passed' : `, deadline in ${left}`);

/** A row's lints beside it: `⚠ blocked the loop 420 ms`. */
const lintBadges = (lints: readonly LintMark[]): string[] => lints.map((l) => `⚠ ${l.badge}`);
