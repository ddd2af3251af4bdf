// The bar above the tree: run picker, search, filters, follow and fit, the
// export menu.
import type { PanelCommand } from '../contract/messages';
import { runStatusWord, type RunInfo } from '../contract/rows';
import { h, setAttr, setText } from './elements';
import { legend } from './legend';
import { libraryWords } from './tree/kindWords';

export interface ToolbarActions {
  selectRun(key: string): void;
  search(text: string): void;
  /** Enter in the search box: select the next match (previous with Shift). */
  nextMatch(backwards: boolean): void;
  leaveSearch(): void;
  setHideFinished(on: boolean): void;
  setHideSystem(on: boolean): void;
  setFollow(on: boolean): void;
  /** Draw every wait-for edge. */
  setShowWaits(on: boolean): void;
  fit(): void;
  clearFinished(): void;
  /** One of the export menu's items (the host runs the command). */
  exportAs(command: ExportCommand): void;
}

export type ExportCommand = Extract<PanelCommand, 'copyText' | 'exportSvg' | 'exportPng' | 'exportTrace'>;

const EXPORTS: Array<[ExportCommand, string, string]> = [
  ['copyText', 'Copy as text', 'The tree as indented text, to paste into an issue'],
  ['exportSvg', 'Save as SVG…', "The whole tree as shown, in this theme's colours"],
  ['exportPng', 'Save as PNG…', 'The whole tree as shown, at twice its size'],
  ['exportTrace', 'Save Chrome trace…', "The run's history, for Perfetto or chrome://tracing"],
];

/** The Export button and its menu (Escape or a click elsewhere closes it). */
/**
 * Puts a popup under its button, right edges aligned, over the page. It is
 * fixed, not placed in the toolbar: a wrapped toolbar in a short panel
 * scrolls, and would clip it to a sliver. As tall as the panel lets it be
 * (it scrolls beyond that).
 */
function dropBelow(popup: HTMLElement, button: HTMLElement): void {
  const r = button.getBoundingClientRect();
  const top = Math.round(r.bottom + 6);
  popup.style.top = `${top}px`;
  popup.style.right = `${Math.max(4, Math.round(document.documentElement.clientWidth - r.right))}px`;
  popup.style.maxHeight = `${Math.max(60, window.innerHeight - top - 8)}px`;
}

/** Keeps an open popup under its button when the panel resizes or the toolbar scrolls. */
function keepBelow(popup: HTMLElement, button: HTMLElement): void {
  const again = () => {
    if (!popup.hidden) dropBelow(popup, button);
  };
  window.addEventListener('resize', again);
  document.addEventListener('scroll', again, true);
}

/**
 * A popup closes as popups do: a click outside `anchor` (its button and
 * itself), in the panel or outside it, or Escape anywhere on the page,
 * which then does nothing else.
 */
function dismissible(popup: HTMLElement, anchor: HTMLElement, close: () => void, button: HTMLElement): void {
  document.addEventListener('click', (e) => {
    if (!popup.hidden && e.target instanceof Node && !anchor.contains(e.target)) close();
  });
  // A click outside the panel (the editor, the side bar) reaches the page only as its window losing focus.
  window.addEventListener('blur', () => {
    if (!popup.hidden) close();
  });
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.key !== 'Escape' || popup.hidden) return;
      const inside = popup.contains(document.activeElement);
      close();
      e.stopPropagation();
      e.preventDefault();
      if (inside) button.focus();
    },
    true,
  );
}

function exportMenu(run: (c: ExportCommand) => void): HTMLElement {
  const menu = h('div', { class: 'export-menu', role: 'menu', 'aria-label': 'Export', hidden: true });
  const button = h(
    'button',
    {
      class: 'toggle export-button',
      type: 'button',
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      title: 'Copy or save this tree',
    },
    'Export',
  );
  const show = (open: boolean): void => {
    menu.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) dropBelow(menu, button);
  };
  for (const [command, label, title] of EXPORTS) {
    const item = h(
      'button',
      { class: 'menu-item', type: 'button', role: 'menuitem', title, 'data-command': command },
      label,
    );
    item.addEventListener('click', () => {
      show(false);
      run(command);
    });
    menu.append(item);
  }
  button.addEventListener('click', () => {
    show(menu.hidden);
    if (!menu.hidden) menu.querySelector<HTMLElement>('.menu-item')?.focus();
  });
  menu.addEventListener('keydown', (e) => {
    const items = [...menu.querySelectorAll<HTMLElement>('.menu-item')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
    }
  });
  const anchor = h('span', { class: 'export-anchor' }, button, menu);
  dismissible(menu, anchor, () => show(false), button);
  keepBelow(menu, button);
  return anchor;
}

