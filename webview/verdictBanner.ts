// The banner that says a run is deadlocked or hung (issue #15): the tasks and
// what each waits for, each task a link that selects it, and a button that
// brings them all into view, selected. Said once to screen readers (role
// alert, rebuilt only when the verdict changes); dismissible. A run that is
// over keeps the last verdict, in the past tense, with when it held.
import type { RunInfo, Verdict, VerdictTask } from '../contract/rows';
import { h } from './elements';
import { displayName, formatDuration } from './tree/labels';
import { holdersJoint, labelNamesHolder, verdictMeaning, verdictTitle } from './tree/waitWords';

export interface BannerActions {
  /** Selects the task (opens its details). */
  select(id: number): void;
  /** Brings these tasks into view and selects the first; `at`: as they were at that moment (run ms). */
  showAll(ids: number[], at?: number): void;
}

const verdictKey = (info: RunInfo, v: Verdict): string => `${info.key}:${v.kind}:${v.since}:${v.confirmedAt}`;

export class VerdictBanner {
  readonly el = h('div', { class: 'verdicts' });
  private sig = '';
  private readonly dismissed = new Set<string>();

  constructor(private readonly a: BannerActions) {}

  update(info: RunInfo | undefined): void {
    const v = info?.verdict;
    const live = info?.status === 'live';
    // A live run shows a verdict while it holds; a run that is over shows the last one it had.
    const shown =
      info && v && (v.endedAt === undefined || !live) && !this.dismissed.has(verdictKey(info, v)) ? v : undefined;
    const sig = shown && info ? `${verdictKey(info, shown)}:${shown.endedAt}:${info.status}` : '';
    if (sig === this.sig) return;
    this.sig = sig;
    this.el.replaceChildren();
    if (!shown || !info) return;
    this.el.append(this.banner(info, shown, live));
  }

  private banner(info: RunInfo, v: Verdict, live: boolean): HTMLElement {
    const ended =
      v.endedAt !== undefined
        ? ` until ${formatDuration(v.endedAt)}`
        : live
          ? ''
          : info.savedRunning
            ? ', until the recording was saved (the program went on)'
            : ', until the program stopped';
    const when = `since ${formatDuration(v.since)} into the run${ended}`;
    const list = h('ul', { class: 'verdict-tasks' });
    for (const group of leavesFirst(sameWait(v.tasks))) list.append(h('li', {}, ...this.line(group, v)));
    if (v.taskCount > v.tasks.length)
      list.append(h('li', { class: 'muted' }, `and ${v.taskCount - v.tasks.length} more`));
    const behind = v.behindCount
      ? h(
          'p',
          { class: 'verdict-behind' },
          'Stuck behind them: ',
          ...this.names(v.behind),
          v.behindCount > v.behind.length ? ` and ${v.behindCount - v.behind.length} more` : '',
        )
      : null;
    const show = h('button', { class: 'button', type: 'button', 'data-action': 'show-verdict' }, 'Show them');
    // Over (things moved again: a cancel, Ctrl-C), the tasks at the end are not stuck any more: they are shown
    // as they were when the verdict was claimed, waiting for each other.
    const at = v.endedAt !== undefined ? v.confirmedAt : undefined;
    if (at !== undefined) show.title = `Show them as they were ${formatDuration(at)} into the run, stuck`;
    show.addEventListener('click', () =>
      this.a.showAll(
        v.tasks.map((t) => t.id),
        at,
      ),
    );
    const close = h(
      'button',
      {
        class: 'icon-button close',
        type: 'button',
        title: 'Dismiss',
        'aria-label': 'Dismiss',
        'data-action': 'dismiss-verdict',
      },
      '×',
    );
    close.addEventListener('click', () => {
      this.dismissed.add(verdictKey(info, v));
      this.update(info);
    });
    const title = verdictTitle(v, live);
    return h(
      'div',
      {
        class: `banner verdict ${v.kind}`,
        role: 'alert',
        'data-verdict': v.kind,
        'aria-label': `${title}: ${v.taskCount} tasks`,
      },
      h(
        'div',
        { class: 'verdict-head' },
        h('strong', {}, title),
        h('span', { class: 'muted' }, ` ${when}.`),
        h('span', { class: 'verdict-buttons' }, show, close),
      ),
      // The tasks and what each waits for first: a narrow panel shows the banner's first lines only (the rest scrolls).
      list,
      behind,
      h('p', { class: 'verdict-meaning muted' }, verdictMeaning(v)),
    );
  }

  /** `w1 waits for Lock lock_b held by w2` (`w1, w2 wait for Event ready` when they wait alike), every task a link. */
  private line(group: VerdictTask[], v: Verdict): Array<Node | string> {
    const t = group[0];
    const names = new Map([...v.tasks, ...v.behind].map((x) => [x.id, x]));
    const on = t.on.map((id) => names.get(id) ?? { id, name: `#${id}` });
    // `task warm cache`, the task a link: its name said once
    const named = labelNamesHolder(
      t.waits,
      on.map((x) => x.name),
    );
    const what = named ? [h('code', {}, 'task'), ' ', ...this.names(on)] : [h('code', {}, t.waits.label)];
    const held = on.length && !named ? [holdersJoint(t.waits), ...this.names(on)] : [];
    const detail = t.waits.detail && v.kind === 'hang' ? h('span', { class: 'muted' }, ` (${t.waits.detail})`) : '';
    return [...this.names(group), group.length > 1 ? ' wait for ' : ' waits for ', ...what, ...held, detail];
  }

  private names(tasks: Array<{ id: number; name: string }>): Array<Node | string> {
    const out: Array<Node | string> = [];
    tasks.forEach((t, i) => out.push(...(i ? [', ', this.link(t.id, t.name)] : [this.link(t.id, t.name)])));
    return out;
  }

  private link(id: number, name: string): HTMLElement {
    // the name the tree shows (`main` for `__main__.main`); the full one on hover
    const b = h(
      'button',
      { class: 'link-button task-link', type: 'button', 'data-action': `verdict-select-${id}`, title: name },
      displayName(name),
    );
    b.addEventListener('click', () => this.a.select(id));
    return b;
  }
}

/**
 * Tasks that wait for something of their own first, those that only wait for
 * their children (a nursery, a task group, a gather) after: the line that
 * explains a hang ("waiter waits for Lock lock held by forgetful") is the
 * one to see, "main waits for TaskGroup" follows from it.
 */
function leavesFirst(groups: VerdictTask[][]): VerdictTask[][] {
  const waitsForChildren = (g: VerdictTask[]) => g[0].waits.kind === 'children';
  return [...groups.filter((g) => !waitsForChildren(g)), ...groups.filter(waitsForChildren)];
}

/** Tasks waiting alike (the same object, held by the same tasks), together, in the order they came. */
function sameWait(tasks: VerdictTask[]): VerdictTask[][] {
  const groups = new Map<string, VerdictTask[]>();
  for (const t of tasks) {
    const key = `${t.waits.obj ?? `${t.waits.kind}:${t.waits.label}:${t.id}`}|${t.on.join(',')}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  return [...groups.values()];
}
