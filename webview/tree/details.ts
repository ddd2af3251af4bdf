// The details pane of the selected node. Rebuilt only when the selected row
// (or the run's status) changes; countdowns tick in place so focus stays put.
import type { WebviewMessage } from '../../contract/messages';
import type {
  ErrorInfo,
  LintMark,
  NurseryRow,
  Row,
  RunInfo,
  ScopeInfo,
  Site,
  TaskRow,
  TaskState,
} from '../../contract/rows';
import { h, icon, nurseryIcon, taskStateIcon } from '../elements';
import { foldBody, histogramList, moreBody, refreshFoldCounts } from './foldDetails';
import { awaitKey, baseName, errorLine, formatDuration, formatRemaining, runNow, shortSite, siteWords } from './labels';
import {
  flagSentence,
  groupCodeOfKind,
  groupKindOf,
  groupTitle,
  groupWord,
  looseWords,
  scopeMaker,
  startWord,
} from './kindWords';
import { cancelItem, scopeCauseParts, waitItems, waitSig, type PaneLinks } from './waitDetails';
import type { ViewNode } from './model';
import { visible } from './programText';
import type { SitePalette } from './sitePalette';
import { awaitChainList } from './awaitChain';
import { debugMarkOf, STACK_FRAME_ARROW, type DebugPointers } from './debugLook';
import { countStates, isFinishedState, stateClass, stateWord } from './taskStates';

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
}

/** A fold's counts repaint at most this often, in ms. */
const FOLD_REPAINT_MS = 250;

export class DetailsPane {
  private sig: unknown[] = [];
  private paintedAt = 0;
  /** An update was put off (a fold's counts): the pane wants another look soon. */
  pending = false;
  private ticks: Tick[] = [];

  constructor(readonly el: HTMLElement) {}

