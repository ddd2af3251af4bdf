// What the webview remembers across reloads (VS Code's getState/setState):
// filters, follow, the selected run, and per run its collapsed ids, expanded
// folds, zoom transform and selection.
export interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface RunView {
  collapsed: string[];
  folds: string[];
  transform: Transform | null;
  selected: string | null;
}

export interface ViewState {
  v: 1;
  run: string | null;
  follow: boolean;
  hideFinished: boolean;
  /** null = not chosen by the user: the host's default applies (hide). */
  hideSystem: boolean | null;
  search: string;
  detailsOpen: boolean;
  runs: Record<string, RunView>;
  /** Most recently viewed run keys first, to bound `runs`. */
  recent: string[];
}

const MAX_RUNS = 12;

export function emptyRunView(): RunView {
  return { collapsed: [], folds: [], transform: null, selected: null };
}

export function initialViewState(): ViewState {
  return { v: 1, run: null, follow: true, hideFinished: false, hideSystem: null, search: '', detailsOpen: true, runs: {}, recent: [] };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

function transformOf(x: unknown): Transform | null {
  if (!isObj(x)) return null;
  const { x: tx, y: ty, k } = x;
  if (typeof tx !== 'number' || typeof ty !== 'number' || typeof k !== 'number') return null;
  if (![tx, ty, k].every(Number.isFinite) || k <= 0) return null;
  return { x: tx, y: ty, k };
}

/** Accepts whatever getState() returned (maybe nothing, maybe an older shape). */
export function parseViewState(raw: unknown): ViewState {
  const s = initialViewState();
  if (!isObj(raw) || raw.v !== 1) return s;
  if (typeof raw.run === 'string') s.run = raw.run;
  if (typeof raw.follow === 'boolean') s.follow = raw.follow;
  if (typeof raw.hideFinished === 'boolean') s.hideFinished = raw.hideFinished;
  if (typeof raw.hideSystem === 'boolean') s.hideSystem = raw.hideSystem;
  if (typeof raw.search === 'string') s.search = raw.search;
  if (typeof raw.detailsOpen === 'boolean') s.detailsOpen = raw.detailsOpen;
  s.recent = strings(raw.recent).slice(0, MAX_RUNS);
  if (isObj(raw.runs)) {
    for (const key of s.recent) {
      const r = raw.runs[key];
      if (!isObj(r)) continue;
      s.runs[key] = {
        collapsed: strings(r.collapsed),
        folds: strings(r.folds),
        transform: transformOf(r.transform),
        selected: typeof r.selected === 'string' ? r.selected : null,
      };
    }
  }
  return s;
}

/** The per-run part for `key`, created on first use; keeps at most MAX_RUNS runs. */
export function runView(s: ViewState, key: string): RunView {
  s.recent = [key, ...s.recent.filter((k) => k !== key)];
  for (const old of s.recent.splice(MAX_RUNS)) delete s.runs[old];
  return (s.runs[key] ??= emptyRunView());
}
