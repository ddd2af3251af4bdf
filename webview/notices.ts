// Banners over the tree: the run's status (finished, disconnected, recording),
// dropped events and problems, and the empty state that explains how to start.
import type { WebviewMessage } from '../contract/messages';
import type { Row, RunInfo, Site } from '../contract/rows';
import type { DebuggerPause } from './debuggerMarks';
import { h } from './elements';
import { errorLine, siteWords } from './tree/labels';

/** The toolbar's task counts: while system tasks are hidden, they are left out, and the tooltip says how many. */
export function taskCounts(info: RunInfo, hideSystem: boolean): { text: string; title: string } {
  const n = (k: number) => k.toLocaleString('en-US');
  const live = info.liveTasks - (hideSystem ? info.systemLive : 0);
  const total = info.totalTasks - (hideSystem ? info.systemTotal : 0);
  // A run that is over, shown at its end: its tasks still "live" are those it left unfinished.
  const word = info.status !== 'live' && info.at === undefined ? 'unfinished' : 'live';
  // A past moment counts the tasks started by then: "1 live · 1 total" at a recording's start read as the whole run.
  const past = info.at !== undefined;
  // Over, and none left unfinished: "all 15 finished" reads better than "0 unfinished · 15 total".
  const text =
    word === 'unfinished' && live === 0
      ? `all ${n(total)} finished`
      : `${n(live)} ${word} · ${n(total)} ${past ? 'so far' : 'total'}`;
  if (!info.systemTotal)
    return {
      text,
      title: past
        ? 'Tasks of this run at the moment shown: live then, and started by then'
        : `Tasks of this run: ${word === 'live' ? 'live now' : 'not finished when it ended'}, and in all`,
    };
  const system = `${n(info.systemTotal)} system task${info.systemTotal === 1 ? '' : 's'} of the library (${n(info.systemLive)} ${past ? `${word} then` : word})`;
  const whose = past ? 'Tasks of this run at the moment shown' : 'Tasks of this run';
  return {
    text,
    title: hideSystem
      ? `${whose}, not counting the ${system}: Hide system hides them`
      : `${whose}, counting the ${system}`,
  };
}

export function statusSentence(info: RunInfo): string {
  switch (info.status) {
    case 'live':
      // No count: this is announced once, when the run starts (0 tasks then); the toolbar counts live.
      return `${info.label}: running`;
    case 'finished': {
      const how =
        info.outcome === 'raised'
          ? `raised ${info.error ? errorLine(info.error) : 'an exception'}`
          : info.outcome === 'cancelled'
            ? 'was cancelled'
            : 'returned';
      return `${info.label}: run finished — ${how}`;
    }
    case 'disconnected':
      return info.sessionEnded
        ? `${info.label}: the debug session ended before the run did — showing the last known state`
        : `${info.label}: connection lost — showing the last known state`;
    case 'recording': {
      const how =
        info.outcome === 'raised'
          ? `raised ${info.error ? errorLine(info.error) : 'an exception'}`
          : info.outcome === 'cancelled'
            ? 'was cancelled'
            : info.outcome === 'returned'
              ? 'returned'
              : info.savedRunning
                ? 'was saved while the program was still running'
                : info.stoppedAt !== undefined
                  ? 'ended when its program stopped, before the run finished'
                  : 'ended without a finish event';
      return `${info.label}: recording — the run ${how}`;
    }
  }
}

/** The debugger's pause in words: the banner's line and its tooltip. */
export interface PauseWords {
  readonly text: string;
  readonly title: string;
}

/** The debugger's pause in words: where, and which task (if one owns the stopped thread's stack). */
export function pauseSentence(pause: DebuggerPause, rows: ReadonlyMap<number, Row> | undefined): PauseWords {
  const why = pause.reason === 'pause' ? '' : ` (${pause.reason})`;
  const row = pause.task === null ? undefined : rows?.get(pause.task);
  if (row?.kind === 'task') return pauseWords(`Paused in the debugger${why} in task ${row.name}`, '');
  // Short, to fit a narrow panel's one line; the tooltip says more. (It said the loop "is waiting for I/O
  // or a timer" under a Hung banner saying nothing can wake the tasks.)
  return pauseWords(
    `Paused in the debugger${why} — no task owns the stopped thread`,
    "It stopped between task steps, in the event loop itself (idle, or about to run the next step), or it is not the loop's thread.\n",
  );
}

const pauseWords = (text: string, where: string): PauseWords => ({
  text,
  title: `${text}.\n${where}The program's clock runs on while it is paused: a timeout or deadline that passes meanwhile fires when it continues.`,
});

