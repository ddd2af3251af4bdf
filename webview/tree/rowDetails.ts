// The bodies of the details pane for a task, a task group and the finished
// tasks folded away: built afresh when the pane repaints (details.ts decides
// when). Program strings go in as text.
import type { WebviewMessage } from '../../contract/messages';
import type {
  ErrorInfo,
  FoldedCounts,
  LintMark,
  NurseryRow,
  Row,
  ScopeInfo,
  Site,
  TaskRow,
  TaskState,
} from '../../contract/rows';
import { breakable, h, icon, nurseryIcon, taskStateIcon } from '../elements';
import { histogramList } from './foldDetails';
import { awaitKey, count, displayName, errorLine, formatDuration, shortSite, siteWords } from './labels';
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
import { cancelItem, scopeCauseParts, waitItems, type Item, type PaneLinks } from './waitDetails';
import { visible } from './programText';
import type { SitePalette } from './sitePalette';
import { awaitChainList } from './awaitChain';
import { debugMarkOf, STACK_FRAME_ARROW, type DebugPointers } from './debugLook';
import { countStates, isFinishedState, stateClass, stateWord } from './taskStates';

/** What the bodies need of the pane: its links and countdowns, a site with its "Go to" button, a way to post. */
export interface RowLinks extends PaneLinks {
  /** A site in words with its button (an absent site reads "unknown"); `mark` stands before the words. */
  /** A button that opens `site`; with none, `none` in muted words ("unknown" if not given). */
  siteLine(label: string, site: Site | null, action: string, mark?: Node | null, none?: string): HTMLElement;
  post(m: WebviewMessage): void;
}

/** What a task's body shows beyond its row. */
export interface TaskAround {
  /** Tasks whose cancellation this task's failure caused. */
  victims: readonly number[];
  /** The tree's await-site marks, shown again beside the await site. */
  palette: SitePalette;
  /** What the debugger points at in this run. */
  debug?: DebugPointers;
}

/** The body of a task's details: what it is, where it waits, how it ended, what it belongs to. */
/** A duration that never breaks between its number and its unit ("ran 2.1 / s" in a narrow pane). */
const duration = (ms: number): HTMLElement => h('span', { class: 'nowrap' }, formatDuration(ms));

export function taskBody(t: TaskRow, links: RowLinks, c: TaskAround): HTMLElement[] {
  const dl = h('dl', {});
  for (const [k, ...v] of taskItems(t, links, c)) dl.append(h('dt', {}, k), h('dd', {}, ...v));
  return [
    h('section', { class: 'details-body', 'aria-label': `Details of task ${t.name}` }, ...taskNotes(t, links, c), dl),
  ];
}

/** The title and the sentences above the list: the debugger's pointer, a loose task, flags, lints. */
function taskNotes(t: TaskRow, links: RowLinks, c: TaskAround): HTMLElement[] {
  const out: HTMLElement[] = [];
  // The name the tree shows (`main`), then the whole one when it says more (`__main__.main`).
  const shown = displayName(t.name);
  out.push(
    h(
      'h2',
      { class: 'title' },
      taskStateIcon(t.state),
      h('span', { class: 'title-text' }, ...breakable(shown)),
      shown !== t.name ? h('span', { class: 'full-name muted' }, ...breakable(t.name)) : null,
    ),
  );
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
  if (t.loose) out.push(h('p', { class: 'loose-note muted' }, looseWords(t, links.rows)));
  for (const f of t.flags ?? []) out.push(h('p', { class: 'flag-note', 'data-flag': f }, flagSentence(f)));
  out.push(...lintNotes(t.lints));
  return out;
}

