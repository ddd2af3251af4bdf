// The rows as the store keeps them, and as they leave it. Inside, each row
// carries its delta bookkeeping, and every TaskRow field exists from birth
// (undefined until known, never deleted): objects keep one hidden class, which
// keeps the reducer fast. Rows leave as copies holding only the optional
// fields that are set (copyRow), so a consumer never sees a row change under it.
import type { ErrorInfo, NurseryRow, Outcome, RetiredRow, Row, ScopeInfo, Site, TaskRow } from '../../contract/rows';
import type { WireError, WireSite } from '../../contract/wire';

/** Delta bookkeeping on each stored row: flags instead of id sets keep the hot path cheap. */
export interface Tracking {
  /** In the delta log's dirty rows, waiting for the next delta. */
  dirty: boolean;
  /** A consumer has seen this row (snapshot or delta), so its removal must be told. */
  sent: boolean;
  /** Removed from the store (folded or dropped); it may still sit in a queue. */
  gone: boolean;
}
export type TaskEntry = TaskRow & Tracking;
export type NurseryEntry = NurseryRow & Tracking;
export type RetiredEntry = RetiredRow & Tracking;
export type Entry = TaskEntry | NurseryEntry | RetiredEntry;

/** How the tasks folded into a RetiredRow ended. */
export type OutcomeCounts = Record<Outcome | 'lost', number>;
export const emptyCounts = (): OutcomeCounts => ({ returned: 0, raised: 0, cancelled: 0, lost: 0 });

/**
 * The scopes of every task that has none: most tasks never get one, and an
 * array per row is a good share of what survives the young-generation GC.
 * Never mutated: the first scope replaces it with a row's own array.
 */
export const NO_SCOPES: ScopeInfo[] = [];
Object.freeze(NO_SCOPES);

/** Longest program text kept in a row or a run's header (a name, a reason, an exception's type); the wire allows 1 MiB lines. */
export const MAX_TEXT = 2000;

/** `s`, cut to `max` characters (the cut marked) so one line cannot make a row or a panel message huge. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A row's copy for a consumer (snapshot or delta). */
export function copyRow(row: Row): Row {
  if (row.kind === 'task') {
    const t: TaskRow = {
      kind: 'task',
      id: row.id,
      parent: row.parent,
      name: row.name,
      system: row.system,
      main: row.main,
      state: row.state,
      since: row.since,
      spawnedAt: row.spawnedAt,
      site: row.site,
      awaitSite: row.awaitSite,
      scopes: row.scopes.length ? row.scopes.map((s) => ({ ...s })) : [],
    };
    if (row.func !== undefined) t.func = row.func;
    if (row.defaultName !== undefined) t.defaultName = row.defaultName;
    if (row.exitedAt !== undefined) t.exitedAt = row.exitedAt;
    // Never mutated in place (a sample replaces it), so the copy may share it.
    if (row.chain !== undefined) t.chain = row.chain;
    if (row.error !== undefined) t.error = row.error;
    if (row.cancelledBy !== undefined) t.cancelledBy = row.cancelledBy;
    if (row.cancelSource !== undefined) t.cancelSource = row.cancelSource;
    if (row.cancelReason !== undefined) t.cancelReason = row.cancelReason;
    if (row.cancelScope !== undefined) t.cancelScope = row.cancelScope;
    if (row.cancelSite !== undefined) t.cancelSite = row.cancelSite;
    if (row.cancelError !== undefined) t.cancelError = row.cancelError;
    // Never changed in place (each sample makes a new one), so the copy may share it.
    if (row.waits !== undefined) t.waits = row.waits;
    if (row.starting) t.starting = true;
    if (row.loose) t.loose = true;
    if (row.flags !== undefined) t.flags = row.flags;
    if (row.unretrieved !== undefined) t.unretrieved = row.unretrieved;
    if (row.lints !== undefined) t.lints = row.lints;
    // Replaced, never changed in place (Retention), so the copy may share it.
    if (row.folded !== undefined) t.folded = row.folded;
    return t;
  }
  if (row.kind === 'retired') {
    const r: RetiredRow = {
      kind: 'retired',
      id: row.id,
      parent: row.parent,
      count: row.count,
      byOutcome: { ...row.byOutcome },
    };
    if (row.nurseries) r.nurseries = row.nurseries;
    return r;
  }
  const n: NurseryRow = {
    kind: 'nursery',
    id: row.id,
    parent: row.parent,
    site: row.site,
    openedAt: row.openedAt,
    system: row.system,
    start: row.start,
  };
  if (row.closedAt !== undefined) n.closedAt = row.closedAt;
  if (row.groupKind !== undefined) n.groupKind = row.groupKind;
  if (row.lints !== undefined) n.lints = row.lints;
  return n;
}

/**
 * A stored row's own copy for another store (history): fields the reducer
 * changes in place (a task's scopes, a retired row's counts) are copied, the
 * rest shared (sites, errors and flag lists are replaced, never changed);
 * no delta bookkeeping comes along. A spread keeps whatever fields rows gain.
 */
export function copyEntry<E extends Entry>(e: E): E {
  const c = { ...e, dirty: false, sent: false, gone: false };
  if (c.kind === 'task' && c.scopes !== NO_SCOPES) c.scopes = c.scopes.slice();
  else if (c.kind === 'retired') c.byOutcome = { ...c.byOutcome };
  return c;
}

/** Exceptions kept of one error (a group and what it holds): a row stays small whatever one line carries. */
const MAX_ERROR_NODES = 100;

/** The run's shared copy of a wire site (`RunTree.site`: its file becomes openable). */
type SiteOf = (v: WireSite | null) => Site | null;

/** A row's copy of a wire error: nested groups kept 4 levels deep and 20 wide, MAX_ERROR_NODES in all. */
export function errorOf(siteOf: SiteOf, e: WireError): ErrorInfo {
  const budget = { left: MAX_ERROR_NODES - 1 };
  return copyError(siteOf, e, 0, budget);
}

function copyError(siteOf: SiteOf, e: WireError, depth: number, budget: { left: number }): ErrorInfo {
  const out: ErrorInfo = { type: clip(e.type, MAX_TEXT), message: clip(e.message, MAX_TEXT) };
  const site = e.site ? siteOf(e.site) : null;
  if (site) out.site = site;
  if (!e.exceptions || depth >= 4) return out;
  const kept: ErrorInfo[] = [];
  for (const x of e.exceptions.slice(0, 20)) {
    if (budget.left <= 0) break;
    budget.left--;
    kept.push(copyError(siteOf, x, depth + 1, budget));
  }
  out.exceptions = kept;
  return out;
}