  update(c: DetailsContext): void {
    const row = c.node ? c.rows.get(c.node.id) : undefined;
    const sig = [
      c.node?.key,
      c.node?.kind === 'fold'
        ? (c.node.members ?? [])
            .map((id) => {
              const r = c.rows.get(id);
              return r?.kind === 'task' ? r.state[0] : '-';
            })
            .join('')
        : row,
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
            ? this.task(c, row)
            : row?.kind === 'nursery'
              ? this.nursery(c, row)
              : row?.kind === 'retired'
                ? this.retired(row)
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
    // Drawn at the top beside Close (styles.css); last in the pane's text and tab order.
    this.el.append(close, ...body, ...(focus ? [focus] : []));
    this.tick(c.info);
    if (focused) this.el.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
  }

  /** Repaint countdowns only. */
  tick(info: RunInfo): void {
    const now = runNow(info, Date.now());
    for (const t of this.ticks)
      t.el.textContent = t.up ? formatDuration(Math.max(0, now - t.deadline)) : formatRemaining(t.deadline - now);
  }

  private siteButton(
    c: DetailsContext,
    label: string,
    site: Site | null,
    action: string,
    mark?: Node | null,
  ): HTMLElement {
    if (!site) return h('span', { class: 'muted' }, 'unknown');
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
    const b = h(
      'button',
      { class: 'link-button task-link', 'data-action': `select-${id}` },
      r?.kind === 'task' ? taskStateIcon(r.state) : null,
      name,
    );
    b.addEventListener('click', () => c.select(id));
    return b;
  }

  /** What waitDetails.ts needs of the pane: links, and countdowns that tick with the others. */
  private links(c: DetailsContext): PaneLinks {
    return {
      rows: c.rows,
      info: c.info,
      task: (id) => this.taskLink(c, id),
      site: (label, site, action) => {
        const b = h(
          'button',
          { class: 'link-button', 'data-action': action, title: `${label}: ${site.file}:${site.line}` },
          siteWords(site),
        );
        b.addEventListener('click', () => c.post({ type: 'openSite', file: site.file, line: site.line }));
        return b;
      },
      countdown: (deadline) => {
        const span = h('span', { class: 'countdown' });
        this.ticks.push({ el: span, deadline });
        return span;
      },
      elapsed: (since) => {
        const span = h('span', { class: 'elapsed' });
        this.ticks.push({ el: span, deadline: since, up: true });
        return span;
      },
    };
  }

  private task(c: DetailsContext, t: TaskRow): HTMLElement[] {
    const out: HTMLElement[] = [];
    const tags = [
      t.main ? 'main task' : null,
      t.system ? 'system task' : null,
      t.loose ? 'loose task' : null,
      t.starting ? 'starting (in start())' : null,
    ]
      .filter(Boolean)
      .join(' · ');
    out.push(h('h2', { class: 'title' }, taskStateIcon(t.state), h('span', { class: 'title-text' }, t.name)));
    const pointer = debugMarkOf(t.id, c.debug);
    if (pointer) {
      const why =
        pointer.kind === 'paused'
          ? `Paused here${c.debug?.reason ? ` (${c.debug.reason})` : ''}: the debugger stopped in this task.`
          : 'Owns the frame selected in the Call Stack.';
      out.push(
        h('p', { class: `debug-note ${pointer.kind}` }, icon(STACK_FRAME_ARROW, `debug-mark ${pointer.kind}`), why),
      );
    }
    if (t.loose) out.push(h('p', { class: 'loose-note muted' }, looseWords(t, c.rows)));
    for (const f of t.flags ?? []) out.push(h('p', { class: 'flag-note', 'data-flag': f }, flagSentence(f)));
    out.push(...lintNotes(t.lints));
    const dl = h('dl', {});
    const item = (k: string, ...v: Array<Node | string | null>): void => {
      dl.append(h('dt', {}, k), h('dd', {}, ...v));
    };
    // A task still pending when its loop closed is not live any more, though it never finished.
    const pending = t.flags?.includes('pending_at_close') ?? false;
    const live = !isFinishedState(t.state) && !pending;
    const links = this.links(c);
    item(
      'State',
      h('span', { class: `state-word ${stateClass(t.state)}` }, stateWord(t.state)),
      live
        ? h('span', {}, ' for ', links.elapsed(t.since))
        : h(
            'span',
            { class: 'muted' },
            pending ? ' when the loop closed; it never finished' : ` at ${formatDuration(t.since)} into the run`,
          ),
    );
    item(
      'Lifetime',
      `spawned ${formatDuration(t.spawnedAt)} into the run`,
      t.exitedAt !== undefined ? `, ran ${formatDuration(t.exitedAt - t.spawnedAt)}` : '',
    );
    item('Id', `#${t.id}`, tags ? h('span', { class: 'muted' }, ` · ${tags}`) : null);
    // asyncio named it Task-N; the tree shows its coroutine instead, as Trio names a task
    if (t.defaultName !== undefined) item('asyncio name', h('code', {}, t.defaultName));
    item('Spawned', this.siteButton(c, 'Go to spawn site', t.site, 'spawn'));
    for (const [k, ...v] of waitItems(t, links)) item(k, ...v);
    const key = awaitKey(t);
    const mark = key ? c.palette.markOf(key) : null;
    const swatch = mark ? icon(mark.shape, `site-mark tint-${mark.tint}`) : null;
    if (swatch) swatch.setAttribute('aria-hidden', 'true');
    if (live || t.awaitSite)
      item(
        t.state === 'waiting' ? 'Waits at' : 'Last await',
        this.siteButton(c, 'Go to await site', t.awaitSite, 'await', swatch),
      );
    const chain = awaitChainList(t, c.rows, c.post);
    if (chain) item('Await chain', chain);
    if (t.error) item('Error', errorBlock(t.error));
    if (t.unretrieved && !t.error) item('Never retrieved', errorBlock(t.unretrieved));
    if (t.state === 'cancelled') item(...cancelItem(t, links));
    if (c.victims.length) {
      const list = h('ul', { class: 'victims' });
      for (const v of c.victims.slice(0, 50)) list.append(h('li', {}, this.taskLink(c, v)));
      if (c.victims.length > 50) list.append(h('li', { class: 'muted' }, `and ${c.victims.length - 50} more`));
      item('Its failure cancelled', list);
    }
    const nursery = t.parent !== null ? c.rows.get(t.parent) : undefined;
    if (nursery?.kind === 'nursery') {
      item(
        groupTitle(nursery),
        `#${nursery.id}`,
        nursery.site ? h('code', {}, ` ${shortSite(nursery.site)}`) : null,
        nursery.start ? h('span', { class: 'muted' }, ` (${startWord(nursery)})`) : null,
        ' of ',
        this.taskLink(c, nursery.parent),
      );
    } else if (t.loose && nursery?.kind === 'task') {
      item('Made by', this.taskLink(c, nursery.id), h('span', { class: 'muted' }, ' · owned by no task group'));
    }
    if (t.scopes.length) {
      const list = h('ul', { class: 'scopes' });
      for (const s of t.scopes) list.append(h('li', {}, ...this.scope(c, s), ...scopeCauseParts(s, links)));
      item('Cancel scopes', list);
    }
    return [h('section', { class: 'details-body', 'aria-label': `Details of task ${t.name}` }, ...out, dl)];
  }

  /** `asyncio.timeout at fetch:12 · deadline 1.3s`: what made the scope, where, and its state. */
  private scope(c: DetailsContext, s: ScopeInfo): Array<Node | string> {
    const parts: Array<Node | string> = [h('span', { class: 'scope-kind' }, scopeMaker(s))];
    const site = s.site;
    if (site) {
      const b = h(
        'button',
        { class: 'link-button', 'data-action': `scope-${s.id}`, title: `${visible(site.file)}:${site.line}` },
        siteWords(site),
      );
      b.addEventListener('click', () => c.post({ type: 'openSite', file: site.file, line: site.line }));
      parts.push(' at ', b);
    }
    parts.push(' ');
    if (s.deadline !== null) {
      const span = h('span', { class: 'countdown' });
      if (!s.cancelCalled) this.ticks.push({ el: span, deadline: s.deadline });
      else span.textContent = 'expired';
      parts.push(h('span', { class: 'badge deadline' }, 'deadline'), ' ', span);
    }
    if (s.shield) parts.push(' ', h('span', { class: 'badge shield' }, 'shielded'));
    if (s.cancelCalled) parts.push(' ', h('span', { class: 'badge cancelled' }, 'cancel called'));
    if (s.reason) parts.push(h('span', { class: 'muted' }, ` ${s.reason}`));
    return parts;
  }

  private nursery(c: DetailsContext, n: NurseryRow): HTMLElement[] {
    const dl = h('dl', {});
    const item = (k: string, ...v: Array<Node | string | null>): void => {
      dl.append(h('dt', {}, k), h('dd', {}, ...v));
    };
    item(
      'Id',
      `#${n.id}`,
      n.system ? h('span', { class: 'muted' }, ' · system') : null,
      n.start ? h('span', { class: 'muted' }, ` · ${startWord(n)}`) : null,
    );
    item('Opened', this.siteButton(c, 'Go to open site', n.site, 'spawn'));
    item('Owner', this.taskLink(c, n.parent));
    item(
      'Status',
      n.closedAt !== undefined && n.closedAt !== null
        ? `closed at ${formatDuration(n.closedAt)}`
        : `open since ${formatDuration(n.openedAt)}`,
    );
    const counts = countStates(childStates(c.rows, n.id));
    if (Object.keys(counts).length) item('Children', histogramList(counts));
    if (n.groupKind) item('Opened with', h('code', {}, groupCodeOfKind(groupKindOf(n))));
    return [
      h(
        'section',
        { class: 'details-body', 'aria-label': `Details of ${groupWord(n)}` },
        h(
          'h2',
          { class: 'title' },
          nurseryIcon(),
          h('span', { class: 'title-text' }, n.start ? startWord(n) : groupTitle(n)),
        ),
        ...lintNotes(n.lints),
        dl,
      ),
    ];
  }

  private retired(r: Extract<Row, { kind: 'retired' }>): HTMLElement[] {
    return [
      h(
        'section',
        { class: 'details-body' },
        h('h2', { class: 'title' }, `${r.count} finished tasks`),
        h(
          'p',
          { class: 'muted' },
          'Older finished tasks of this nursery, folded away to keep memory bounded (setting nurseryLens.retainFinishedTasks).',
        ),
        histogramList(r.byOutcome),
      ),
    ];
  }
}

/** A row's lints in words (the Problems panel says the same). */
function lintNotes(lints: readonly LintMark[] | undefined): HTMLElement[] {
  return (lints ?? []).map((l) => h('p', { class: 'flag-note lint-note', 'data-lint': l.code }, `⚠ ${l.sentence}`));
}

function* childStates(rows: ReadonlyMap<number, Row>, nursery: number): Iterable<TaskState> {
  for (const r of rows.values()) if (r.kind === 'task' && r.parent === nursery) yield r.state;
}

function errorBlock(e: ErrorInfo): HTMLElement {
  const div = h('div', { class: 'error-block' }, h('code', { class: 'error-line' }, errorLine(e)));
  if (e.exceptions?.length) {
    const ul = h('ul', { class: 'group-members' });
    for (const x of e.exceptions) ul.append(h('li', {}, errorBlock(x)));
    div.append(ul);
  }
  return div;
}
