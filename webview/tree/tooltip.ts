// A quiet hover card with what a truncated label cannot say: the full name,
// the state and where the task waits; for a fold, what its tasks have in
// common. Text only (textContent). It stays inside the tree area (never over
// the details pane), keeps a readable width however narrow the area, and
// sits right of the pointer, or left of it, or below or above it.
import type { Row, WaitInfo } from '../../contract/rows';
import { h, icon } from '../elements';
import { visible } from './programText';
import { awaitOnOf, baseName, count, errorLine, hiddenWords, moreWords, siteWords } from './labels';
import { memberCounts, type ViewNode } from './model';
import { kindSentence } from './taskKinds';
import { inStateOrder, isFinishedState, stateClass, stateWord } from './taskStates';
import { flagSentence, groupTitle, groupWord, looseWords, startWord } from './kindWords';
import { holdersJoint, labelNamesHolder, taskName, waitsOf } from './waitWords';

const DELAY_MS = 450;

export class Tooltip {
  readonly el: HTMLElement;
  private timer: number | null = null;
  private key: string | null = null;
  /** The node pressed: no card for it until the pointer is over another (a click's jiggle, a drag). */
  private dismissed: string | null = null;

  constructor() {
    this.el = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  }

  /** Shows the card for `node` near (x, y) (client coordinates) after a short delay. */
  schedule(node: ViewNode, rows: ReadonlyMap<number, Row>, x: number, y: number): void {
    if (this.key === node.key || node.key === this.dismissed) return;
    this.hide();
    this.key = node.key;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      const lines = linesOf(node, rows);
      if (!lines.length) return;
      this.el.replaceChildren(
        ...lines.map(([text, cls]) => {
          if (cls !== 'mark-line') return h('div', { class: cls }, text);
          // The mark the task shows in the tree, drawn again beside its meaning.
          const src = document.querySelector(`g.node[data-key="${CSS.escape(node.key)}"] .site-mark`);
          const swatch = src?.getAttribute('d')
            ? icon(src.getAttribute('d')!, src.getAttribute('class') ?? 'site-mark')
            : null;
          return h('div', { class: 'mark-line muted' }, swatch, text);
        }),
      );
      this.el.hidden = false;
      this.place(x, y);
    }, DELAY_MS);
  }

  /** Puts the card near the pointer (client coordinates), whole, inside its container. */
  private place(x: number, y: number): void {
    const host = this.el.offsetParent?.getBoundingClientRect() ?? {
      left: 0,
      top: 0,
      width: innerWidth,
      height: innerHeight,
    };
    // Measured at the container's left edge: its natural size, not one squeezed by where it stood last.
    this.el.style.left = '0px';
    this.el.style.top = '0px';
    const w = this.el.offsetWidth;
    const h0 = this.el.offsetHeight;
    const px = x - host.left;
    const py = y - host.top;
    const fitsRight = px + 12 + w <= host.width - 4;
    const fitsLeft = px - 12 - w >= 4;
    const left = fitsRight ? px + 12 : fitsLeft ? px - 12 - w : host.width - w - 4;
    let top = fitsRight || fitsLeft ? py + 16 : py + 20;
    if (top + h0 > host.height - 4) top = py - h0 - 10;
    this.el.style.left = `${Math.max(4, left)}px`;
    this.el.style.top = `${Math.max(4, Math.min(top, host.height - h0 - 4))}px`;
  }

  /** The pointer is over `key` now (it entered, or the node slid under it): a card of another node goes. */
  over(key: string | null): void {
    if (key !== this.dismissed) this.dismissed = null;
    if (this.key !== null && this.key !== key) this.hide();
  }

  /** A press on the tree (on node `key`, or none): the card goes. */
  pressed(key: string | null): void {
    this.hide();
    this.dismissed = key;
  }

  hide(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.key = null;
    this.el.hidden = true;
  }
}

function linesOf(node: ViewNode, rows: ReadonlyMap<number, Row>): Array<[string, string]> {
  if (node.kind === 'fold') {
    const states = inStateOrder(memberCounts(node, rows))
      .map(([s, n]) => `${n.toLocaleString('en-US')} ${stateWord(s)}`)
      .join(' · ');
    return [
      [`${node.name ?? ''} ×${(node.members?.length ?? 0).toLocaleString('en-US')}`, 'strong'],
      [kindSentence(node.members ?? [], rows), ''],
      [states, 'muted'],
      [
        node.children.length
          ? 'Tasks of one kind. Click to fold them back.'
          : 'Tasks of one kind (same function, same spawn site), folded. Click to show them a page at a time.',
        'muted',
      ],
    ];
  }
  if (node.kind === 'more' && node.more) {
    const [name, left] = moreWords(node.more);
    return [
      [`${name} (${left})`, 'strong'],
      ['The rest of a long list. Click to show the next page.', 'muted'],
    ];
  }
  const row = rows.get(node.id);
  const hidden =
    node.hidden && node.hiddenChildren
      ? [
          [`${hiddenWords(node.hidden)} below, collapsed${node.auto ? ' to fit the panel' : ''}`, 'muted'] as [
            string,
            string,
          ],
        ]
      : [];
  if (!row) return [];
  if (row.kind === 'retired')
    return [
      [count(row.count, 'finished task', 'finished tasks'), 'strong'],
      ['Folded away to keep memory bounded.', 'muted'],
    ];
  if (row.kind === 'nursery') {
    const out: Array<[string, string]> = [
      [row.start ? startWord(row) : row.system ? `System ${groupWord(row)}` : groupTitle(row), 'strong'],
    ];
    if (row.site) out.push([`${visible(row.site.file)}:${row.site.line}`, 'code']);
    for (const l of row.lints ?? []) out.push([l.sentence, 'flag']);
    return [...out, ...hidden];
  }
  const out: Array<[string, string]> = [
    [row.name, 'strong'],
    [stateWord(row.state), `state ${stateClass(row.state)}`],
  ];
  if (row.error) out.push([errorLine(row.error).slice(0, 300), 'error']);
  for (const f of row.flags ?? []) out.push([flagSentence(f), 'flag']);
  for (const l of row.lints ?? []) out.push([l.sentence, 'flag']);
  if (row.unretrieved && !row.error) out.push([errorLine(row.unretrieved).slice(0, 300), 'error']);
  if (row.loose) out.push([looseWords(row, rows), 'muted']);
  const live = !isFinishedState(row.state);
  const on = awaitOnOf(row);
  const w = waitsOf(row);
  if (w) out.push([waitLine(w, rows), 'code']);
  if (row.awaitSite && live) {
    const a = row.awaitSite;
    out.push([
      `${row.state === 'waiting' ? 'waits' : 'last awaited'} at ${siteWords(a)} in ${baseName(a.file)}`,
      'code',
    ]);
    out.push([`${visible(a.file)}:${a.line}`, 'code path']);
  }
  if (row.state === 'waiting' && (on || row.awaitSite))
    out.push(['Tasks with this mark wait at the same place.', 'mark-line']);
  return [...out, ...hidden];
}

/** `waits for Lock lock_b held by w2`. */
function waitLine(w: WaitInfo, rows: ReadonlyMap<number, Row>): string {
  const named = labelNamesHolder(
    w,
    (w.holders ?? []).map((id) => taskName(rows, id)),
  );
  const held =
    w.holders?.length && !named
      ? `${holdersJoint(w)}${w.holders
          .slice(0, 3)
          .map((id) => taskName(rows, id))
          .join(', ')}${w.holders.length > 3 ? '…' : ''}`
      : '';
  return `waits for ${w.label}${held}`;
}