function taskItems(t: TaskRow, links: RowLinks, c: TaskAround): Item[] {
  const items: Item[] = [];
  const item = (k: string, ...v: Array<Node | string | null>): void => {
    items.push([k, ...v]);
  };
  const tags = [
    t.main ? 'main task' : null,
    t.system ? 'system task' : null,
    t.loose ? 'loose task' : null,
    t.starting ? 'starting (in start())' : null,
  ]
    .filter(Boolean)
    .join(' · ');
  // A task still pending when its loop closed is not live any more, though it never finished.
  const pending = t.flags?.includes('pending_at_close') ?? false;
  const live = !isFinishedState(t.state) && !pending;
  item(
    'State',
    h('span', { class: `state-word ${stateClass(t.state)}` }, stateWord(t.state)),
    live
      ? h('span', {}, ' for ', links.elapsed(t.since))
      : h(
          'span',
          { class: 'muted' },
          ...(pending ? [' when the loop closed; it never finished'] : [' at ', duration(t.since), ' into the run']),
        ),
  );
  // What the task is doing or how it ended first (what a short pane shows), then what it is
  items.push(...waitItems(t, links));
  const key = awaitKey(t);
  const mark = key ? c.palette.markOf(key) : null;
  const swatch = mark ? icon(mark.shape, `site-mark tint-${mark.tint}`) : null;
  if (swatch) swatch.setAttribute('aria-hidden', 'true');
  if (live || t.awaitSite)
    item(
      t.state === 'waiting' ? 'Waits at' : 'Last await',
      links.siteLine('Go to await site', t.awaitSite, 'await', swatch),
    );
  if (t.error) item('Error', errorBlock(t.error, links));
  if (t.unretrieved && !t.error) item('Never retrieved', errorBlock(t.unretrieved, links));
  if (t.state === 'cancelled') item(...cancelItem(t, links));
  if (c.victims.length) item(...victimsItem(t, c.victims, links));
  item(
    'Lifetime',
    'spawned ',
    duration(t.spawnedAt),
    ' into the run',
    t.exitedAt !== undefined ? ', ran ' : null,
    t.exitedAt !== undefined ? duration(t.exitedAt - t.spawnedAt) : null,
  );
  item('Id', `#${t.id}`, tags ? h('span', { class: 'muted' }, ` · ${tags}`) : null);
  // asyncio named it Task-N; the tree shows its coroutine instead, as Trio names a task
  if (t.defaultName !== undefined) item('asyncio name', h('code', {}, t.defaultName));
  // No site: the runtime found no user line in the frames that made it (a server's handler made by library code)
  item('Spawned', links.siteLine('Go to spawn site', t.site, 'spawn', null, 'by library code, from no line of yours'));
  const chain = awaitChainList(t, links.rows, links.post);
  // A finished task's chain is its last, as its await site above is its "Last await"
  if (chain) item(live ? 'Await chain' : 'Last await chain', chain);
  const owner = ownerItem(t, links);
  if (owner) item(...owner);
  if (t.folded) item('Folded away', ...foldedParts(t.folded));
  if (t.scopes.length) {
    const list = h('ul', { class: 'scopes' });
    for (const s of t.scopes) list.append(h('li', {}, ...scopeParts(s, links), ...scopeCauseParts(s, links)));
    item('Cancel scopes', list);
  }
  return items;
}

/** The tasks its failure cancelled; or, for a task that did not fail (it called cancel()), the tasks it cancelled. */
function victimsItem(t: TaskRow, victims: readonly number[], links: RowLinks): Item {
  const list = h('ul', { class: 'victims' });
  for (const v of victims.slice(0, 50)) list.append(h('li', {}, links.task(v)));
  if (victims.length > 50) list.append(h('li', { class: 'muted' }, `and ${victims.length - 50} more`));
  return [t.state === 'raised' ? 'Its failure cancelled' : 'It cancelled', list];
}

/** The task group the task belongs to, or for a loose task the task that made it. */
function ownerItem(t: TaskRow, links: RowLinks): Item | null {
  const nursery = t.parent !== null ? links.rows.get(t.parent) : undefined;
  // The main task's nursery is the library's own (Trio's init task's): nothing the user made.
  if (t.main) return null;
  if (nursery?.kind === 'nursery')
    return [
      groupTitle(nursery),
      `#${nursery.id}`,
      nursery.site ? ' ' : null,
      nursery.site ? h('code', {}, shortSite(nursery.site)) : null,
      nursery.start ? h('span', { class: 'muted' }, ` (${startWord(nursery)})`) : null,
      ' of ',
      links.task(nursery.parent),
    ];
  if (t.loose && nursery?.kind === 'task')
    return ['Made by', links.task(nursery.id), h('span', { class: 'muted' }, ' · owned by no task group')];
  return null;
}

