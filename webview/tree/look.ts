// How one node looks: the texts, the classes that colour it, its icon, its
// ARIA label. Computed from the row, never stored on it, so a delta that only
// changes a state repaints a few nodes without a relayout.
import type { Row, RunInfo, TaskRow, TaskState } from '../../extension/store/rows';
import { labelRoom } from './geometry';
import { baseName, displayName, formatRemaining, nextDeadline, runNow, STATE_WORD, taskAria, taskExtra } from './labels';
import type { ViewNode } from './model';
import { NURSERY_ICON, SHAPE, STATE_ICON } from './shapes';
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
  /** Label width in px, from the label's start. */
  width: number;
  aria: string;
  /** Fold: counts by state, in display order. */
  histogram: Array<[TaskState, number]> | null;
  /** A countdown is shown: repaint it while the run is live. */
  ticking: boolean;
}

export interface Measures {
  name: TextMeasure;
  code: TextMeasure;
  small: TextMeasure;
}

const HIST_ORDER: TaskState[] = ['running', 'scheduled', 'waiting', 'returned', 'raised', 'cancelled', 'lost'];
export const HISTOGRAM_WIDTH = 44;
const GAP = 6;

export function lookOf(node: ViewNode, rows: ReadonlyMap<number, Row>, info: RunInfo, m: Measures, wallNow: number): Look {
  const look: Look = {
    classes: `node ${node.kind}`, shape: SHAPE[node.kind], icon: '', name: '', extra: '', extraClass: '',
    badge: '', badgeClass: '', more: '', width: 0, aria: '', histogram: null, ticking: false,
  };
  if (node.match) look.classes += ' match';
  if (node.hiddenChildren > 0 && node.kind !== 'fold') look.more = `+${node.hiddenChildren}`;
  const room = labelRoom(node.kind);

  if (node.kind === 'fold') {
    const counts = new Map<TaskState, number>();
    for (const id of node.members ?? []) {
      const t = rows.get(id);
      if (t?.kind === 'task') counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    }
    look.histogram = HIST_ORDER.filter((s) => counts.has(s)).map((s) => [s, counts.get(s)!]);
    const n = node.members?.length ?? 0;
    look.extra = `×${n}`;
    look.extraClass = 'count';
    look.name = m.name.fit(displayName(node.name ?? ''), room - HISTOGRAM_WIDTH - GAP * 2 - m.small.width(look.extra));
    look.classes += node.children.length ? ' unfolded' : ' folded';
    look.width = m.name.width(look.name) + GAP + m.small.width(look.extra) + GAP + HISTOGRAM_WIDTH;
    const parts = look.histogram.map(([s, c]) => `${c} ${STATE_WORD[s]}`).join(', ');
    look.aria = `${n} tasks named ${node.name ?? ''}, ${node.children.length ? 'unfolded' : 'folded'}: ${parts}`;
    return look;
  }

  const row = rows.get(node.id);
  if (!row) {
    // Removed by the host; the next rebuild drops the node.
    look.classes += ' gone';
    look.aria = 'removed';
    return look;
  }
  if (row.kind === 'retired') {
    look.name = `${row.count} finished (folded)`;
    look.width = m.name.width(look.name);
    const parts = (Object.entries(row.byOutcome) as Array<[TaskState, number]>).filter(([, c]) => c > 0);
    look.aria = `${row.count} finished tasks folded away: ${parts.map(([s, c]) => `${c} ${s}`).join(', ')}`;
    return look;
  }
  if (row.kind === 'nursery') {
    look.icon = NURSERY_ICON;
    if (row.system) look.classes += ' system';
    if (row.closedAt !== undefined && row.closedAt !== null) look.classes += ' closed';
    // The square already says "nursery": the label says where it was opened.
    const kind = row.start ? 'start()' : row.system ? 'system' : '';
    look.name = kind;
    look.extra = row.site ? fitSite(m, row.site.file, row.site.line, room - (kind ? m.name.width(kind) + GAP : 0)) : kind ? '' : 'nursery';
    look.extraClass = 'site';
    look.width = (kind ? m.name.width(kind) : 0) + (look.extra ? (kind ? GAP : 0) + m.code.width(look.extra) : 0);
    look.aria = `${row.start ? 'nursery.start() nursery' : row.system ? 'system nursery' : 'nursery'}${row.site ? ` at ${baseName(row.site.file)} line ${row.site.line}` : ''}${look.classes.includes('closed') ? ', closed' : ''}`;
    if (look.more) look.width += GAP + m.small.width(look.more);
    return look;
  }
  return taskLook(look, row, rows, info, m, wallNow, room);
}

/** `file.py:12` in `max` px, cutting the middle of the file name so the line number stays. */
function fitSite(m: Measures, file: string, line: number, max: number): string {
  const full = `${baseName(file)}:${line}`;
  if (m.code.width(full) <= max) return full;
  const tail = `…:${line}`;
  const stem = m.code.fit(baseName(file), max - m.code.width(tail) + m.code.width('…'));
  return stem.endsWith('…') ? stem.slice(0, -1) + tail : stem + tail.slice(1);
}

function taskLook(look: Look, t: TaskRow, rows: ReadonlyMap<number, Row>, info: RunInfo, m: Measures, wallNow: number, room: number): Look {
  look.classes += ` s-${t.state}`;
  if (t.system) look.classes += ' system';
  if (t.main) look.classes += ' main';
  if (t.starting) look.classes += ' starting';
  look.icon = STATE_ICON[t.state];
  let extra = taskExtra(t);
  look.extraClass = t.state === 'raised' ? 'error' : 'site';
  // A cancelled task names the task whose failure cancelled it.
  const cause = t.state === 'cancelled' && t.cancelledBy !== undefined ? rows.get(t.cancelledBy) : undefined;
  if (cause?.kind === 'task') {
    extra = `← ${displayName(cause.name)}`;
    look.extraClass = 'cause';
  }
  const live = t.state === 'running' || t.state === 'scheduled' || t.state === 'waiting';
  const dl = live ? nextDeadline(t.scopes) : null;
  const shielded = live && t.scopes.some((s) => s.shield);
  const badges: string[] = [];
  if (dl) {
    badges.push(formatRemaining((dl.deadline as number) - runNow(info, wallNow)));
    look.ticking = info.status === 'live';
    look.badgeClass = 'deadline';
  }
  if (shielded) {
    badges.push('shielded');
    look.classes += ' shielded';
    if (!dl) look.badgeClass = 'shield';
  }
  look.badge = badges.join(' · ');
  const badgeW = look.badge ? GAP + m.small.width(look.badge) : 0;
  const moreW = look.more ? GAP + m.small.width(look.more) : 0;
  const extraFull = extra ? GAP + m.code.width(extra) : 0;
  const nameRoom = Math.max(48, room - badgeW - moreW - Math.min(extraFull, room * 0.45));
  look.name = m.name.fit(displayName(t.name), nameRoom);
  const nameW = m.name.width(look.name);
  const extraRoom = room - nameW - badgeW - moreW - GAP;
  look.extra = !extra ? '' : t.state === 'waiting' && t.awaitSite ? fitSite(m, t.awaitSite.file, t.awaitSite.line, extraRoom) : m.code.fit(extra, extraRoom);
  if (look.extra === '…') look.extra = '';
  look.width = nameW + (look.extra ? GAP + m.code.width(look.extra) : 0) + badgeW + moreW;
  look.aria = taskAria(t) + (cause?.kind === 'task' ? `, cancelled by ${cause.name}` : '') + (dl ? `, deadline in ${look.badge.split(' · ')[0]}` : '');
  return look;
}
