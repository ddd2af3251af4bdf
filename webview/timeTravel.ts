// The time cursor's wiring to the page: the timeline strip reads the live
// run, selects a lifeline's task in the tree, leaves out the rows the tree
// hides in its collapsed nodes, and while it is at a past moment the tree
// draws that moment's rows (shownRun) and follows the tasks that moment adds.
import type { WebviewMessage } from '../contract/messages';
import type { Chrome } from './chrome';
import type { Follow } from './follow';
import type { Selection } from './selection';
import { Timeline } from './timeline/timeline';
import { DIRTY } from './tree/frameScheduler';
import type { RunMirror, RunsMirror } from './tree/mirror';
import type { Model } from './tree/model';
import type { ShownTree } from './tree/shownTree';
import type { Choices } from './viewState';

export interface TimeTravelParts {
  mirror: RunsMirror;
  choices: Choices;
  tree: ShownTree;
  /** The run in view. */
  readonly current: string | null;
  /** Built after the timeline: read only when it calls. */
  readonly selection: Selection;
  readonly follow: Follow;
  readonly chrome: Chrome;
  /** The tree's element (busy while a past moment is not back from the host). */
  readonly svg: SVGSVGElement;
  changed(flags: number, save?: boolean): void;
  post(m: WebviewMessage): void;
}

export function pageTimeline(p: TimeTravelParts): Timeline {
  return new Timeline({
    post: (m) => p.post(m),
    choices: p.choices,
    liveRun: () => p.mirror.get(p.current),
    tree: p.svg,
    changed: (flags) => p.changed(flags),
    collapsed: () => (p.tree.model ? collapsedKeys(p.tree.model) : p.choices.modelOptions(null).collapsed),
    selectTask: (id) => p.selection.selectId(id),
    announce: (text) => p.chrome.announce(text),
    pastChanged: (change) => {
      p.follow.noteAdded(change.added);
      p.changed((change.structural || change.finishedChanged ? DIRTY.rows : DIRTY.content) | DIRTY.chrome, false);
    },
  });
}

/** The rows the tree draws: a past moment's while the time cursor is there, else the live ones. */
export function shownRun(timeline: Timeline, mirror: RunsMirror, key: string | null): RunMirror | undefined {
  return timeline.shown(key) ?? mirror.get(key);
}

const COLLAPSED = new WeakMap<Model, ReadonlySet<string>>();

/** The tree's nodes drawn collapsed, the user's and the levels the panel's size closed alike (once per build). */
function collapsedKeys(model: Model): ReadonlySet<string> {
  let keys = COLLAPSED.get(model);
  if (!keys) {
    const out = new Set<string>();
    for (const n of model.byKey.values())
      if ((n.kind === 'task' || n.kind === 'nursery') && n.hiddenChildren > 0) out.add(n.key);
    COLLAPSED.set(model, (keys = out));
  }
  return keys;
}