export class Notices {
  readonly el: HTMLElement;
  private sig = '';

  /** `openSite`: go to a line of the program (the run's raise site). */
  constructor(private readonly openSite: (site: Site) => void) {
    this.el = h('div', { class: 'notices' });
  }

  /** "at main:12", a link to where the run's exception was raised (protocol 1.6), kept in sight when the sentence is cut. */
  private raisedAt(site: Site): HTMLElement {
    const b = h(
      'button',
      { class: 'link-button', title: `Go to where it was raised: ${site.file}:${site.line}` },
      siteWords(site),
    );
    b.addEventListener('click', () => this.openSite(site));
    return h('span', { class: 'banner-site' }, 'at ', b);
  }

  /** The host's word (a program that started no event loop), shown with or without a run until it says otherwise. */
  hostNotice: string | null = null;

  /** `paused`: the debugger's pause of this run, in words (pauseSentence). */
  update(info: RunInfo | undefined, paused: PauseWords | null = null): void {
    const sig = info
      ? JSON.stringify([
          this.hostNotice,
          paused?.text,
          info.key,
          info.status,
          info.outcome,
          info.error,
          info.dropped,
          info.problems,
          info.retired,
          info.sessionEnded,
        ])
      : (this.hostNotice ?? '');
    if (sig === this.sig) return;
    this.sig = sig;
    this.el.replaceChildren();
    if (this.hostNotice !== null)
      this.el.append(
        h('div', { class: 'banner info host-notice', role: 'note', title: this.hostNotice }, this.hostNotice),
      );
    if (!info) return;
    if (paused !== null)
      this.el.append(
        h(
          'div',
          { class: 'banner info paused', role: 'note', 'data-status': 'paused', title: paused.title },
          paused.text,
        ),
      );
    if (info.status !== 'live') {
      const lost = info.status === 'disconnected' && !info.sessionEnded;
      const cls = lost || info.outcome === 'raised' ? 'banner warn' : 'banner info';
      const sentence = statusSentence(info);
      const banner = h('div', { class: cls, role: 'note', 'data-status': info.status, title: sentence });
      const site = info.outcome === 'raised' ? info.error?.site : undefined;
      if (site) banner.append(h('span', { class: 'banner-text' }, sentence), this.raisedAt(site));
      else banner.append(sentence);
      this.el.append(banner);
    }
    if (info.dropped > 0) {
      const words = `${info.dropped.toLocaleString('en-US')} events were dropped by the runtime (the program outran the collector): the tree may miss some tasks or states.`;
      this.el.append(h('div', { class: 'banner warn dropped', role: 'note', title: words }, words));
    }
    for (const p of info.problems.slice(0, 5))
      this.el.append(h('div', { class: 'banner warn problem', role: 'note', title: p }, p));
    if (info.problems.length > 5)
      this.el.append(
        h(
          'div',
          { class: 'banner warn problem' },
          `and ${info.problems.length - 5} more problems (see the Nursery Lens output)`,
        ),
      );
  }
}

export function emptyState(post: (m: WebviewMessage) => void): HTMLElement {
  const run = h(
    'button',
    { class: 'button', type: 'button', 'data-command': 'runFile' },
    'Run Python File with Task Tree',
  );
  run.addEventListener('click', () => post({ type: 'command', command: 'runFile' }));
  const open = h(
    'button',
    { class: 'button secondary', type: 'button', 'data-command': 'openRecording' },
    'Open Recording…',
  );
  open.addEventListener('click', () => post({ type: 'command', command: 'openRecording' }));
  return h(
    'div',
    { class: 'empty-state' },
    h('h2', {}, 'No run yet'),
    h(
      'p',
      {},
      'The task tree shows the task groups (nurseries) and tasks of a Trio or asyncio program (AnyIO on either) while it runs.',
    ),
    h(
      'ul',
      {},
      h(
        'li',
        {},
        'Debug a Python file that calls ',
        h('code', {}, 'trio.run()'),
        ', ',
        h('code', {}, 'asyncio.run()'),
        ' or ',
        h('code', {}, 'anyio.run()'),
        ' (F5 with the Python debugger): its tasks appear here.',
      ),
      h('li', {}, 'Or run a Python file with the task tree, without the debugger (the open one, or one you pick).'),
      h(
        'li',
        {},
        'Or open a recording (',
        h('code', {}, '.ndjson'),
        ') made with ',
        h('code', {}, 'python -m nursery_lens --record'),
        '.',
      ),
    ),
    h('div', { class: 'buttons' }, run, open),
  );
}
