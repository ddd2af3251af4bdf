// The details pane of the selected node. Rebuilt only when the selected row
// (or the run's status) changes; countdowns tick in place so focus stays put.
import type { WebviewMessage } from '../../contract/messages';
import type { Row, RunInfo, Site, TaskState } from '../../contract/rows';
import { h, taskStateIcon } from '../elements';
import { foldBody, moreBody, refreshFoldCounts } from './foldDetails';
import {
  baseName,
  displayName,
  formatDuration,
  formatRemaining,
  runNow,
  shortSite,
  siteWords,
  wakeWords,
} from './labels';
import { waitSig } from './waitDetails';
import type { ViewNode } from './model';
import { visible } from './programText';
import type { SitePalette } from './sitePalette';
import { debugMarkOf, type DebugPointers } from './debugLook';
import { nurseryBody, retiredBody, taskBody, type RowLinks } from './rowDetails';

export interface DetailsContext {
  rows: ReadonlyMap<number, Row>;
  info: RunInfo;
  node: ViewNode | null;
  /** Tasks whose cancellation this task's failure caused. */
  victims: number[];
  post: (m: WebviewMessage) => void;
  select: (id: number) => void;
  toggle: (key: string) => void;
  /** A "more…" node (or a fold's): one page more. */
  showMore: (key: string) => void;
  /** Show the node as the root of the view. */
  focus: (key: string) => void;
  close: () => void;
  /** The tree's await-site marks, shown again beside the await site. */
  palette: SitePalette;
  /** What the debugger points at in this run. */
  debug?: DebugPointers;
}

interface Tick {
  el: HTMLElement;
  deadline: number;
  /** Counts up from `deadline` (a time since) instead of down to it. */
  up?: true;
  /** A deadline that wakes a wait, in a sentence (wakeWords), not "9.1s" / "expired". */
  inWords?: boolean;
}

/** A fold's counts repaint at most this often, in ms. */
const FOLD_REPAINT_MS = 250;

export class DetailsPane {
  private sig: unknown[] = [];
  private paintedAt = 0;
  /** An update was put off (a fold's counts): the pane wants another look soon. */
  pending = false;
  private ticks: Tick[] = [];
  private readonly foldStates = new MemberStates();

  constructor(readonly el: HTMLElement) {}

  update(c: DetailsContext): void {
    const row = c.node ? c.rows.get(c.node.id) : undefined;
    const sig = [
      c.node?.key,
      c.node?.kind === 'fold' ? this.foldStates.generation(c.node.members ?? [], c.rows) : row,
      c.info.status,
      c.victims.length,
      c.node?.children.length,
      c.node?.more?.left,
      c.node ? debugMarkOf(c.node.id, c.debug)?.kind : null,
      c.debug?.reason,
      row?.kind === 'task' ? waitSig(c.rows, row) : '',
    ];
    if (sig.length === this.sig.length && sig.every((v, i) => v === this.sig[i])) {
      this.tick(c.info);
      this.pending = false;
      return;
    }
    // A fold's counts change with every state sample of its members: repainted a few times a second.
    const onlyCounts = c.node?.kind === 'fold' && sig.every((v, i) => i === 1 || v === this.sig[i]);
    const now = performance.now();
    this.pending = onlyCounts && now - this.paintedAt < FOLD_REPAINT_MS;
    if (this.pending) return;
    this.paintedAt = now;
    this.sig = sig;
    if (onlyCounts && c.node && refreshFoldCounts(this.el, c.node, c.rows)) return;
    const focused =
      document.activeElement instanceof HTMLElement && this.el.contains(document.activeElement)
        ? document.activeElement.dataset.action
        : undefined;
    this.ticks = [];
    this.el.replaceChildren();
    this.el.hidden = !c.node;
    if (!c.node) return;
    const close = h(
      'button',
      { class: 'icon-button close', title: 'Close details', 'aria-label': 'Close details', 'data-action': 'close' },
      '×',
    );
    close.addEventListener('click', c.close);
    const node = c.node;
    const body =
      node.kind === 'fold'
        ? foldBody(node, c.rows, c)
        : node.kind === 'more'
          ? moreBody(node, c)
          : row?.kind === 'task'
            ? taskBody(row, this.links(c), c)
            : row?.kind === 'nursery'
              ? nurseryBody(row, this.links(c))
              : row?.kind === 'retired'
                ? retiredBody(row)
                : [h('p', {}, 'This node is gone.')];
    const focus =
      node.kind === 'more' || node.kind === 'retired'
        ? null
        : h(
            'button',
            {
              class: 'button secondary focus-button',
              type: 'button',
              'data-action': 'focus',
              title: 'Show only this node and what is below it (Z); the bar above the tree leads back',
            },
            'Focus',
          );
    focus?.addEventListener('click', () => c.focus(node.key));
    // Drawn at the top, Focus left of Close (styles.css): after the title in the text, and in the
    // tab order as seen, before the body's links.
    this.el.append(...body);
    const controls = [...(focus ? [focus] : []), close];
    const title = this.el.querySelector('h2.title');
    if (title) title.after(...controls);
    else this.el.prepend(...controls);
    this.tick(c.info);
    if (focused) this.el.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
  }

