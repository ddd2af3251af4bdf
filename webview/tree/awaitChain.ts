// The details pane's "Await chain": every frame a task's await passes
// through, outermost (the task's own function) to innermost (where it
// waits), each a link to its source line. The protocol's chain does not say
// which frames are the program's own; the row does for one of them (the
// await site is the innermost user frame), so frames inside it are library
// frames, and outer frames count as the program's when they are in a file the
// program's own sites name (spawn, await and nursery sites). Library frames
// are dimmed, and runs of them fold into one line.
import type { WebviewMessage } from '../../contract/messages';
import type { Row, Site, TaskRow } from '../../contract/rows';
import { h } from '../elements';
import { baseName, siteWords } from './labels';

export interface ChainFrame {
  site: Site;
  /** The program's own code (else a library's: Trio, the standard library, site-packages). */
  user: boolean;
}

/** Installed packages are never the program's own, whatever else names their files. */
const INSTALLED = /[\\/](site|dist)-packages[\\/]/;
/** This many library frames in a row or more fold into one line. */
const FOLD_LIBRARY = 3;

/** The files the program's own sites name in a run. */
export function userFiles(rows: ReadonlyMap<number, Row>): Set<string> {
  const files = new Set<string>();
  for (const r of rows.values()) {
    if (r.kind === 'retired') continue;
    if (r.site) files.add(r.site.file);
    if (r.kind === 'task' && r.awaitSite) files.add(r.awaitSite.file);
  }
  return files;
}

/** The task's chain, outermost first, each frame told user or library. */
export function chainFrames(t: TaskRow, own: ReadonlySet<string>): ChainFrame[] {
  const chain = t.chain ?? [];
  const a = t.awaitSite;
  let inner = -1;
  if (a)
    for (let i = chain.length - 1; i >= 0 && inner < 0; i--)
      if (chain[i].file === a.file && chain[i].line === a.line) inner = i;
  return chain.map((site, i) => {
    if (INSTALLED.test(site.file)) return { site, user: false };
    if (inner >= 0 && i > inner) return { site, user: false };
    return { site, user: i === inner || own.has(site.file) };
  });
}

/** The list for the details pane; null when the runtime sent no chain for the task. */
export function awaitChainList(
  t: TaskRow,
  rows: ReadonlyMap<number, Row>,
  post: (m: WebviewMessage) => void,
): HTMLElement | null {
  if (!t.chain?.length) return null;
  const frames = chainFrames(t, userFiles(rows));
  const list = h('ol', { class: 'await-chain', 'aria-label': 'Await chain, outermost first' });
  for (let i = 0; i < frames.length;) {
    let j = i;
    while (j < frames.length && !frames[j].user) j++;
    if (j - i >= FOLD_LIBRARY) {
      // Numbered as in the whole chain: the fold has no number, its frames theirs, the frames after it go on.
      const inner = h(
        'ol',
        { class: 'await-chain', start: String(i + 1) },
        ...frames.slice(i, j).map((f, k) => frameItem(f, i + k, post)),
      );
      list.append(
        h('li', { class: 'library fold' }, h('details', {}, h('summary', {}, `${j - i} library frames`), inner)),
      );
      i = j;
      continue;
    }
    for (; i < j; i++) list.append(frameItem(frames[i], i, post));
    if (i < frames.length) list.append(frameItem(frames[i], i, post));
    i++;
  }
  return list;
}

function frameItem(f: ChainFrame, index: number, post: (m: WebviewMessage) => void): HTMLElement {
  const b = h(
    'button',
    { class: 'link-button chain-link', 'data-action': `chain-${index}`, title: `${f.site.file}:${f.site.line}` },
    siteWords(f.site),
  );
  b.addEventListener('click', () => post({ type: 'openSite', file: f.site.file, line: f.site.line }));
  return h(
    'li',
    { class: f.user ? 'user' : 'library', value: String(index + 1) },
    b,
    h('span', { class: 'muted' }, ` · ${baseName(f.site.file)}`),
  );
}
