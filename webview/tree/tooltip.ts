// A quiet hover card with what a truncated label cannot say: the full name,
// the state and where the task waits. Text only (textContent).
import type { Row, WaitInfo } from '../../contract/rows';
import { h, icon } from '../elements';
import { visible } from './programText';
import { awaitOnOf, baseName, errorLine, siteWords } from './labels';
import { flagSentence, groupTitle, groupWord, looseWords, startWord } from './kindWords';
import type { ViewNode } from './model';
import { isFinishedState, stateClass, stateWord } from './taskStates';
import { holdersWord, taskName, waitsOf } from './waitWords';

const DELAY_MS = 450;

export class Tooltip {
  readonly el: HTMLElement;
  private timer: number | null = null;
  private key: string | null = null;

  constructor() {
    this.el = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  }

  /** Shows the card for `node` near (x, y) (client coordinates) after a short delay. */
  schedule(node: ViewNode, rows: ReadonlyMap<number, Row>, x: number, y: number): void {
    if (this.key === node.key) return;
    this.hide();
    this.key = node.key;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      const lines = linesOf(node, rows);
      if (!lines.length) return;
      this.el.replaceChildren(...lines.map(([text, cls]) => {
        if (cls !== 'mark-line') return h('div', { class: cls }, text);
        // The mark the task shows in the tree, drawn again beside its meaning.
        const src = document.querySelector(`g.node[data-key="${CSS.escape(node.key)}"] .site-mark`);
        const swatch = src?.getAttribute('d') ? icon(src.getAttribute('d')!, src.getAttribute('class') ?? 'site-mark') : null;
        return h('div', { class: 'mark-line muted' }, swatch, text);
      }));
      const host = this.el.offsetParent?.getBoundingClientRect() ?? { left: 0, top: 0, width: innerWidth, height: innerHeight };
      this.el.hidden = false;
      const w = this.el.offsetWidth;
      const left = Math.min(x - host.left + 12, host.width - w - 8);
      this.el.style.left = `${Math.max(4, left)}px`;
      // Below the pointer, or above it when the card would leave the panel.
      const h0 = this.el.offsetHeight;
      const below = y - host.top + 16;
      this.el.style.top = `${below + h0 > host.height - 4 ? Math.max(4, y - host.top - h0 - 10) : below}px`;
    }, DELAY_MS);
  }

  hide(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.key = null;
    this.el.hidden = true;
  }
}

function linesOf(node: ViewNode, rows: ReadonlyMap<number, Row>): Array<[string, string]> {
  if (node.kind === 'fold') return [[`${node.name ?? ''} ×${node.members?.length ?? 0}`, 'strong'], ['Same-named siblings, folded. Click to show them all.', 'muted']];
  const row = rows.get(node.id);
  if (!row) return [];
  if (row.kind === 'retired') return [[`${row.count} finished tasks`, 'strong'], ['Folded away to keep memory bounded.', 'muted']];
  if (row.kind === 'nursery') {
    const out: Array<[string, string]> = [[row.start ? startWord(row) : row.system ? `System ${groupWord(row)}` : groupTitle(row), 'strong']];
    if (row.site) out.push([`${visible(row.site.file)}:${row.site.line}`, 'code']);
    for (const l of row.lints ?? []) out.push([l.sentence, 'flag']);
    return out;
  }
  const out: Array<[string, string]> = [[row.name, 'strong'], [stateWord(row.state), `state ${stateClass(row.state)}`]];
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
    out.push([`${row.state === 'waiting' ? 'waits' : 'last awaited'} at ${siteWords(a)} in ${baseName(a.file)}`, 'code']);
    out.push([`${visible(a.file)}:${a.line}`, 'code path']);
  }
  if (row.state === 'waiting' && (on || row.awaitSite)) out.push(['Tasks with this mark wait at the same place.', 'mark-line']);
  return out;
}

/** `waits for Lock lock_b held by w2`. */
function waitLine(w: WaitInfo, rows: ReadonlyMap<number, Row>): string {
  const held = w.holders?.length ? ` ${holdersWord(w)} ${w.holders.slice(0, 3).map((id) => taskName(rows, id)).join(', ')}${w.holders.length > 3 ? '…' : ''}` : '';
  return `waits for ${w.label}${held}`;
}