const FIT_TITLE = 'Fit the whole tree in view (F)';
const FIT_HOLDS_TITLE = 'Fitting the whole tree in view as it changes, until you pan, zoom or move on the tree (F)';

function toggle(label: string, title: string, on: (v: boolean) => void): HTMLButtonElement {
  const b = h(
    'button',
    { class: 'toggle', type: 'button', 'aria-pressed': 'false', title },
    h('span', { class: 'check', 'aria-hidden': 'true' }),
    label,
  );
  b.addEventListener('click', () => on(b.getAttribute('aria-pressed') !== 'true'));
  return b;
}

/** The filter field: typing filters, Enter goes to the next match (Shift: back), Escape clears, then leaves. */
function searchField(a: ToolbarActions): HTMLInputElement {
  const input = h('input', {
    class: 'search',
    type: 'search',
    placeholder: 'Filter by name  (/)',
    'aria-label': 'Filter tasks by name',
    spellcheck: 'false',
  });
  input.addEventListener('input', () => a.search(input.value));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      a.nextMatch(e.shiftKey);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (input.value) {
        input.value = '';
        a.search('');
      } else a.leaveSearch();
    }
  });
  return input;
}

/** The Legend button and the panel it opens. */
function legendAnchor(): HTMLElement {
  const legendPanel = legend();
  legendPanel.hidden = true;
  const legendButton = h(
    'button',
    {
      class: 'toggle legend-button',
      type: 'button',
      'aria-expanded': 'false',
      title: 'What the shapes and icons mean',
    },
    'Legend',
  );
  const show = (open: boolean): void => {
    legendPanel.hidden = !open;
    legendButton.setAttribute('aria-expanded', String(open));
    if (open) dropBelow(legendPanel, legendButton);
  };
  legendButton.addEventListener('click', () => show(legendPanel.hidden));
  const anchor = h('span', { class: 'legend-anchor' }, legendButton, legendPanel);
  dismissible(legendPanel, anchor, () => show(false), legendButton);
  keepBelow(legendPanel, legendButton);
  return anchor;
}

export class Toolbar {
  readonly el: HTMLElement;
  private readonly runSelect: HTMLSelectElement;
  readonly searchInput: HTMLInputElement;
  private readonly fit: HTMLButtonElement;
  private readonly matchCount: HTMLElement;
  private readonly hideFinished: HTMLButtonElement;
  private readonly hideSystem: HTMLButtonElement;
  private readonly follow: HTMLButtonElement;
  private readonly showWaits: HTMLButtonElement;
  private readonly counts: HTMLElement;
  private readonly clearFinished: HTMLButtonElement;
  private runsSig = '';
  /** The run whose filter the search box shows. */
  private searchRun: string | null = null;