/** `asyncio.timeout at fetch:12 · deadline 1.3s`: what made the scope, where, and its state. */
function scopeParts(s: ScopeInfo, links: RowLinks): Array<Node | string> {
  const parts: Array<Node | string> = [h('span', { class: 'scope-kind' }, scopeMaker(s))];
  const site = s.site;
  if (site) {
    const b = h(
      'button',
      { class: 'link-button', 'data-action': `scope-${s.id}`, title: `${visible(site.file)}:${site.line}` },
      siteWords(site),
    );
    b.addEventListener('click', () => links.post({ type: 'openSite', file: site.file, line: site.line }));
    parts.push(' at ', b);
  }
  parts.push(' ');
  if (s.deadline !== null) {
    const span = s.cancelCalled ? h('span', { class: 'countdown' }, 'expired') : links.countdown(s.deadline);
    parts.push(h('span', { class: 'badge deadline' }, 'deadline'), ' ', span);
  }
  if (s.shield) parts.push(' ', h('span', { class: 'badge shield' }, 'shielded'));
  if (s.cancelCalled) parts.push(' ', h('span', { class: 'badge cancelled' }, 'cancel called'));
  if (s.reason) parts.push(h('span', { class: 'muted' }, ` ${s.reason}`));
  return parts;
}

/** The body of a task group's details: where it opened, its owner, its children's states. */
export function nurseryBody(n: NurseryRow, links: RowLinks): HTMLElement[] {
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
  item('Opened', links.siteLine('Go to open site', n.site, 'spawn'));
  item('Owner', links.task(n.parent));
  item(
    'Status',
    ...(n.closedAt !== undefined && n.closedAt !== null
      ? ['closed at ', duration(n.closedAt)]
      : ['open since ', duration(n.openedAt)]),
  );
  const counts = countStates(childStates(links.rows, n.id));
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

/** The closed task groups below a task let go to keep memory bounded (its own and its finished children's): how many, and the finished tasks they held. */
function foldedParts(f: FoldedCounts): Array<Node | string> {
  return [
    `${count(f.nurseries, 'closed task group', 'closed task groups')} below it, with ${count(f.count, 'finished task', 'finished tasks')}`,
    h('span', { class: 'muted' }, ' (let go to keep memory bounded; still counted when it is collapsed)'),
    ...(f.count ? [histogramList(f.byOutcome)] : []),
  ];
}

/** The body of the finished tasks folded away to keep memory bounded. */
export function retiredBody(r: Extract<Row, { kind: 'retired' }>): HTMLElement[] {
  return [
    h(
      'section',
      { class: 'details-body' },
      h(
        'h2',
        { class: 'title' },
        count(r.count, 'finished task', 'finished tasks'),
        r.nurseries ? ` in ${count(r.nurseries, 'task group', 'task groups')}` : '',
      ),
      h(
        'p',
        { class: 'muted' },
        'Older finished tasks of this nursery, each with every task it started, folded away to keep memory bounded (setting nurseryLens.retainFinishedTasks).',
      ),
      histogramList(r.byOutcome),
    ),
  ];
}

/** A row's lints in words (the Problems panel says the same). */
function lintNotes(lints: readonly LintMark[] | undefined): HTMLElement[] {
  return (lints ?? []).map((l) => h('p', { class: 'flag-note lint-note', 'data-lint': l.code }, `⚠ ${l.sentence}`));
}

function* childStates(rows: ReadonlyMap<number, Row>, nursery: number): Iterable<TaskState> {
  for (const r of rows.values()) if (r.kind === 'task' && r.parent === nursery) yield r.state;
}

/** The exception, where the program raised it (1.6), and a group's members. */
function errorBlock(e: ErrorInfo, links: RowLinks): HTMLElement {
  const div = h('div', { class: 'error-block' }, h('code', { class: 'error-line' }, errorLine(e)));
  // (for one raised inside a library: the program's line that called into it;
  // for Ctrl-C: wherever the program was when it came)
  if (e.site) {
    const ctrlC = e.type === 'KeyboardInterrupt';
    const [words, title] = ctrlC
      ? ['interrupted at ', 'Go to where Ctrl-C interrupted it']
      : ['raised at ', 'Go to where it was raised'];
    div.append(h('div', { class: 'raised-at' }, words, links.site(title, e.site, 'raised-at')));
  }
  if (e.exceptions?.length) {
    const ul = h('ul', { class: 'group-members' });
    for (const x of e.exceptions) ul.append(h('li', {}, errorBlock(x, links)));
    div.append(ul);
  }
  return div;
}