  /** Repaint countdowns only. */
  tick(info: RunInfo): void {
    const now = runNow(info, Date.now());
    for (const t of this.ticks)
      t.el.textContent = t.up
        ? formatDuration(Math.max(0, now - t.deadline))
        : t.inWords
          ? wakeWords(t.deadline, now)
          : formatRemaining(t.deadline - now);
  }

  private siteButton(
    c: DetailsContext,
    label: string,
    site: Site | null,
    action: string,
    mark?: Node | null,
    none = 'unknown',
  ): HTMLElement {
    if (!site) return h('span', { class: 'muted' }, none);
    // `page_size:53 · trio_way.py`: function and line first, as in the tree; the full path on hover.
    const words = siteWords(site);
    const code = h(
      'code',
      { title: `${visible(site.file)}:${site.line}` },
      mark ?? null,
      words,
      words !== shortSite(site) ? h('span', { class: 'muted' }, ` · ${baseName(site.file)}`) : null,
    );
    const b = h('button', { class: 'link-button', 'data-action': action }, label);
    b.addEventListener('click', () => c.post({ type: 'openSite', file: site.file, line: site.line }));
    return h('span', { class: 'site-line' }, code, b);
  }

  private taskLink(c: DetailsContext, id: number): HTMLElement {
    const r = c.rows.get(id);
    const name = r?.kind === 'task' ? r.name : `#${id}`;
    // The name the tree shows (`main` for `__main__.main`); the whole one on hover.
    const b = h(
      'button',
      { class: 'link-button task-link', 'data-action': `select-${id}`, title: name },
      r?.kind === 'task' ? taskStateIcon(r.state) : null,
      displayName(name),
    );
    b.addEventListener('click', () => c.select(id));
    return b;
  }

  /** What the bodies need of the pane: links, and countdowns that tick with the others. */
  private links(c: DetailsContext): RowLinks {
    return {
      rows: c.rows,
      info: c.info,
      post: c.post,
      task: (id) => this.taskLink(c, id),
      siteLine: (label, site, action, mark, none) => this.siteButton(c, label, site, action, mark, none),
      site: (label, site, action) => {
        const b = h(
          'button',
          { class: 'link-button', 'data-action': action, title: `${label}: ${site.file}:${site.line}` },
          siteWords(site),
        );
        b.addEventListener('click', () => c.post({ type: 'openSite', file: site.file, line: site.line }));
        return b;
      },
      countdown: (deadline, inWords) => {
        const span = h('span', { class: 'countdown' });
        this.ticks.push({ el: span, deadline, inWords });
        return span;
      },
      elapsed: (since) => {
        const span = h('span', { class: 'elapsed' });
        this.ticks.push({ el: span, deadline: since, up: true });
        return span;
      },
    };
  }
}

/**
 * The states of a fold's members, and a number that changes when one does: a
 * frame that changed none of them (most frames) compares them in place,
 * without building a string of a fold's thousands of states.
 */
class MemberStates {
  private members: readonly number[] = [];
  private states: Array<TaskState | undefined> = [];
  private count = 0;

  generation(members: readonly number[], rows: ReadonlyMap<number, Row>): number {
    if (!this.same(members, rows)) {
      this.states = members.map((id) => stateOf(rows.get(id)));
      this.count++;
    }
    this.members = members; // the same ids in a rebuilt array: compared by reference next time
    return this.count;
  }

  private same(members: readonly number[], rows: ReadonlyMap<number, Row>): boolean {
    if (members.length !== this.states.length) return false;
    const sameIds = members === this.members;
    for (let i = 0; i < members.length; i++) {
      if (!sameIds && members[i] !== this.members[i]) return false;
      if (stateOf(rows.get(members[i])) !== this.states[i]) return false;
    }
    return true;
  }
}

const stateOf = (r: Row | undefined): TaskState | undefined => (r?.kind === 'task' ? r.state : undefined);