  constructor(a: ToolbarActions) {
    this.runSelect = h('select', { class: 'run-picker', 'aria-label': 'Run', title: 'Run to show' });
    this.runSelect.addEventListener('change', () => a.selectRun(this.runSelect.value));
    this.clearFinished = h(
      'button',
      {
        class: 'toggle clear-finished',
        type: 'button',
        title: 'Remove runs that are over from this list',
        hidden: true,
      },
      'Clear finished runs',
    );
    this.clearFinished.addEventListener('click', () => a.clearFinished());
    this.searchInput = searchField(a);
    this.matchCount = h('span', { class: 'match-count', 'aria-live': 'polite' });
    this.hideFinished = toggle('Hide finished', 'Hide tasks that returned, raised or were cancelled', (v) =>
      a.setHideFinished(v),
    );
    this.hideSystem = toggle('Hide system', "Hide the library's own tasks and nurseries (Trio's, asyncio's)", (v) =>
      a.setHideSystem(v),
    );
    this.follow = toggle('Follow', 'Keep new activity in view (stops when you pan)', (v) => a.setFollow(v));
    this.showWaits = toggle(
      'Wait-for edges',
      "Draw an arrow from every waiting task to the tasks holding what it waits for, and from every task that failed or called cancel() to what it cancelled (without this: the selected task's, and a deadlock's)",
      (v) => a.setShowWaits(v),
    );
    this.showWaits.classList.add('show-waits');
    const fit = h('button', { class: 'button secondary fit', type: 'button', title: FIT_TITLE }, 'Fit');
    fit.addEventListener('click', () => a.fit());
    this.fit = fit;
    this.counts = h('span', { class: 'counts' });
    this.el = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Task tree' },
      this.runSelect,
      this.clearFinished,
      h('span', { class: 'search-box' }, this.searchInput, this.matchCount),
      this.hideFinished,
      this.hideSystem,
      this.follow,
      this.showWaits,
      fit,
      this.counts,
      // Together at the right end of their line, so the popups they open (anchored right) stay in view.
      h(
        'span',
        { class: 'toolbar-end' },
        exportMenu((c) => a.exportAs(c)),
        legendAnchor(),
      ),
    );
  }

  setRuns(runs: RunInfo[], current: string | null): void {
    const sig = JSON.stringify(runs.map((r) => [r.key, r.label, r.status, libraryWords(r)])) + current;
    if (sig === this.runsSig) return;
    this.runsSig = sig;
    // Runs of the same script are told apart by their start time.
    const seen = new Map<string, number>();
    for (const r of runs) seen.set(r.label, (seen.get(r.label) ?? 0) + 1);
    this.runSelect.replaceChildren(
      ...runs.map((r) => {
        const when = (seen.get(r.label) ?? 0) > 1 ? ` · ${new Date(r.wall).toLocaleTimeString()}` : '';
        // `main.py · asyncio — live`: which library each run uses.
        const o = h('option', { value: r.key }, `${r.label} · ${libraryWords(r)}${when} — ${runStatusWord(r)}`);
        o.selected = r.key === current;
        return o;
      }),
    );
    const shown = this.runSelect.selectedOptions[0]?.textContent;
    this.runSelect.title = shown ? `Run to show: ${shown}` : 'Run to show';
    this.runSelect.hidden = runs.length === 0;
    this.runSelect.disabled = runs.length < 2;
    // There whenever a run is, and disabled while none is over: its coming as a run ended re-wrapped the
    // toolbar (two rows to three at 700 px) and the tree jumped and was scaled again.
    this.clearFinished.hidden = runs.length === 0;
    this.clearFinished.disabled = !runs.some((r) => r.status !== 'live');
  }

  setState(s: {
    hideFinished: boolean;
    hideSystem: boolean;
    follow: boolean;
    showWaits: boolean;
    search: string;
    /** The run in view: each run has its own filter. */
    run: string | null;
    matches: number | null;
    counts: { text: string; title: string };
    fitting: boolean;
  }): void {
    // Called in every frame that changes the chrome: only what changed is written.
    setAttr(this.showWaits, 'aria-pressed', String(s.showWaits));
    setAttr(this.hideFinished, 'aria-pressed', String(s.hideFinished));
    setAttr(this.hideSystem, 'aria-pressed', String(s.hideSystem));
    setAttr(this.follow, 'aria-pressed', String(s.follow));
    // Fit holds until the view is moved: the button shows it, and says so.
    if (this.fit.classList.contains('fitting') !== s.fitting) this.fit.classList.toggle('fitting', s.fitting);
    setAttr(this.fit, 'title', s.fitting ? FIT_HOLDS_TITLE : FIT_TITLE);
    // Not while the user types in it; but another run's filter is written even then (the box showed one that no longer applied).
    const otherRun = s.run !== this.searchRun;
    this.searchRun = s.run;
    if ((otherRun || document.activeElement !== this.searchInput) && this.searchInput.value !== s.search)
      this.searchInput.value = s.search;
    setText(
      this.matchCount,
      s.matches === null ? '' : s.matches === 1 ? '1 match' : `${s.matches.toLocaleString('en-US')} matches`,
    );
    setText(this.counts, s.counts.text);
    setAttr(this.counts, 'title', s.counts.title);
  }
}
